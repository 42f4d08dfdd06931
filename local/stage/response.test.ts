import { gatewayError, mapProxyResult, withGatewayHeaders } from './response';

function headerValues(headers: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < headers.length; i += 2)
    if (headers[i]?.toLowerCase() === name) values.push(headers[i + 1] ?? '');
  return values;
}

describe('mapProxyResult', () => {
  it('maps status, headers and body of a well-formed result', () => {
    const mapped = mapProxyResult({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(mapped).toEqual({
      ok: true,
      answer: {
        statusCode: 201,
        headers: ['content-type', 'application/json'],
        body: Buffer.from('{"a":1}'),
      },
    });
  });

  it('merges headers and multiValueHeaders, the multi-value list winning for a name in both', () => {
    const mapped = mapProxyResult({
      statusCode: 200,
      headers: { 'x-single': 'one', 'X-Both': 'from-headers' },
      multiValueHeaders: { 'x-multi': ['a', 'b'], 'x-both': ['from-multi'] },
      body: '',
    });
    expect.assertions(3);
    if (mapped.ok) {
      expect(headerValues(mapped.answer.headers, 'x-multi')).toEqual(['a', 'b']);
      expect(headerValues(mapped.answer.headers, 'x-both')).toEqual(['from-multi']);
      expect(headerValues(mapped.answer.headers, 'x-single')).toEqual(['one']);
    }
  });

  it('decodes a base64 body when isBase64Encoded is true', () => {
    const mapped = mapProxyResult({
      statusCode: 200,
      body: Buffer.from([1, 2, 255]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(mapped.ok && mapped.answer.body).toEqual(Buffer.from([1, 2, 255]));
  });

  it('accepts a result without a body as an empty answer', () => {
    const mapped = mapProxyResult({ statusCode: 204 });
    expect(mapped.ok && mapped.answer.body.byteLength).toBe(0);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [1]],
    ['no statusCode', { body: '{}' }],
    ['a statusCode that is not a status', { statusCode: 'ok', body: '' }],
    ['a body that is an object', { statusCode: 200, body: { a: 1 } }],
    ['an unknown field', { statusCode: 200, body: '', extra: true }],
    ['headers that are not an object', { statusCode: 200, headers: 'x', body: '' }],
    ['a header value that is an object', { statusCode: 200, headers: { a: { b: 1 } }, body: '' }],
    ['multiValueHeaders that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' }, body: '' }],
    ['isBase64Encoded that is not a boolean', { statusCode: 200, body: '', isBase64Encoded: 'yes' }],
  ])('rejects %s as malformed', (_name, result) => {
    expect(mapProxyResult(result).ok).toBe(false);
  });
});

describe('gateway answers', () => {
  it.each([
    ['missingAuthenticationToken', 403, 'Missing Authentication Token'],
    ['requestTooLarge', 413, 'Request Too Long'],
    ['invocationRejected', 500, 'Internal server error'],
    ['functionError', 502, 'Internal server error'],
    ['integrationTimeout', 504, 'Endpoint request timed out'],
  ] as const)('answers %s with %i and {"message": "%s"}', (name, status, message) => {
    const answer = gatewayError(name);
    expect(answer.statusCode).toBe(status);
    expect(JSON.parse(answer.body.toString())).toEqual({ message });
    expect(headerValues(answer.headers, 'content-type')).toEqual(['application/json']);
  });

  it('adds the request id headers and a JSON content type only when the function set none', () => {
    const answer = withGatewayHeaders(
      { statusCode: 200, headers: ['Content-Type', 'text/plain'], body: Buffer.alloc(0) },
      { requestId: 'r-1', apigwId: 'g-1' },
    );
    expect(headerValues(answer.headers, 'content-type')).toEqual(['text/plain']);
    expect(headerValues(answer.headers, 'x-amzn-requestid')).toEqual(['r-1']);
    expect(headerValues(answer.headers, 'x-amz-apigw-id')).toEqual(['g-1']);
  });
});
