import { describe, expect, it } from '@jest/globals';
import { codePointLength, InvalidPet, newPetErrors, parseNewPet, parsePetId } from './pet';

const VALID = { id: 1, type: 'dog', breed: 'beagle', price: 10 };

describe('newPetErrors', () => {
  it.each([
    ['the smallest pet', VALID],
    ['numeric strings for id and price', { ...VALID, id: '15', price: '12.34' }],
    ['the largest safe integer id', { ...VALID, id: Number.MAX_SAFE_INTEGER }],
    ['a 15-digit id string', { ...VALID, id: '999999999999999' }],
    ['a price of zero', { ...VALID, price: 0 }],
    ['a price of one million', { ...VALID, price: 1_000_000 }],
    ['a price string of one million with cents', { ...VALID, price: '1000000.00' }],
    ['a price with two decimals', { ...VALID, price: 0.07 }],
    ['a price with one decimal string', { ...VALID, price: '0.5' }],
    ['50 characters of type', { ...VALID, type: 'd'.repeat(50) }],
    ['50 emoji of type (100 UTF-16 units, 50 code points)', { ...VALID, type: '🐶'.repeat(50) }],
    ['100 characters of breed', { ...VALID, breed: 'b'.repeat(100) }],
    ['text with surrounding spaces', { ...VALID, type: '  dog  ' }],
  ])('accepts %s', (_what, body) => {
    expect(newPetErrors(body)).toEqual([]);
  });

  it.each([
    ['id', 0],
    ['id', -1],
    ['id', 1.5],
    ['id', Number.MAX_SAFE_INTEGER + 1],
    ['id', '0'],
    ['id', '01'],
    ['id', '1.0'],
    ['id', '1e3'],
    ['id', ' 1'],
    ['id', '1234567890123456'],
    ['id', true],
    ['id', null],
    ['id', [1]],
    ['type', ''],
    ['type', '   '],
    ['type', '\n\t'],
    ['type', 'd'.repeat(51)],
    ['type', '🐶'.repeat(51)],
    ['type', 5],
    ['type', null],
    ['breed', ''],
    ['breed', 'b'.repeat(101)],
    ['breed', { name: 'x' }],
    ['price', -0.01],
    ['price', 1_000_000.01],
    ['price', 0.001],
    ['price', 0.1 + 0.2],
    ['price', 1e-7],
    ['price', '12.345'],
    ['price', '-1'],
    ['price', '01.5'],
    ['price', '1000000.01'],
    ['price', '1e3'],
    ['price', '.5'],
    ['price', '5.'],
    ['price', ''],
    ['price', false],
    ['price', null],
  ])('rejects %s = %p and names the field', (field, value) => {
    expect(newPetErrors({ ...VALID, [field]: value })).toEqual([{ field, message: expect.any(String) }]);
  });

  it('lists every missing field', () => {
    expect(newPetErrors({}).map((error) => [error.field, error.message])).toEqual([
      ['id', 'is required'],
      ['type', 'is required'],
      ['breed', 'is required'],
      ['price', 'is required'],
    ]);
  });

  it('lists every unknown field', () => {
    expect(newPetErrors({ ...VALID, color: 'red', __proto__x: 1 }).map((error) => error.field)).toEqual([
      'color',
      '__proto__x',
    ]);
  });

  it('treats an own __proto__ key from JSON as an unknown field', () => {
    expect(newPetErrors(JSON.parse('{"id":1,"type":"dog","breed":"b","price":1,"__proto__":{}}'))).toEqual([
      { field: '__proto__', message: 'is not allowed' },
    ]);
  });

  it.each([[null], [[]], ['text'], [42], [true]])('rejects the non-object body %p as a whole', (body) => {
    expect(newPetErrors(body)).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
  });
});

describe('parseNewPet', () => {
  it('stores numeric strings as numbers and text trimmed', () => {
    expect(parseNewPet({ id: '12', type: ' cat\t', breed: '\nsiamese ', price: '3.50' })).toEqual({
      id: 12,
      type: 'cat',
      breed: 'siamese',
      price: 3.5,
    });
  });

  it('throws InvalidPet carrying the field errors', () => {
    expect(() => parseNewPet({ ...VALID, price: 'free' })).toThrow(InvalidPet);
    expect(() => parseNewPet({ ...VALID, price: 'free' })).toThrow(
      expect.objectContaining({ errors: [{ field: 'price', message: expect.any(String) }] }),
    );
  });
});

describe('parsePetId', () => {
  it.each([
    ['1', 1],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %s as %d', (value, id) => {
    expect(parsePetId(value)).toBe(id);
  });

  it.each([[undefined], [''], ['0'], ['007'], ['9007199254740992'], ['99999999999999999'], ['1e3'], ['x']])(
    'rejects %p naming the id field',
    (value) => {
      expect(() => parsePetId(value)).toThrow(
        expect.objectContaining({ errors: [expect.objectContaining({ field: 'id' })] }),
      );
    },
  );
});

describe('codePointLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['🐶', 1],
    ['e\u0301', 2],
    ['\ud800', 1],
  ])('counts %p as %d code points', (text, length) => {
    expect(codePointLength(text)).toBe(length);
  });
});
