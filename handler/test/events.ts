import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { anonymousIdentity } from '../../definitions/api-gateway';

/**
 * Typed factories for what API Gateway (REST API, Lambda proxy integration) and the Lambda runtime
 * hand the function: a complete v1 `APIGatewayProxyEvent` and a complete `Context`, no casts.
 */
export interface EventOptions {
  method: string;
  /** Path without the stage, e.g. `/pets/3`. */
  path: string;
  /** The API Gateway resource, e.g. `/pets/{id}`; defaults to `path`. */
  resource?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  stage?: string;
  requestId?: string;
}

let requestCounter = 0;

export function apiGatewayEvent(options: EventOptions): APIGatewayProxyEvent {
  const stage = options.stage ?? 'default';
  const resource = options.resource ?? options.path;
  // What the local stage sends; a test's own header of the same name (any case) replaces it.
  const given = options.headers ?? {};
  const defaults = Object.entries({ Host: '127.0.0.1:3000', 'X-Forwarded-Proto': 'http' }).filter(
    ([name]) => !Object.keys(given).some((key) => key.toLowerCase() === name.toLowerCase()),
  );
  const headers: Record<string, string> = { ...Object.fromEntries(defaults), ...given };
  const query = options.query ?? null;
  const now = new Date();
  requestCounter += 1;
  return {
    httpMethod: options.method,
    path: options.path,
    resource,
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]]))
      : null,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'localapi01',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      identity: anonymousIdentity('127.0.0.1', 'jest'),
      path: `/${stage}${options.path}`,
      stage,
      requestId: options.requestId ?? `request-${process.pid}-${requestCounter}`,
      requestTimeEpoch: now.getTime(),
      requestTime: now.toISOString(),
      resourceId: 'res001',
      resourcePath: resource,
    },
  };
}

/** A full Lambda `Context` for the `Pets` function. */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  requestCounter += 1;
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'Pets',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Pets',
    memoryLimitInMB: '256',
    awsRequestId: `invocation-${process.pid}-${requestCounter}`,
    logGroupName: '/aws/lambda/Pets',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
