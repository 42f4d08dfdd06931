import { type FieldError, InvalidRequest } from './errors';

/**
 * The pet domain: what a pet is, how a request body becomes one, and the typed errors the
 * routes turn into statuses. The rules mirror `NewPet` in contract/openapi.yaml; a contract test
 * feeds both the same bodies and requires the same verdicts.
 */
export interface Pet {
  id: number;
  type: string;
  breed: string;
  price: number;
}

const PET_FIELDS = ['id', 'type', 'breed', 'price'] as const;
export const MAX_PET_ID = Number.MAX_SAFE_INTEGER;
const MAX_PRICE = 1_000_000;
const TEXT_LIMITS = { type: 50, breed: 100 } as const;
// The spec's string forms of id and price, verbatim.
const ID_STRING = /^[1-9][0-9]{0,14}$/u;
const PRICE_STRING = /^(0|[1-9][0-9]{0,5})(\.[0-9]{1,2})?$|^1000000(\.00?)?$/u;
// A number's shortest round-trip decimal (ECMAScript Number::toString) with at most two decimals.
// This is the exact meaning of "at most two decimals" for a JSON number; see priceNumberError.
const TWO_DECIMALS = /^[0-9]+(\.[0-9]{1,2})?$/u;
const PATH_ID = /^[1-9][0-9]{0,15}$/u;

/** The body failed validation: 400 listing every failing field. */
export class InvalidPet extends Error {
  override readonly name = 'InvalidPet';
  constructor(readonly errors: FieldError[]) {
    super('Invalid pet');
  }
}

export class PetNotFound extends Error {
  override readonly name = 'PetNotFound';
  constructor(readonly id: number) {
    super(`Pet ${id} not found`);
  }
}

export class PetAlreadyExists extends Error {
  override readonly name = 'PetAlreadyExists';
  constructor(readonly id: number) {
    super(`Pet ${id} already exists`);
  }
}

/** Length in code points, as JSON Schema counts it (JS `.length` counts UTF-16 units). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function idError(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return ID_STRING.test(value) ? undefined : 'must be a positive integer of at most 15 digits';
  }
  if (typeof value !== 'number') return 'must be an integer or a numeric string';
  if (!Number.isInteger(value)) return 'must be an integer';
  return value >= 1 && value <= MAX_PET_ID ? undefined : `must be between 1 and ${MAX_PET_ID}`;
}

function textError(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const length = codePointLength(value);
  if (length < 1 || length > maxLength) return `must be 1 to ${maxLength} characters long`;
  return /\S/u.test(value) ? undefined : 'must not be blank';
}

/**
 * Price as a JSON number: finite, 0..1,000,000, and its shortest decimal form has at most two
 * decimals (0.07 passes, 0.1 + 0.2 = 0.30000000000000004 does not). JSON Schema's `multipleOf: 0.01`
 * says the same thing in exact arithmetic; floating-point validators approximate it with a tolerance.
 */
function priceNumberError(value: number): string | undefined {
  // Written so that NaN fails too; JSON's 1e999 (Infinity) fails the upper bound.
  if (!(value >= 0 && value <= MAX_PRICE)) return `must be between 0 and ${MAX_PRICE}`;
  return TWO_DECIMALS.test(String(value)) ? undefined : 'must have at most two decimals';
}

function priceError(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return PRICE_STRING.test(value)
      ? undefined
      : 'must be a decimal string from 0 to 1000000 with at most two decimals';
  }
  if (typeof value !== 'number') return 'must be a number or a numeric string';
  return priceNumberError(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const FIELD_CHECKS: Record<(typeof PET_FIELDS)[number], (value: unknown) => string | undefined> = {
  id: idError,
  type: (value) => textError(value, TEXT_LIMITS.type),
  breed: (value) => textError(value, TEXT_LIMITS.breed),
  price: priceError,
};

/** Every failing field of a parsed JSON body, empty when it is a valid NewPet. */
export function newPetErrors(body: unknown): FieldError[] {
  if (!isRecord(body)) return [{ field: 'body', message: 'must be a JSON object' }];
  const errors: FieldError[] = [];
  for (const field of PET_FIELDS) {
    if (!Object.hasOwn(body, field)) {
      errors.push({ field, message: 'is required' });
      continue;
    }
    const message = FIELD_CHECKS[field](body[field]);
    if (message) errors.push({ field, message });
  }
  for (const field of Object.keys(body)) {
    if (!(PET_FIELDS as readonly string[]).includes(field)) errors.push({ field, message: 'is not allowed' });
  }
  return errors;
}

/** A valid body as the pet to store: numeric strings become numbers, text is trimmed. */
export function parseNewPet(body: unknown): Pet {
  const errors = newPetErrors(body);
  if (errors.length > 0 || !isRecord(body)) throw new InvalidPet(errors);
  return {
    id: Number(body.id),
    type: String(body.type).trim(),
    breed: String(body.breed).trim(),
    price: Number(body.price),
  };
}

/** The `{id}` path parameter as a pet id. */
export function parsePetId(value: string | undefined): number {
  const id = value !== undefined && PATH_ID.test(value) ? Number(value) : Number.NaN;
  if (!(id <= MAX_PET_ID)) {
    throw new InvalidRequest('Invalid pet id', [
      { field: 'id', message: `must be an integer between 1 and ${MAX_PET_ID}` },
    ]);
  }
  return id;
}
