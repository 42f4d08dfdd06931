import { describe, expect, it } from '@jest/globals';
import { corsSettings } from '../contract/spec';
import { CORS, corsHeaders } from './cors';

describe('CORS', () => {
  it('uses exactly the origins and exposed headers of the spec’s x-cors block', () => {
    const spec = corsSettings();

    expect(CORS.allowOrigins).toEqual(spec.allowOrigins);
    expect(CORS.exposeHeaders).toEqual(spec.exposeHeaders);
  });

  it('allows any origin when the spec says *', () => {
    expect(corsHeaders('https://example.com')).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'link, location, retry-after, x-correlation-id',
    });
  });

  it.each([
    [
      'a listed origin',
      'https://a.example',
      { 'access-control-allow-origin': 'https://a.example', vary: 'origin' },
    ],
    ['an unlisted origin', 'https://evil.example', { vary: 'origin' }],
    ['no origin', undefined, { vary: 'origin' }],
  ])('with a list of origins, answers %s', (_what, origin, expected) => {
    expect(corsHeaders(origin, ['https://a.example'])).toEqual(expect.objectContaining(expected));
    if (!('access-control-allow-origin' in expected)) {
      expect(corsHeaders(origin, ['https://a.example'])).not.toHaveProperty('access-control-allow-origin');
    }
  });
});
