import { TextDecoder } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type FieldError, InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from './errors';
import { codePointLength } from './pet';

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

/** The tracing headers the contract bounds (`maxLength: 128`), logged and echoed by the function. */
const TRACE_HEADERS = ['x-correlation-id', 'x-harness-run-id'] as const;
export type TraceHeader = (typeof TRACE_HEADERS)[number];
export const MAX_TRACE_HEADER_LENGTH = 128;

function traceHeaderTooLong(value: string): boolean {
  return codePointLength(value) > MAX_TRACE_HEADER_LENGTH;
}

/** A tracing header's value when the contract allows it; an oversized one is neither logged nor echoed. */
export function traceHeader(
  event: Pick<APIGatewayProxyEvent, 'headers'>,
  name: TraceHeader,
): string | undefined {
  const value = header(event, name);
  return value === undefined || traceHeaderTooLong(value) ? undefined : value;
}

/** 400 when a tracing header is longer than the contract allows, before anything else is read. */
export function checkTraceHeaders(event: Pick<APIGatewayProxyEvent, 'headers'>): void {
  const errors: FieldError[] = [];
  for (const name of TRACE_HEADERS) {
    const value = header(event, name);
    if (value !== undefined && traceHeaderTooLong(value)) {
      errors.push({ field: name, message: `must be at most ${MAX_TRACE_HEADER_LENGTH} characters long` });
    }
  }
  if (errors.length > 0) throw new InvalidRequest('Invalid headers', errors);
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
  // Stryker disable next-line StringLiteral: equivalent: a missing body is the same 400 (not JSON) whether it defaults to '' or to Stryker's text
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
