import { operations } from '../../contract/spec';
import { createRouter, preflightHeaders } from './routes';

describe('createRouter', () => {
  const router = createRouter();

  it('matches every operation of the contract', () => {
    for (const operation of operations()) {
      const path = operation.resource.replace(/\{[^}]+\}/gu, '42');
      expect(router.match(operation.method, path)).toMatchObject({ kind: 'operation', operation });
    }
  });

  it('gives decoded path parameters', () => {
    expect(router.match('GET', '/pets/a%20b')).toMatchObject({ pathParameters: { id: 'a b' } });
  });

  it.each([
    ['an unknown path', 'GET', '/cats'],
    ['a method the resource does not have', 'PUT', '/pets'],
    ['a path deeper than any resource', 'GET', '/pets/1/toys'],
  ])('answers %s as missing (403 on API Gateway)', (_name, method, path) => {
    expect(router.match(method, path)).toEqual({ kind: 'missing' });
  });

  it('treats OPTIONS on a known resource as the CORS preflight', () => {
    expect(router.match('OPTIONS', '/pets/7')).toEqual({ kind: 'preflight', resource: '/pets/{id}' });
  });

  it('prefers a literal segment over a path parameter', () => {
    const custom = createRouter([
      { method: 'GET', resource: '/pets/{id}' },
      { method: 'GET', resource: '/pets/mine' },
    ]);
    expect(custom.match('GET', '/pets/mine')).toMatchObject({ resource: '/pets/mine' });
  });

  it('answers OPTIONS as missing on a resource without a MOCK preflight, when the template lists them', () => {
    const custom = createRouter([{ method: 'GET', resource: '/pets' }], new Set<string>());
    expect(custom.match('OPTIONS', '/pets')).toEqual({ kind: 'missing' });
  });
});

describe('preflightHeaders', () => {
  const cors = {
    allowOrigins: ['https://a.example', 'https://b.example'],
    allowMethods: ['GET', 'OPTIONS'],
    allowHeaders: ['content-type'],
    exposeHeaders: [],
    maxAgeSeconds: 60,
  };

  it('answers a wildcard origin from the contract', () => {
    expect(preflightHeaders('https://x.example')).toMatchObject({ 'Access-Control-Allow-Origin': '*' });
  });

  it('echoes a listed origin and falls back to the first one otherwise', () => {
    expect(preflightHeaders('https://b.example', cors)['Access-Control-Allow-Origin']).toBe(
      'https://b.example',
    );
    expect(preflightHeaders('https://evil.example', cors)['Access-Control-Allow-Origin']).toBe(
      'https://a.example',
    );
  });
});
