import { operations } from '../../contract/spec';
import { loadSeedPets } from '../../seed';
import { PROFILES, peakConcurrency } from '../lib/config';
import { ROUTES, routeEnvSuffix } from '../lib/routes';
import { DEFAULT_PET_IDS, DEFAULT_PET_TYPES, parseIdList } from '../lib/seeded';

describe('the routes the k6 script exercises', () => {
  it.each(Object.entries(ROUTES))('maps route %s onto a GET operation of the contract', (_route, target) => {
    const operation = operations().find(
      (candidate) => candidate.method === target.method && candidate.resource === target.resource,
    );

    expect(operation).toBeDefined();
    expect(operation?.statuses).toContain(200);
  });

  it.each([
    ['list', 'LIST'],
    ['list-by-type', 'LIST_BY_TYPE'],
    ['get', 'GET'],
  ])('names the per-route env setting of %s with the suffix %s', (route, suffix) => {
    expect(routeEnvSuffix(route)).toBe(suffix);
  });
});

describe('the default data the k6 script expects', () => {
  it('asks for exactly the ids of seed/pets.json', () => {
    const seeded = loadSeedPets().map((pet) => pet.id);

    expect(parseIdList(DEFAULT_PET_IDS).sort((a, b) => a - b)).toEqual(seeded.sort((a, b) => a - b));
  });

  it('asks for exactly the types of seed/pets.json', () => {
    const seededTypes = new Set(loadSeedPets().map((pet) => pet.type));

    expect(new Set(DEFAULT_PET_TYPES)).toEqual(seededTypes);
  });
});

describe('parseIdList', () => {
  it.each([
    ['1-5', [1, 2, 3, 4, 5]],
    ['3,5,8', [3, 5, 8]],
    ['1-3, 9', [1, 2, 3, 9]],
  ])('reads %s', (text, ids) => {
    expect(parseIdList(text)).toEqual(ids);
  });

  it.each([['0'], ['5-2'], ['a'], [''], ['1-200000']])('rejects %p, saying what it expected', (text) => {
    expect(() => parseIdList(text)).toThrow(/id|range/);
  });
});

describe('peakConcurrency', () => {
  it('reads the most VUs each profile runs at once from its scenario, outside k6 with its defaults', () => {
    expect(Object.fromEntries(PROFILES.map((profile) => [profile, peakConcurrency(profile)]))).toEqual({
      smoke: 1,
      load: 5,
      stress: 20,
      spike: 30,
      soak: 5,
    });
  });
});
