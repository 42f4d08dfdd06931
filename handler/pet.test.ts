import { describe, expect, it } from '@jest/globals';
import {
  codePointLength,
  InvalidPet,
  newPetErrors,
  PetAlreadyExists,
  PetNotFound,
  parseNewPet,
  parsePetId,
} from './pet';

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
    ['a price string of one million', { ...VALID, price: '1000000' }],
    ['a price string of one million with one decimal', { ...VALID, price: '1000000.0' }],
    ['a price with two decimals', { ...VALID, price: 0.07 }],
    ['a price with one decimal string', { ...VALID, price: '0.5' }],
    ['50 characters of type', { ...VALID, type: 'd'.repeat(50) }],
    ['50 emoji of type (100 UTF-16 units, 50 code points)', { ...VALID, type: '🐶'.repeat(50) }],
    ['100 characters of breed', { ...VALID, breed: 'b'.repeat(100) }],
    ['text with surrounding spaces', { ...VALID, type: '  dog  ' }],
  ])('accepts %s', (_what, body) => {
    expect(newPetErrors(body)).toEqual([]);
  });

  const ID_RANGE = `must be between 1 and ${Number.MAX_SAFE_INTEGER}`;
  const ID_STRING = 'must be a positive integer of at most 15 digits';
  const ID_TYPE = 'must be an integer or a numeric string';
  const PRICE_RANGE = 'must be between 0 and 1000000';
  const PRICE_DECIMALS = 'must have at most two decimals';
  const PRICE_STRING = 'must be a decimal string from 0 to 1000000 with at most two decimals';
  const PRICE_TYPE = 'must be a number or a numeric string';

  it.each([
    ['id', 0, ID_RANGE],
    ['id', -1, ID_RANGE],
    ['id', 1.5, 'must be an integer'],
    ['id', Number.MAX_SAFE_INTEGER + 1, ID_RANGE],
    ['id', '0', ID_STRING],
    ['id', '01', ID_STRING],
    ['id', '1.0', ID_STRING],
    ['id', '1e3', ID_STRING],
    ['id', ' 1', ID_STRING],
    ['id', '1234567890123456', ID_STRING],
    ['id', true, ID_TYPE],
    ['id', null, ID_TYPE],
    ['id', [1], ID_TYPE],
    ['type', '', 'must be 1 to 50 characters long'],
    ['type', '   ', 'must not be blank'],
    ['type', '\n\t', 'must not be blank'],
    ['type', 'd'.repeat(51), 'must be 1 to 50 characters long'],
    ['type', '🐶'.repeat(51), 'must be 1 to 50 characters long'],
    ['type', 5, 'must be a string'],
    ['type', null, 'must be a string'],
    ['breed', '', 'must be 1 to 100 characters long'],
    ['breed', 'b'.repeat(101), 'must be 1 to 100 characters long'],
    ['breed', { name: 'x' }, 'must be a string'],
    ['price', -0.01, PRICE_RANGE],
    ['price', -1, PRICE_RANGE],
    ['price', 1_000_000.01, PRICE_RANGE],
    // JSON.parse reads 1e999 and -1e999 as ±Infinity.
    ['price', JSON.parse('1e999') as number, PRICE_RANGE],
    ['price', JSON.parse('-1e999') as number, PRICE_RANGE],
    ['price', 0.001, PRICE_DECIMALS],
    ['price', 0.1 + 0.2, PRICE_DECIMALS],
    ['price', 1e-7, PRICE_DECIMALS],
    ['price', '12.345', PRICE_STRING],
    ['price', '-1', PRICE_STRING],
    ['price', '01.5', PRICE_STRING],
    ['price', '1000000.01', PRICE_STRING],
    ['price', '21000000', PRICE_STRING],
    ['price', '11000000.00', PRICE_STRING],
    ['price', '1e3', PRICE_STRING],
    ['price', '.5', PRICE_STRING],
    ['price', '5.', PRICE_STRING],
    ['price', '', PRICE_STRING],
    ['price', false, PRICE_TYPE],
    ['price', null, PRICE_TYPE],
  ])('rejects %s = %p: %s', (field, value, message) => {
    expect(newPetErrors({ ...VALID, [field]: value })).toEqual([{ field, message }]);
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
    'rejects %p naming the id field and its range',
    (value) => {
      expect(() => parsePetId(value)).toThrow(
        expect.objectContaining({
          name: 'InvalidRequest',
          message: 'Invalid pet id',
          errors: [{ field: 'id', message: `must be an integer between 1 and ${Number.MAX_SAFE_INTEGER}` }],
        }),
      );
    },
  );
});

describe('the pet errors', () => {
  it.each([
    [new InvalidPet([]), 'InvalidPet', 'Invalid pet'],
    [new PetNotFound(7), 'PetNotFound', 'Pet 7 not found'],
    [new PetAlreadyExists(7), 'PetAlreadyExists', 'Pet 7 already exists'],
  ])('%p names itself and says which pet', (error, name, message) => {
    expect(error).toBeInstanceOf(Error);
    expect({ name: error.name, message: error.message }).toEqual({ name, message });
  });
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
