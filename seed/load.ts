import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { type FieldError, newPetSchemaErrors } from '../contract/new-pet';
import type { Pet } from '../handler/types';

export const DEFAULT_SEED_FILE = join(PROJECT_ROOT, 'seed', 'pets.json');

/** One bad entry of a seed file: where it is and what is wrong, in the API's own words. */
export interface SeedEntryError extends FieldError {
  index: number;
}

/** The seed file cannot be used; nothing was written. */
export class InvalidSeedFile extends Error {
  override readonly name = 'InvalidSeedFile';
  constructor(
    readonly file: string,
    readonly entryErrors: SeedEntryError[],
  ) {
    const where = relative(process.cwd(), file) || file;
    super(
      [
        `${where} has ${entryErrors.length} invalid ${entryErrors.length === 1 ? 'entry field' : 'entry fields'}; nothing was written:`,
        ...entryErrors.map((error) => `  [${error.index}] ${error.field}: ${error.message}`),
      ].join('\n'),
    );
  }
}

/** A valid new pet as the API stores it: numeric strings as numbers, names trimmed. */
function storedPet(entry: Record<string, unknown>): Pet {
  return {
    id: Number(entry.id),
    type: String(entry.type).trim(),
    breed: String(entry.breed).trim(),
    price: Number(entry.price),
  };
}

/**
 * Validates parsed seed data against the contract's NewPet schema (the one definition of what the
 * API accepts, which the handler is proven to agree with), and rejects duplicate ids, which would
 * silently overwrite each other.
 */
export function validateSeedPets(data: unknown, file = '<input>'): Pet[] {
  if (!Array.isArray(data)) {
    throw new InvalidSeedFile(file, [{ index: -1, field: 'body', message: 'must be a JSON array of pets' }]);
  }
  const errors: SeedEntryError[] = [];
  const pets: Pet[] = [];
  const firstIndexOfId = new Map<number, number>();
  data.forEach((entry: unknown, index) => {
    const entryErrors = newPetSchemaErrors(entry);
    if (entryErrors.length > 0) {
      errors.push(...entryErrors.map((error) => ({ index, ...error })));
      return;
    }
    const pet = storedPet(entry as Record<string, unknown>);
    const earlier = firstIndexOfId.get(pet.id);
    if (earlier !== undefined) {
      errors.push({ index, field: 'id', message: `duplicates the id of entry ${earlier} (${pet.id})` });
      return;
    }
    firstIndexOfId.set(pet.id, index);
    pets.push(pet);
  });
  if (errors.length > 0) throw new InvalidSeedFile(file, errors);
  return pets;
}

/** The pets of a seed file (default seed/pets.json), validated. */
export function loadSeedPets(file: string = DEFAULT_SEED_FILE): Pet[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InvalidSeedFile(file, [
      { index: -1, field: 'file', message: `cannot be read as JSON: ${message}` },
    ]);
  }
  return validateSeedPets(data, file);
}
