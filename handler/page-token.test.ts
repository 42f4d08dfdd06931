import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodePageToken, encodePageToken, MAX_TOKEN_LENGTH, type PageKey } from './page-token';

function rejection(token: string, type: string | undefined) {
  return () => decodePageToken(token, type);
}

const nextTokenError = expect.objectContaining({
  errors: [expect.objectContaining({ field: 'nextToken' })],
});

/** Signs a payload the way the handler does, to build tokens the API would never issue. */
function signed(payload: string): string {
  const body = Buffer.from(payload).toString('base64url');
  return `${body}.${createHash('sha256').update(`pets-page:${body}`).digest('base64url').slice(0, 16)}`;
}

describe('page tokens', () => {
  it.each<[PageKey, string | undefined]>([
    [{ id: 1 }, undefined],
    [{ id: Number.MAX_SAFE_INTEGER }, undefined],
    [{ id: 5, type: 'dog' }, 'dog'],
    [{ id: 5, type: 'chien de berger 🐕' }, 'chien de berger 🐕'],
  ])('round-trips %p for type %p', (key, type) => {
    const token = encodePageToken(key, type);

    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/u);
    expect(decodePageToken(token, type)).toEqual(key);
  });

  it('accepts a type-query key whatever the order of its attributes (DynamoDB promises none)', () => {
    const key = { type: 'dog', id: 5 };

    expect(decodePageToken(encodePageToken(key, 'dog'), 'dog')).toEqual({ id: 5, type: 'dog' });
  });

  it('round-trips any key of a type query', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1 }),
        (id, type) => {
          expect(decodePageToken(encodePageToken({ id, type }, type), type)).toEqual({ id, type });
        },
      ),
    );
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty token', ''],
    ['a lone dot', '.'],
    ['three parts', 'a.b.c'],
    ['a token over the length limit', `${'a'.repeat(MAX_TOKEN_LENGTH)}.x`],
  ])('rejects %s', (_what, token) => {
    expect(rejection(token, undefined)).toThrow(nextTokenError);
  });

  it('rejects a token whose payload was edited', () => {
    const [payload, mac] = encodePageToken({ id: 3 }, undefined).split('.');
    const edited = Buffer.from(JSON.stringify({ v: 1, q: '', k: { id: 4 } })).toString('base64url');

    expect(payload).not.toBe(edited);
    expect(rejection(`${edited}.${mac}`, undefined)).toThrow(nextTokenError);
  });

  it.each([
    ['a scan token used with a type', encodePageToken({ id: 3 }, undefined), 'dog'],
    ['a dog token used with cat', encodePageToken({ id: 3, type: 'dog' }, 'dog'), 'cat'],
    ['a dog token used without a type', encodePageToken({ id: 3, type: 'dog' }, 'dog'), undefined],
  ])('rejects %s', (_what, token, type) => {
    expect(rejection(token, type)).toThrow(expect.objectContaining({ message: 'Invalid nextToken' }));
  });

  it.each([
    ['not JSON', null],
    ['JSON null', 'null'],
    ['another version', { v: 2, q: '', k: { id: 1 } }],
    ['a missing key', { v: 1, q: '' }],
    ['a null key', { v: 1, q: '', k: null }],
    ['a non-string query', { v: 1, q: 5, k: { id: 1 } }],
    ['a string id', { v: 1, q: '', k: { id: '1' } }],
    ['a zero id', { v: 1, q: '', k: { id: 0 } }],
    ['an unsafe id', { v: 1, q: '', k: { id: 2 ** 60 } }],
    ['an extra key attribute', { v: 1, q: '', k: { id: 1, breed: 'x' } }],
    ['a type in a scan key', { v: 1, q: '', k: { id: 1, type: 'dog' } }],
  ])('rejects a well-signed token with %s', (_what, payload) => {
    const text =
      payload === null ? '{not json' : typeof payload === 'string' ? payload : JSON.stringify(payload);

    expect(rejection(signed(text), undefined)).toThrow(nextTokenError);
  });

  it.each([
    ['a key without the type', { v: 1, q: 'dog', k: { id: 1 } }],
    ['a key of another type', { v: 1, q: 'dog', k: { id: 1, type: 'cat' } }],
  ])('rejects a well-signed type-query token with %s', (_what, payload) => {
    expect(rejection(signed(JSON.stringify(payload)), 'dog')).toThrow(nextTokenError);
  });

  it('signs the way the test helper does, so the rejections above are about content, not the digest', () => {
    expect(signed(JSON.stringify({ v: 1, q: '', k: { id: 1 } }))).toBe(encodePageToken({ id: 1 }, undefined));
  });
});

describe('page token rejections say why', () => {
  const errorMessage = (message: string) =>
    expect.objectContaining({ errors: [{ field: 'nextToken', message }] });

  it.each([
    ['garbage', 'garbage'],
    ['a well-formed token with a third part', `${encodePageToken({ id: 1 }, undefined)}.extra`],
    ['a digest with no payload', `.${encodePageToken({ id: 1 }, undefined).split('.')[1]}`],
    ['a signed payload that is not JSON', signed('{not json')],
  ])('%s is not a token this API issued', (_what, token) => {
    expect(rejection(token, undefined)).toThrow(errorMessage('is not a token this API issued'));
  });

  it.each([
    ['another version', { v: 2, q: '', k: { id: 1 } }],
    ['a non-string query', { v: 1, q: 5, k: { id: 1 } }],
    ['a non-object key', { v: 1, q: '', k: 'id' }],
    ['an unsafe id', { v: 1, q: '', k: { id: 2 ** 60 } }],
  ])('a signed token with %s has an unknown format', (_what, payload) => {
    expect(rejection(signed(JSON.stringify(payload)), undefined)).toThrow(
      errorMessage('has an unknown format'),
    );
  });

  it('a token of another query belongs to a different query', () => {
    expect(rejection(encodePageToken({ id: 3, type: 'dog' }, 'dog'), 'cat')).toThrow(
      errorMessage('belongs to a different query'),
    );
  });
});

describe('page token length limit', () => {
  /** A genuine type-query token of exactly `length` characters (the type's length and the id's digits adjust it). */
  function genuineTokenOfLength(length: number): { token: string; type: string } {
    for (let typeLength = 1; typeLength < length; typeLength++) {
      for (const id of [1, 12, 123]) {
        const type = 't'.repeat(typeLength);
        const token = encodePageToken({ id, type }, type);
        if (token.length === length) return { token, type };
      }
    }
    throw new Error(`no token of length ${length}`);
  }

  it('accepts a genuine token of exactly the maximum length', () => {
    const { token, type } = genuineTokenOfLength(MAX_TOKEN_LENGTH);

    expect(decodePageToken(token, type)).toEqual(expect.objectContaining({ type }));
  });

  it('rejects a genuine token one character over the maximum length', () => {
    const { token, type } = genuineTokenOfLength(MAX_TOKEN_LENGTH + 1);

    expect(rejection(token, type)).toThrow(nextTokenError);
  });
});
