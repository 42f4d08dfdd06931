import { createHash } from 'node:crypto';
import { InvalidRequest } from './errors';

/**
 * `nextToken`: an opaque, versioned wrapper around DynamoDB's LastEvaluatedKey, bound to the query
 * it came from. base64url(JSON) plus a short digest, so garbage, edits and a token reused with a
 * different `type` are caught here as a 400 and never reach DynamoDB as an ExclusiveStartKey.
 * The digest detects damage, not forgery: a forged token still has to pass the shape check below,
 * and its worst effect is to start a page at another key.
 */
export type PageKey = { id: number } | { id: number; type: string };

interface TokenPayload {
  v: 1;
  /** The `type` filter the page was read with; '' for the whole table. */
  q: string;
  k: PageKey;
}

export const MAX_TOKEN_LENGTH = 2048;

function digest(payload: string): string {
  return createHash('sha256').update(`pets-page:${payload}`).digest('base64url').slice(0, 16);
}

export function encodePageToken(key: PageKey, type: string | undefined): string {
  const body: TokenPayload = { v: 1, q: type ?? '', k: key };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${digest(payload)}`;
}

function invalidToken(message: string): InvalidRequest {
  return new InvalidRequest('Invalid nextToken', [{ field: 'nextToken', message }]);
}

function isPetId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

/** The key a page token stands for, checked against the query it is used with. */
export function decodePageToken(token: string, type: string | undefined): PageKey {
  const [payload, mac, ...rest] = token.split('.');
  if (token.length > MAX_TOKEN_LENGTH || !payload || rest.length > 0 || mac !== digest(payload)) {
    throw invalidToken('is not a token this API issued');
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('is not a token this API issued');
  }
  const { v, q, k } = (body ?? {}) as Partial<TokenPayload>;
  if (v !== 1 || typeof q !== 'string' || typeof k !== 'object' || k === null) {
    throw invalidToken('has an unknown format');
  }
  if (q !== (type ?? '')) throw invalidToken('belongs to a different query');
  const keyFields = Object.keys(k).sort().join(',');
  const expected = type === undefined ? 'id' : 'id,type';
  if (keyFields !== expected || !isPetId(k.id) || ('type' in k && k.type !== type)) {
    throw invalidToken('has an unknown format');
  }
  return k;
}
