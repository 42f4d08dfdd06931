import { TextDecoder } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from './errors';

/** API Gateway's v1 event, read the way the routes need it (header names case-insensitive). */
export const MAX_BODY_BYTES = 16 * 1024;
const LOCAL_HOSTS = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/u;
const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/iu;

/** A header by name, ignoring case; API Gateway passes `headers: null` when there are none. */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** A query string parameter (API Gateway keeps the last value of a repeated one). */
export function queryParam(event: APIGatewayProxyEvent, name: string): string | undefined {
  return event.queryStringParameters?.[name] ?? undefined;
}

/**
 * The stage's base URL as the caller sees it, for `Link` and `Location`:
 * `http://127.0.0.1:3000/default` locally, `https://<api>.execute-api.<region>.amazonaws.com/default`
 * deployed. Without a Host header it is the stage path alone.
 */
export function stageBaseUrl(event: APIGatewayProxyEvent): string {
  const stage = event.requestContext?.stage;
  const stagePath = stage ? `/${encodeURIComponent(stage)}` : '';
  const host = header(event, 'host');
  if (!host) return stagePath;
  const proto = header(event, 'x-forwarded-proto') ?? (LOCAL_HOSTS.test(host) ? 'http' : 'https');
  return `${proto}://${host}${stagePath}`;
}

/**
 * The JSON value of a request body: 415 unless declared `application/json` (parameters such as
 * charset allowed), 413 over 16 KiB (bytes, after base64 decoding), 400 when it is not JSON.
 */
export function jsonBody(event: APIGatewayProxyEvent): unknown {
  const contentType = header(event, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType.trim())) {
    throw new UnsupportedMediaType('content-type must be application/json');
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new PayloadTooLarge(`body is ${bytes.byteLength} bytes; at most ${MAX_BODY_BYTES} are accepted`);
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidRequest('Malformed JSON body', [{ field: 'body', message: 'must be valid JSON' }]);
  }
}
