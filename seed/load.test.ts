import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSeedFile, loadSeedPets, validateSeedPets } from './load';

function seedFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'seed-')), 'pets.json');
  writeFileSync(file, content);
  return file;
}

function entryErrorsOf(run: () => unknown): InvalidSeedFile['entryErrors'] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidSeedFile) return error.entryErrors;
    throw error;
  }
  throw new Error('expected InvalidSeedFile, nothing was thrown');
}

describe('the seed file', () => {
  it('holds 20 valid pets with ids 1 to 20', () => {
    const pets = loadSeedPets();
    expect(pets.map((pet) => pet.id)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('has several types, breeds and prices', () => {
    const pets = loadSeedPets();
    expect(new Set(pets.map((pet) => pet.type)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(pets.map((pet) => pet.breed)).size).toBe(20);
    expect(new Set(pets.map((pet) => pet.price)).size).toBe(20);
  });
});

describe('seed validation', () => {
  it('turns numeric strings into numbers, as the API does', () => {
    expect(validateSeedPets([{ id: '7', type: 'cat', breed: 'Bengal', price: '12.50' }])).toEqual([
      { id: 7, type: 'cat', breed: 'Bengal', price: 12.5 },
    ]);
  });

  it.each([
    ['a negative price', { id: 1, type: 'dog', breed: 'Boxer', price: -1 }, 'price'],
    ['three decimals', { id: 1, type: 'dog', breed: 'Boxer', price: 1.234 }, 'price'],
    ['a missing breed', { id: 1, type: 'dog', price: 10 }, 'breed'],
    ['an id of zero', { id: 0, type: 'dog', breed: 'Boxer', price: 10 }, 'id'],
    ['an unknown field', { id: 1, type: 'dog', breed: 'Boxer', price: 10, colour: 'red' }, 'colour'],
  ])('reports %s with the entry index and the field', (_case, entry, field) => {
    const good = { id: 2, type: 'cat', breed: 'Sphynx', price: 5 };
    const errors = entryErrorsOf(() => validateSeedPets([good, entry]));
    expect(errors).toEqual([expect.objectContaining({ index: 1, field })]);
  });

  it('reports a repeated id, which would otherwise silently overwrite the first pet', () => {
    const pet = { id: 3, type: 'cat', breed: 'Sphynx', price: 5 };
    const errors = entryErrorsOf(() => validateSeedPets([pet, { ...pet, breed: 'Persian' }]));
    expect(errors).toEqual([{ index: 1, field: 'id', message: 'duplicates the id of entry 0 (3)' }]);
  });

  it('names the file, the index and the field in its message', () => {
    const file = seedFile(JSON.stringify([{ id: 1, type: 'dog', breed: 'Boxer', price: 'free' }]));
    expect(() => loadSeedPets(file)).toThrow(/\[0\] price: must be a decimal string/);
  });

  it('rejects a file that is not a JSON array', () => {
    const errors = entryErrorsOf(() => loadSeedPets(seedFile('{"id": 1}')));
    expect(errors).toEqual([{ index: -1, field: 'body', message: 'must be a JSON array of pets' }]);
  });

  it('rejects a file that is not JSON at all', () => {
    expect(() => loadSeedPets(seedFile('[{"id": 1,'))).toThrow(InvalidSeedFile);
  });
});
