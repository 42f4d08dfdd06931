import { describe, expect, it } from '@jest/globals';
import type { ErrorObject } from 'ajv';
import fc from 'fast-check';
import { newPetErrors } from '../handler/testing';
import { MULTIPLE_OF_PRECISION, specAjv } from './response-check';

/**
 * The handler's validation (handler/pet.ts) and the spec's NewPet schema give the same verdict,
 * and name the same failing fields, for the same bodies.
 *
 * One known gap, by design: `multipleOf: 0.01` is exact in JSON Schema, but ajv divides floats and
 * needs a tolerance (multipleOfPrecision = 6, i.e. within 1e-6 of a whole cent). The handler uses the
 * exact rule (the number's shortest decimal has at most two decimals). They can only differ for
 * numbers within 1e-6 cents of a cent without being on it (0.1 + 0.2 = 0.30000000000000004,
 * 12.3400000001); the generated prices below stay out of that band, and the last test pins the gap.
 */
const validateNewPet = (() => {
  const validate = specAjv().getSchema('spec.json#/components/schemas/NewPet');
  if (!validate) throw new Error('the spec has no NewPet schema');
  return validate;
})();

function schemaFields(body: unknown): string[] {
  if (validateNewPet(body)) return [];
  const fields = (validateNewPet.errors ?? []).map((error: ErrorObject) => {
    if (error.keyword === 'required') return String(error.params.missingProperty);
    if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
    const [, top] = error.instancePath.split('/');
    return top ? top.replaceAll('~1', '/').replaceAll('~0', '~') : 'body';
  });
  return [...new Set(fields)].sort();
}

function handlerFields(body: unknown): string[] {
  return [...new Set(newPetErrors(body).map((error) => error.field))].sort();
}

/** Distance, in cents, from the nearest whole cent, as ajv computes it. */
function centOffset(price: number): number {
  const cents = price / 0.01;
  return Math.abs(Math.round(cents) - cents);
}
const inToleranceBand = (price: number) => {
  const offset = centOffset(price);
  return (
    offset > 0 && offset <= 10 ** -MULTIPLE_OF_PRECISION && !/^-?[0-9]+(\.[0-9]{1,2})?$/u.test(String(price))
  );
};

const whitespace = fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2003', '\ufeff', '\u200b', '\r');
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength: maxLength + 2 }),
    fc.string({ unit: 'grapheme', maxLength: maxLength + 2 }),
    fc.string({ unit: 'binary', minLength: maxLength - 2, maxLength: maxLength + 2 }),
    fc.string({ unit: whitespace, maxLength: 4 }),
    fc.jsonValue(),
  );
const prices = fc.oneof(
  fc.integer({ min: -200, max: 100_000_200 }).map((cents) => cents / 100),
  fc.integer({ min: -2000, max: 1_000_002_000 }).map((mills) => mills / 1000),
  fc.double({ min: -10, max: 2_000_000, noNaN: true, noDefaultInfinity: true }),
  fc.stringMatching(/^-?[0-9]{1,8}(\.[0-9]{0,3})?$/u),
  fc.jsonValue(),
);
const ids = fc.oneof(
  fc.integer({ min: -5, max: 100 }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1.5, 1e300, 0),
  fc.stringMatching(/^-?[0-9]{0,17}(\.[0-9])?$/u),
  fc.jsonValue(),
);
const bodies = fc.oneof(
  fc.record(
    { id: ids, type: text(50), breed: text(100), price: prices, extra: fc.jsonValue() },
    { requiredKeys: ['id', 'type', 'breed', 'price'] },
  ),
  fc.record({ id: ids, type: text(50), breed: text(100), price: prices }, { requiredKeys: [] }),
  fc.jsonValue(),
);
const wellDefined = (body: unknown) =>
  !(
    typeof body === 'object' &&
    body !== null &&
    'price' in body &&
    typeof body.price === 'number' &&
    inToleranceBand(body.price)
  );

describe('NewPet (spec) and the handler’s validation', () => {
  it('agree on arbitrary bodies, field by field', () => {
    fc.assert(
      fc.property(bodies.filter(wellDefined), (body) => {
        expect(handlerFields(body)).toEqual(schemaFields(body));
      }),
      { numRuns: 3000 },
    );
  });

  const base = { id: 1, type: 'dog', breed: 'beagle', price: 1 };
  it.each<[string, unknown]>([
    ['a valid pet', base],
    ['numeric strings', { ...base, id: '42', price: '42.10' }],
    ['the largest id', { ...base, id: Number.MAX_SAFE_INTEGER }],
    ['one past the largest id', { ...base, id: Number.MAX_SAFE_INTEGER + 1 }],
    ['a 15-digit id string', { ...base, id: '999999999999999' }],
    ['a 16-digit id string', { ...base, id: '1000000000000000' }],
    ['an id of 1.0 (parsed as 1)', JSON.parse('{"id":1.0,"type":"dog","breed":"b","price":1}')],
    ['an id in exponent form (parsed as 100)', JSON.parse('{"id":1e2,"type":"dog","breed":"b","price":1}')],
    ['an id string in exponent form', { ...base, id: '1e2' }],
    ['50 emoji (100 UTF-16 units)', { ...base, type: '🐕'.repeat(50) }],
    ['51 emoji', { ...base, type: '🐕'.repeat(51) }],
    ['26 emoji (52 UTF-16 units)', { ...base, type: '🐕'.repeat(26) }],
    ['a lone surrogate', { ...base, breed: '\ud800' }],
    ['a combining accent (2 code points)', { ...base, type: `${'e\u0301'.repeat(25)}` }],
    ['a combining accent over the limit', { ...base, type: `${'e\u0301'.repeat(25)}x` }],
    ['whitespace only', { ...base, type: ' \t\n' }],
    ['a no-break space only', { ...base, type: '\u00a0' }],
    ['a BOM only', { ...base, type: '\ufeff' }],
    ['a zero-width space only (not whitespace)', { ...base, type: '\u200b' }],
    ['a padded type', { ...base, type: '  dog  ' }],
    ['a price of 0.07', { ...base, price: 0.07 }],
    ['a price of 0.015', { ...base, price: 0.015 }],
    ['a price of 999999.99', { ...base, price: 999999.99 }],
    ['a price of 1000000', { ...base, price: 1_000_000 }],
    ['a price of 1000000.01', { ...base, price: 1_000_000.01 }],
    ['a price of -0', { ...base, price: -0 }],
    ['a price of -0.01', { ...base, price: -0.01 }],
    ['a price of 1e-7', { ...base, price: 1e-7 }],
    ['a price string 1000000.00', { ...base, price: '1000000.00' }],
    ['a price string 1000000.000', { ...base, price: '1000000.000' }],
    ['a price string 00.5', { ...base, price: '00.5' }],
    ['a price string with spaces', { ...base, price: ' 1' }],
    ['every field missing', {}],
    ['every field wrong and one extra', { id: 'x', type: 1, breed: null, price: [], color: 'red' }],
    ['an own __proto__ key', JSON.parse('{"id":1,"type":"dog","breed":"b","price":1,"__proto__":{}}')],
    ['an array', [base]],
    ['null', null],
    ['a string', 'pet'],
  ])('agree on %s', (_what, body) => {
    expect(handlerFields(body)).toEqual(schemaFields(body));
  });

  it.each([[0.1 + 0.2], [12.3400000001]])(
    'differ only inside ajv’s float tolerance: %p is accepted by the schema check, rejected by the handler',
    (price) => {
      expect(inToleranceBand(price)).toBe(true);
      expect(schemaFields({ ...base, price })).toEqual([]);
      expect(handlerFields({ ...base, price })).toEqual(['price']);
    },
  );
});
