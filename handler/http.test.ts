import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header, jsonBody, MAX_BODY_BYTES, stageBaseUrl } from './http';
import { apiGatewayEvent } from './test/events';

describe('header', () => {
  it('finds a header whatever its case', () => {
    const event = apiGatewayEvent({ method: 'GET', path: '/pets', headers: { 'X-Correlation-ID': 'abc' } });

    expect(header(event, 'x-correlation-id')).toBe('abc');
  });

  it('copes with API Gateway sending headers: null', () => {
    expect(header({ headers: null as unknown as Record<string, string> }, 'host')).toBeUndefined();
  });
});

describe('stageBaseUrl', () => {
  it.each([
    [
      'the local stage',
      { Host: '127.0.0.1:3000', 'X-Forwarded-Proto': 'http' },
      'default',
      'http://127.0.0.1:3000/default',
    ],
    [
      'localhost without a forwarded protocol',
      { host: 'localhost:4000' },
      'dev',
      'http://localhost:4000/dev',
    ],
    [
      'a deployed stage',
      { host: 'a1.execute-api.us-east-1.amazonaws.com', 'x-forwarded-proto': 'https' },
      'default',
      'https://a1.execute-api.us-east-1.amazonaws.com/default',
    ],
    [
      'a remote host without a forwarded protocol',
      { host: 'api.example.com' },
      'prod',
      'https://api.example.com/prod',
    ],
    // The forwarded protocol wins over the guess from the host, either way.
    [
      'a local host behind a TLS-terminating proxy',
      { host: 'localhost:3000', 'X-Forwarded-Proto': 'https' },
      'dev',
      'https://localhost:3000/dev',
    ],
    [
      'a remote host reached over plain HTTP',
      { host: 'api.example.com', 'x-forwarded-proto': 'http' },
      'prod',
      'http://api.example.com/prod',
    ],
  ])('builds the base of %s', (_what, headers, stage, expected) => {
    // Only the headers of the case: no default forwarded protocol from the factory.
    const event = { ...apiGatewayEvent({ method: 'GET', path: '/pets', stage }), headers };

    expect(stageBaseUrl(event)).toBe(expected);
  });

  it('falls back to the stage path without a Host header', () => {
    const event = { ...apiGatewayEvent({ method: 'GET', path: '/pets' }), headers: {} };

    expect(stageBaseUrl(event)).toBe('/default');
  });

  it('has no stage prefix when the event has no stage', () => {
    const base = apiGatewayEvent({ method: 'GET', path: '/pets' });
    const event = {
      ...base,
      headers: { host: 'h.example' },
      requestContext: { ...base.requestContext, stage: '' },
    };

    expect(stageBaseUrl(event)).toBe('https://h.example');
  });
});

describe('jsonBody', () => {
  const post = (body: string | null, headers: Record<string, string>, isBase64Encoded = false) =>
    apiGatewayEvent({ method: 'POST', path: '/pets', headers, body, isBase64Encoded });

  it('parses a JSON body', () => {
    expect(jsonBody(post('{"a":1}', { 'content-type': 'application/json' }))).toEqual({ a: 1 });
  });

  it.each([
    ['no body', null],
    ['malformed JSON', '{'],
    ['invalid UTF-8 once decoded', Buffer.from([0xff, 0xfe]).toString('base64')],
    // Valid JSON once a lenient decoder turns the stray byte into U+FFFD: only a strict one rejects it.
    [
      'invalid UTF-8 inside a JSON string',
      Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff]), Buffer.from('"}')]).toString('base64'),
    ],
  ])('rejects %s with a body field error', (_what, body) => {
    const event = post(body, { 'content-type': 'application/json' }, body !== null && body !== '{');

    expect(() => jsonBody(event)).toThrow(
      expect.objectContaining({
        name: 'InvalidRequest',
        errors: [expect.objectContaining({ field: 'body' })],
      }),
    );
  });

  it('checks the content type before anything else', () => {
    expect(() => jsonBody(post('x'.repeat(20_000), { 'content-type': 'text/plain' }))).toThrow(
      expect.objectContaining({ name: 'UnsupportedMediaType' }),
    );
  });
});

describe('stageBaseUrl without a forwarded protocol', () => {
  it.each([
    ['IPv6 loopback with a port', '[::1]:3000', 'http'],
    ['localhost without a port', 'localhost', 'http'],
    ['a loopback address with a five-digit port', '127.0.0.1:54321', 'http'],
    ['a host that ends like localhost', 'notlocalhost:3000', 'https'],
    ['a host that starts like a loopback address', '127.0.0.1.example.com', 'https'],
    ['a loopback address with a non-numeric port', '127.0.0.1:http', 'https'],
    ['a loopback address with an empty port', 'localhost:', 'https'],
  ])('uses %s: %s → %s', (_what, host, proto) => {
    const event = { ...apiGatewayEvent({ method: 'GET', path: '/pets', stage: 's' }), headers: { host } };

    expect(stageBaseUrl(event)).toBe(`${proto}://${host}/s`);
  });

  it('builds the base of an event without a request context (a direct invoke)', () => {
    const { requestContext: _dropped, ...event } = {
      ...apiGatewayEvent({ method: 'GET', path: '/pets' }),
      headers: { host: 'localhost:3000' },
    };

    expect(stageBaseUrl(event as unknown as APIGatewayProxyEvent)).toBe('http://localhost:3000');
  });
});

describe('jsonBody content types', () => {
  const withType = (contentType: string) =>
    apiGatewayEvent({ method: 'POST', path: '/pets', headers: { 'content-type': contentType }, body: '{}' });

  it.each([
    ['application/json ; charset=utf-8'],
    ['application/json\t;charset=utf-8'],
    ['APPLICATION/JSON'],
    // A direct invoke's event is not trimmed by an HTTP parser.
    [' application/json'],
  ])('accepts %p', (contentType) => {
    expect(jsonBody(withType(contentType))).toEqual({});
  });

  it.each([
    ['text/application/json'],
    ['application/json-patch+json'],
    ['application/json charset=utf-8'],
    ['application/jsonx; charset=utf-8'],
  ])('answers 415 for %p', (contentType) => {
    expect(() => jsonBody(withType(contentType))).toThrow(
      expect.objectContaining({
        name: 'UnsupportedMediaType',
        message: 'content-type must be application/json',
      }),
    );
  });
});

describe('body size and JSON errors say why', () => {
  it('names the size of a body over the limit', () => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/pets',
      headers: { 'content-type': 'application/json' },
      body: ' '.repeat(MAX_BODY_BYTES + 1),
    });

    expect(() => jsonBody(event)).toThrow(
      expect.objectContaining({
        name: 'PayloadTooLarge',
        message: `body is ${MAX_BODY_BYTES + 1} bytes; at most ${MAX_BODY_BYTES} are accepted`,
      }),
    );
  });

  it('says a malformed body must be valid JSON', () => {
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/pets',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });

    expect(() => jsonBody(event)).toThrow(
      expect.objectContaining({
        message: 'Malformed JSON body',
        errors: [{ field: 'body', message: 'must be valid JSON' }],
      }),
    );
  });
});

describe('header with an undefined value', () => {
  it('skips a name whose value is undefined and finds the next one', () => {
    const headers = { Host: undefined, host: 'h.example' } as unknown as Record<string, string>;

    expect(header({ headers }, 'host')).toBe('h.example');
  });
});
