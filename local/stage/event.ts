import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { anonymousIdentity } from '../../definitions/api-gateway';

/** What the stage knows about one HTTP request, before it becomes a proxy event. */
export interface GatewayRequest {
  method: string;
  /** The request path after the stage, as sent (still percent-encoded), e.g. `/pets/3`. */
  path: string;
  /** The query string without `?`, possibly empty. */
  query: string;
  /** Node's `rawHeaders`: names in the client's case, alternating with values. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** The stage's own port, for `X-Forwarded-Port`. */
  port: number;
  /** e.g. `HTTP/1.1` */
  protocol: string;
}

/** What the stage decided about it: which resource, which ids, when. */
export interface GatewayContext {
  stage: string;
  resource: string;
  pathParameters: Record<string, string> | null;
  requestId: string;
  requestTimeEpoch: number;
  traceId: string;
  apiId: string;
  accountId: string;
  resourceId: string;
}

export const LOCAL_API_ID = 'local000ap';
export const LOCAL_ACCOUNT_ID = '000000000000';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime`: `23/Nov/2026:22:24:49 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** An X-Ray trace header like the one API Gateway adds: `Root=1-<epoch hex>-<24 hex>`. */
export function newTraceId(epochMs = Date.now()): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=0`;
}

const TEXT_MEDIA_TYPE =
  /^(text\/[^;]+|application\/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))\s*(;.*)?$/iu;

/** Bodies that are not text reach the function base64-encoded, with `isBase64Encoded: true`. */
export function isBinaryContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return !TEXT_MEDIA_TYPE.test(contentType.trim());
}

/** Header names keyed by lower case (the first spelling a client used) and their values. */
interface Headers {
  names: Map<string, string>;
  values: Map<string, string[]>;
}

function headersFrom(rawHeaders: string[]): Headers {
  // Keyed by lower-case name; the first spelling a client used is the one the event shows.
  const names = new Map<string, string>();
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const key = name.toLowerCase();
    if (!names.has(key)) names.set(key, name);
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return { names, values };
}

function setHeader(headers: Headers, name: string, value: string): void {
  const key = name.toLowerCase();
  if (!headers.names.has(key)) headers.names.set(key, name);
  headers.values.set(key, [value]);
}

function decodeQueryPart(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/gu, ' '));
  } catch {
    return value;
  }
}

function queryParameters(query: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (!query) return { single: null, multi: null };
  const multi: Record<string, string[]> = {};
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const equals = pair.indexOf('=');
    const name = decodeQueryPart(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryPart(pair.slice(equals + 1));
    const list = multi[name];
    if (list) list.push(value);
    else multi[name] = [value];
  }
  const names = Object.keys(multi);
  if (names.length === 0) return { single: null, multi: null };
  // API Gateway keeps the last value of a repeated parameter in queryStringParameters.
  const single = Object.fromEntries(names.map((name) => [name, (multi[name] as string[]).at(-1) as string]));
  return { single, multi };
}

/** The client's headers plus the ones API Gateway adds on the way to the function. */
function forwardedHeaders(request: GatewayRequest, context: GatewayContext): Headers {
  const headers = headersFrom(request.rawHeaders);
  const forwardedFor = headers.values.get('x-forwarded-for')?.join(', ');
  setHeader(
    headers,
    'X-Forwarded-For',
    forwardedFor ? `${forwardedFor}, ${request.sourceIp}` : request.sourceIp,
  );
  setHeader(headers, 'X-Forwarded-Proto', 'http');
  setHeader(headers, 'X-Forwarded-Port', String(request.port));
  setHeader(headers, 'X-Amzn-Trace-Id', context.traceId);
  return headers;
}

/** `headers` (last value of each) and `multiValueHeaders` (all), keyed by the client's spelling. */
function eventHeaders(headers: Headers): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, name] of headers.names) {
    const list = headers.values.get(key) as string[];
    single[name] = list.at(-1) as string;
    multi[name] = list;
  }
  return { single, multi };
}

/**
 * The v1 (REST API) Lambda proxy event for one request, with the headers API Gateway adds
 * (X-Forwarded-For/-Proto/-Port, X-Amzn-Trace-Id). Field by field per
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * (input format of a Lambda function for proxy integration).
 */
export function buildProxyEvent(request: GatewayRequest, context: GatewayContext): APIGatewayProxyEvent {
  const headers = forwardedHeaders(request, context);
  const { single, multi } = eventHeaders(headers);
  const contentType = headers.values.get('content-type')?.at(-1);
  const binary = isBinaryContentType(contentType);
  const body = request.body.byteLength === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8');
  const query = queryParameters(request.query);
  const userAgent = headers.values.get('user-agent')?.at(-1) ?? null;
  return {
    resource: context.resource,
    path: request.path,
    httpMethod: request.method,
    headers: single,
    multiValueHeaders: multi,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: context.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      authorizer: undefined,
      domainName: headers.values.get('host')?.at(-1),
      domainPrefix: context.apiId,
      extendedRequestId: context.requestId.replace(/-/gu, '').slice(0, 16),
      httpMethod: request.method,
      identity: anonymousIdentity(request.sourceIp, userAgent),
      path: `/${context.stage}${request.path}`,
      protocol: request.protocol,
      requestId: context.requestId,
      requestTime: formatRequestTime(context.requestTimeEpoch),
      requestTimeEpoch: context.requestTimeEpoch,
      resourceId: context.resourceId,
      resourcePath: context.resource,
      stage: context.stage,
    },
    body,
    isBase64Encoded: binary && body !== null,
  };
}
