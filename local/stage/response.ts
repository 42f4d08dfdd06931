/**
 * Turning a Lambda proxy result into the HTTP answer, and API Gateway's own answers. Format per
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * ("Output format of a Lambda function for proxy integration").
 */

/** An HTTP answer: a flat header list (`[name, value, name, value, …]`, repeats allowed). */
export interface HttpAnswer {
  statusCode: number;
  headers: string[];
  body: Buffer;
}

export type MappedResult = { ok: true; answer: HttpAnswer } | { ok: false; reason: string };

const RESULT_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function statusOf(value: unknown): number | undefined {
  const status = typeof value === 'string' && /^\d{3}$/u.test(value) ? Number(value) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
    ? status
    : undefined;
}

/**
 * Validates a proxy result the way API Gateway does (anything else is "Malformed Lambda proxy
 * response" → 502) and merges `headers` with `multiValueHeaders`: "If you specify values for both
 * headers and multiValueHeaders, API Gateway merges them into a single list. If the same key-value
 * pair is specified in both, only the values from multiValueHeaders will appear" (same page).
 */
export function mapProxyResult(result: unknown): MappedResult {
  if (!isRecord(result)) return { ok: false, reason: 'the result is not an object' };
  const unknownKeys = Object.keys(result).filter((key) => !RESULT_KEYS.has(key));
  if (unknownKeys.length > 0) return { ok: false, reason: `unknown fields ${unknownKeys.join(', ')}` };
  const statusCode = statusOf(result.statusCode);
  if (statusCode === undefined) return { ok: false, reason: 'statusCode is missing or not an HTTP status' };
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') {
    return { ok: false, reason: 'body is not a string' };
  }
  if (result.isBase64Encoded !== undefined && typeof result.isBase64Encoded !== 'boolean') {
    return { ok: false, reason: 'isBase64Encoded is not a boolean' };
  }
  const headers: string[] = [];
  const multiNames = new Set<string>();
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isRecord(result.multiValueHeaders))
      return { ok: false, reason: 'multiValueHeaders is not an object' };
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) {
        return { ok: false, reason: `multiValueHeaders.${name} is not a list of values` };
      }
      multiNames.add(name.toLowerCase());
      for (const value of values) headers.push(name, String(value));
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isRecord(result.headers)) return { ok: false, reason: 'headers is not an object' };
    for (const [name, value] of Object.entries(result.headers)) {
      if (!isScalar(value)) return { ok: false, reason: `headers.${name} is not a value` };
      if (!multiNames.has(name.toLowerCase())) headers.push(name, String(value));
    }
  }
  const text = typeof result.body === 'string' ? result.body : '';
  const body = result.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { ok: true, answer: { statusCode, headers, body } };
}

function hasHeader(headers: string[], name: string): boolean {
  const wanted = name.toLowerCase();
  for (let i = 0; i < headers.length; i += 2) if (headers[i]?.toLowerCase() === wanted) return true;
  return false;
}

/** The headers API Gateway adds to every answer, and its default content type (JSON). */
export function withGatewayHeaders(
  answer: HttpAnswer,
  ids: { requestId: string; apigwId: string; traceId?: string },
): HttpAnswer {
  const headers = [...answer.headers];
  if (!hasHeader(headers, 'content-type')) headers.push('Content-Type', 'application/json');
  headers.push('x-amzn-RequestId', ids.requestId, 'x-amz-apigw-id', ids.apigwId);
  if (ids.traceId) headers.push('X-Amzn-Trace-Id', ids.traceId);
  return { ...answer, headers };
}

/**
 * API Gateway's own error answers (gateway responses), body `{"message": …}` and the
 * `x-amzn-ErrorType` header; types and statuses per
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
const GATEWAY_ERRORS = {
  missingAuthenticationToken: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    type: 'MissingAuthenticationTokenException',
  },
  requestTooLarge: { statusCode: 413, message: 'Request Too Long', type: 'RequestTooLongException' },
  // Lambda rejected the invocation (throttled): "If the Lambda API rejects the invocation request,
  // API Gateway returns a 500 error code. If the function runs but returns an error, or returns a
  // response in the wrong format, API Gateway returns a 502." — body {"message": "Internal server
  // error"} in both cases. https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
  invocationRejected: {
    statusCode: 500,
    message: 'Internal server error',
    type: 'InternalServerErrorException',
  },
  functionError: { statusCode: 502, message: 'Internal server error', type: 'InternalServerErrorException' },
  integrationTimeout: {
    statusCode: 504,
    message: 'Endpoint request timed out',
    type: 'InternalServerErrorException',
  },
} as const;

export type GatewayErrorName = keyof typeof GATEWAY_ERRORS;

export function gatewayError(name: GatewayErrorName): HttpAnswer {
  const error = GATEWAY_ERRORS[name];
  return {
    statusCode: error.statusCode,
    headers: ['Content-Type', 'application/json', 'x-amzn-ErrorType', error.type],
    body: Buffer.from(JSON.stringify({ message: error.message })),
  };
}

/**
 * REST API quota: 10,240 bytes for the request line and the header values together
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html;
 * the same figure for HTTP APIs: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
 */
export const MAX_REQUEST_LINE_AND_HEADER_BYTES = 10_240;

/**
 * What a client gets past that quota. AWS documents the quota but not the answer; as reported by
 * users it is a 431 with a plain-text body (not a JSON gateway response): "HTTP header is larger
 * than 10240 bytes." (https://ntsblog.homedev.com.au/index.php/2021/03/09/aws-api-gateway-http-header-is-larger-than-10240-bytes/;
 * 431 from an API Gateway origin: http://Backbencher.dev/solved-431-status-code-with-request-header-fields-too-large).
 * The answer lives here alone, so a better source changes one place.
 */
export function headersTooLarge(): HttpAnswer {
  return {
    statusCode: 431,
    headers: ['Content-Type', 'text/plain; charset=utf-8'],
    body: Buffer.from(`HTTP header is larger than ${MAX_REQUEST_LINE_AND_HEADER_BYTES} bytes.`),
  };
}

/** Bytes of `METHOD url HTTP/x.y` plus every header value, as the quota counts them. */
export function requestLineAndHeaderBytes(request: {
  method: string;
  url: string;
  httpVersion: string;
  rawHeaders: string[];
}): number {
  let bytes = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}`, 'latin1');
  for (let i = 1; i < request.rawHeaders.length; i += 2) {
    bytes += Buffer.byteLength(request.rawHeaders[i] ?? '', 'latin1');
  }
  return bytes;
}

/** The same answer as raw HTTP, for a request Node's parser gave up on (headers past its own limit). */
export function rawHeadersTooLarge(): string {
  const answer = headersTooLarge();
  const headerLines = [];
  for (let i = 0; i < answer.headers.length; i += 2)
    headerLines.push(`${answer.headers[i]}: ${answer.headers[i + 1]}`);
  return [
    `HTTP/1.1 ${answer.statusCode} Request Header Fields Too Large`,
    ...headerLines,
    `Content-Length: ${answer.body.byteLength}`,
    'Connection: close',
    '',
    answer.body.toString('latin1'),
  ].join('\r\n');
}
