import { describe, expect, it } from '@jest/globals';
import type { PageKey } from './page-token';
import type { Pet } from './pet';
import type { PetPage, PetRepository } from './repository';
import { DEFAULT_LIMIT, MAX_LIMIT, route } from './routes';
import { apiGatewayEvent } from './test/events';
import { listEvent } from './test/scenarios';

/** A repository that answers one page and remembers what the routes asked of it. */
function recordingRepository(page: PetPage = { pets: [] }) {
  const listed: { limit: number; type?: string; startKey?: PageKey }[] = [];
  const unused = (): Promise<never> => Promise.reject(new Error('not used by these tests'));
  const pets: PetRepository = {
    get: unused,
    create: unused,
    remove: unused,
    list: async (options) => {
      listed.push(options);
      return page;
    },
  };
  return { pets, listed };
}

const LIMIT_ERROR = { field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` };
const TYPE_ERROR = { field: 'type', message: 'must be 1 to 50 characters long' };

describe('GET /pets limit', () => {
  it.each([
    ['absent', undefined, DEFAULT_LIMIT],
    ['1', '1', 1],
    ['the maximum', String(MAX_LIMIT), MAX_LIMIT],
  ])('reads a limit that is %s', async (_what, limit, expected) => {
    const { pets, listed } = recordingRepository();

    await route(listEvent(limit === undefined ? {} : { limit }), pets);

    expect(listed).toEqual([expect.objectContaining({ limit: expected })]);
  });

  it.each([
    ['one over the maximum', String(MAX_LIMIT + 1)],
    ['zero', '0'],
    ['a leading zero', '01'],
    ['a leading letter', 'x10'],
    ['a trailing letter', '10x'],
    ['a decimal', '1.5'],
    ['a negative number', '-5'],
    ['five digits', '10000'],
    ['empty', ''],
  ])('rejects a limit that is %s before reading anything', async (_what, limit) => {
    const { pets, listed } = recordingRepository();

    await expect(route(listEvent({ limit }), pets)).rejects.toEqual(
      expect.objectContaining({ message: 'Invalid query', errors: [LIMIT_ERROR] }),
    );
    expect(listed).toEqual([]);
  });
});

describe('GET /pets type', () => {
  it('accepts a type of exactly 50 characters, counted in code points', async () => {
    const { pets, listed } = recordingRepository();
    const type = '🐕'.repeat(50);

    await route(listEvent({ type }), pets);

    expect(listed).toEqual([expect.objectContaining({ type })]);
  });

  it.each([
    ['empty', ''],
    ['51 characters long', 'd'.repeat(51)],
  ])('rejects a type that is %s', async (_what, type) => {
    const { pets, listed } = recordingRepository();

    await expect(route(listEvent({ type }), pets)).rejects.toEqual(
      expect.objectContaining({ message: 'Invalid query', errors: [TYPE_ERROR] }),
    );
    expect(listed).toEqual([]);
  });
});

describe('GET /pets next page link', () => {
  const stored: Pet = { id: 4, type: 'cat', breed: 'siamese', price: 3 };

  it('carries only limit and nextToken after a page of the whole table', async () => {
    const { pets } = recordingRepository({ pets: [stored], nextKey: { id: 4 } });

    const reply = await route(listEvent({ limit: '1' }), pets);

    const link = new URL(/^<([^>]+)>; rel="next"$/u.exec(reply.headers?.link ?? '')?.[1] ?? 'http://none');
    expect([...link.searchParams.keys()]).toEqual(['limit', 'nextToken']);
  });

  it('sends no Link after the last page', async () => {
    const { pets } = recordingRepository({ pets: [stored] });

    const reply = await route(listEvent(), pets);

    expect(reply).toEqual({ status: 200, body: [stored] });
  });
});

describe('routing', () => {
  it('answers 404 naming the method and resource it has no route for', async () => {
    const { pets } = recordingRepository();

    const reply = await route(apiGatewayEvent({ method: 'PATCH', path: '/pets' }), pets);

    expect(reply).toEqual({ status: 404, body: { message: 'No route for PATCH /pets' } });
  });

  it('answers 400 for a pet route invoked without path parameters', async () => {
    const { pets } = recordingRepository();
    const event = apiGatewayEvent({ method: 'GET', path: '/pets/1', resource: '/pets/{id}' });

    await expect(route(event, pets)).rejects.toEqual(expect.objectContaining({ name: 'InvalidRequest' }));
  });
});
