import { newPetErrors } from '../handler/testing';
import { GENERATED_TYPES, syntheticPet, syntheticPets } from './generate';

describe('synthetic pets', () => {
  it('gives the same pets for the same count', () => {
    const first = [...syntheticPets(500, 21)];
    const second = [...syntheticPets(500, 21)];
    expect(second).toEqual(first);
  });

  it('makes a smaller run a prefix of a larger one, because each pet depends on its id alone', () => {
    const small = [...syntheticPets(50, 21)];
    const large = [...syntheticPets(200, 21)];
    expect(large.slice(0, 50)).toEqual(small);
  });

  it('numbers the pets consecutively from the first id', () => {
    const ids = [...syntheticPets(100, 21)].map((pet) => pet.id);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, index) => 21 + index));
  });

  it('produces only pets the API itself accepts', () => {
    const invalid = [...syntheticPets(5_000, 21)].filter((pet) => newPetErrors(pet).length > 0);
    expect(invalid).toEqual([]);
  });

  it('spreads the pets over every type, so the type index has several partitions', () => {
    const types = new Set([...syntheticPets(2_000, 21)].map((pet) => pet.type));
    expect([...types].sort()).toEqual([...GENERATED_TYPES].sort());
  });

  it('varies breeds and prices rather than repeating one pet', () => {
    const pets = [...syntheticPets(1_000, 21)];
    expect(new Set(pets.map((pet) => pet.price)).size).toBeGreaterThan(500);
    expect(new Set(pets.map((pet) => pet.breed)).size).toBeGreaterThan(20);
    expect(syntheticPet(42)).toEqual(pets[42 - 21]);
  });
});
