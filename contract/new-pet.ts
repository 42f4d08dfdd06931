import type { ErrorObject } from 'ajv';
import { specAjv } from './response-check';

/** One failing field of a body, in the shape of the API's 400 `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

let validate: ReturnType<ReturnType<typeof specAjv>['getSchema']>;

function newPetValidator() {
  validate ??= specAjv(undefined, { verbose: true }).getSchema('spec.json#/components/schemas/NewPet');
  if (!validate) throw new Error('the spec has no NewPet schema');
  return validate;
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  const [, top] = error.instancePath.split('/');
  return top ? top.replaceAll('~1', '/').replaceAll('~0', '~') : 'body';
}

interface FieldSchema {
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  type?: string;
}

/** A failed keyword in the API's own words (the handler's 400 messages say the same). */
function inWords(error: ErrorObject): string {
  const schema = (error.parentSchema ?? {}) as FieldSchema;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'minLength':
    case 'maxLength':
      return `must be ${schema.minLength ?? 0} to ${schema.maxLength} characters long`;
    case 'minimum':
    case 'maximum':
      return `must be between ${schema.minimum} and ${schema.maximum}`;
    case 'multipleOf':
      return 'must have at most two decimals';
    case 'pattern':
      if (schema.description) return `must be ${schema.description}`;
      return schema.pattern === '\\S' ? 'must not be blank' : `must match ${schema.pattern}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/**
 * One message a field: the keyword that failed in the branch its value's JSON type chose (not the
 * type errors of a `oneOf`'s other branches).
 */
function messageOf(errors: ErrorObject[]): string {
  const specific = errors.find((error) => error.keyword !== 'type' && error.keyword !== 'oneOf');
  const [first] = errors;
  if (specific) return inWords(specific);
  return first ? inWords(first) : 'is invalid';
}

/** What is wrong with a body by the contract's NewPet schema; empty when it is a valid new pet. */
export function newPetSchemaErrors(body: unknown): FieldError[] {
  const check = newPetValidator();
  if (check(body)) return [];
  const byField = new Map<string, ErrorObject[]>();
  for (const error of check.errors ?? []) {
    const field = fieldOf(error);
    byField.set(field, [...(byField.get(field) ?? []), error]);
  }
  return [...byField].map(([field, errors]) => ({ field, message: messageOf(errors) }));
}
