import { describe, expect, it } from '@jest/globals';
import { header, jsonBody, stageBaseUrl } from './http';
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
