import { seededRandom } from '../common/random';
import type { Pet } from '../handler/types';

/** Synthetic pets: each id's pet depends on the id alone, so the same N always gives the same pets. */
const BREEDS: Record<string, readonly string[]> = {
  dog: [
    'Labrador Retriever',
    'Beagle',
    'Poodle',
    'Border Collie',
    'Dachshund',
    'Boxer',
    'Shiba Inu',
    'Whippet',
  ],
  cat: ['Maine Coon', 'Siamese', 'Ragdoll', 'Bengal', 'Sphynx', 'Persian', 'Abyssinian'],
  fish: ['Goldfish', 'Betta', 'Guppy', 'Neon Tetra', 'Angelfish', 'Molly'],
  bird: ['Budgerigar', 'Cockatiel', 'Canary', 'Lovebird', 'Zebra Finch'],
  rabbit: ['Holland Lop', 'Netherland Dwarf', 'Rex', 'Lionhead'],
  hamster: ['Syrian', 'Roborovski', 'Campbell Dwarf'],
  turtle: ['Red-eared Slider', 'Box Turtle', 'Painted Turtle'],
  lizard: ['Leopard Gecko', 'Bearded Dragon', 'Crested Gecko'],
};
export const GENERATED_TYPES = Object.keys(BREEDS);
const PRICE_CEILING_CENTS: Record<string, number> = {
  dog: 150_000,
  cat: 120_000,
  fish: 5_000,
  bird: 200_000,
  rabbit: 15_000,
  hamster: 4_000,
  turtle: 10_000,
  lizard: 30_000,
};

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The synthetic pet with this id. */
export function syntheticPet(id: number): Pet {
  const random = seededRandom(Math.imul(id, 0x9e3779b1) ^ 0x5eed);
  const type = pick(GENERATED_TYPES, random);
  const breed = pick(BREEDS[type]!, random);
  const cents = 50 + Math.floor(random() * PRICE_CEILING_CENTS[type]!);
  return { id, type, breed, price: cents / 100 };
}

/** `count` synthetic pets with ids firstId, firstId+1, …, produced lazily. */
export function* syntheticPets(count: number, firstId: number): Generator<Pet> {
  for (let offset = 0; offset < count; offset++) yield syntheticPet(firstId + offset);
}
