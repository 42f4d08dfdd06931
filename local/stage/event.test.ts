import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  buildProxyEvent,
  formatRequestTime,
  type GatewayContext,
  type GatewayRequest,
  isBinaryContentType,
} from './event';

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    path: '/pets/3',
    query: '',
    rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'jest', 'Accept', 'a', 'accept', 'b'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    port: 3000,
    protocol: 'HTTP/1.1',
    ...overrides,
  };
}

const context: GatewayContext = {
  stage: 'default',
  resource: '/pets/{id}',
  pathParameters: { id: '3' },
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  requestTimeEpoch: Date.UTC(2026, 10, 23, 22, 4, 5),
  traceId: 'Root=1-6b04be9f-000000000000000000000000;Sampled=0',
  apiId: 'abc123',
  accountId: '000000000000',
  resourceId: 'r1',
};

describe('buildProxyEvent', () => {
  it('builds a v1 proxy event with the path without the stage and the request context with it', () => {
    const event: APIGatewayProxyEvent = buildProxyEvent(request(), context);
    expect(event).toMatchObject({
      resource: '/pets/{id}',
      path: '/pets/3',
      httpMethod: 'GET',
      pathParameters: { id: '3' },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
    expect(event.requestContext).toMatchObject({
      stage: 'default',
      path: '/default/pets/3',
      resourcePath: '/pets/{id}',
      httpMethod: 'GET',
      requestId: context.requestId,
      requestTimeEpoch: context.requestTimeEpoch,
      requestTime: '23/Nov/2026:22:04:05 +0000',
      apiId: 'abc123',
      accountId: '000000000000',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'jest' },
    });
  });

  it('keeps every value of a repeated header in multiValueHeaders and the last one in headers', () => {
    const event = buildProxyEvent(request(), context);
    expect(event.multiValueHeaders.Accept).toEqual(['a', 'b']);
    expect(event.headers.Accept).toBe('b');
    expect(event.headers.Host).toBe('127.0.0.1:3000');
  });

  it('adds the headers API Gateway adds: forwarded for, proto, port and the trace id', () => {
    const event = buildProxyEvent(
      request({ rawHeaders: ['Host', 'h', 'X-Forwarded-For', '10.0.0.9'], sourceIp: '127.0.0.1' }),
      context,
    );
    expect(event.headers).toMatchObject({
      'X-Forwarded-For': '10.0.0.9, 127.0.0.1',
      'X-Forwarded-Proto': 'http',
      'X-Forwarded-Port': '3000',
      'X-Amzn-Trace-Id': context.traceId,
    });
  });

  it.each([
    ['limit=2&type=dog', { limit: '2', type: 'dog' }, { limit: ['2'], type: ['dog'] }],
    ['type=dog&type=cat', { type: 'cat' }, { type: ['dog', 'cat'] }],
    ['q=a%20b&flag', { q: 'a b', flag: '' }, { q: ['a b'], flag: [''] }],
  ])('parses the query %s keeping the last value in queryStringParameters', (query, single, multi) => {
    const event = buildProxyEvent(request({ query }), context);
    expect(event.queryStringParameters).toEqual(single);
    expect(event.multiValueQueryStringParameters).toEqual(multi);
  });

  it('passes a JSON body as text', () => {
    const event = buildProxyEvent(
      request({
        method: 'POST',
        rawHeaders: ['content-type', 'application/json'],
        body: Buffer.from('{"id":1}'),
      }),
      context,
    );
    expect(event.body).toBe('{"id":1}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('passes a binary body base64-encoded with isBase64Encoded true', () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const event = buildProxyEvent(
      request({ method: 'POST', rawHeaders: ['Content-Type', 'image/png'], body: bytes }),
      context,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });
});

describe('isBinaryContentType', () => {
  it.each([
    ['application/json', false],
    ['application/json; charset=utf-8', false],
    ['application/problem+json', false],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    [undefined, false],
    ['image/png', true],
    ['application/octet-stream', true],
  ])('treats %s as binary: %s', (contentType, binary) => {
    expect(isBinaryContentType(contentType)).toBe(binary);
  });
});

describe('formatRequestTime', () => {
  it('writes the CLF-like time API Gateway puts in requestTime', () => {
    expect(formatRequestTime(Date.UTC(2015, 3, 9, 12, 34, 56))).toBe('09/Apr/2015:12:34:56 +0000');
  });
});
