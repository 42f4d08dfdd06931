import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { Pet } from '../../handler/types';
import { scanPets, scanRaw } from './dynamodb';
import type { SeededFunction } from './fixture';

/**
 * Nothing lost, nothing invented: random sequences of create/get/delete/list through the built
 * bundle, with the table compared against an in-memory model after every step. integration/
 * model.test.ts runs a few dozen sequences in `npm test`; model.slow.test.ts the long run.
 */

type Model = Map<number, Pet>;
interface Real {
  fixture: SeededFunction;
}

function sortedModel(model: Model, type?: string): Pet[] {
  return [...model.values()]
    .filter((pet) => type === undefined || pet.type === type)
    .sort((a, b) => a.id - b.id);
}

async function expectTableMatches(fixture: SeededFunction, model: Model): Promise<void> {
  expect(await scanPets(fixture.client, fixture.tableName)).toEqual(sortedModel(model));
}

async function emptyTable({ client, tableName }: SeededFunction): Promise<void> {
  const items = await scanRaw(client, tableName);
  for (let start = 0; start < items.length; start += 25) {
    const keys = items.slice(start, start + 25).map((item) => ({ DeleteRequest: { Key: { id: item.id! } } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: keys } }));
  }
}

// A small id space so sequences collide: creates of existing ids, deletes and gets of missing ones.
const idArb = fc.integer({ min: 1, max: 8 });
const typeArb = fc.constantFrom('dog', 'cat', 'fish');
const petArb = fc.record({
  id: idArb,
  type: typeArb,
  breed: fc.constantFrom('Beagle', 'Siamese', 'Betta', 'Mixed'),
  price: fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100),
});

function command(
  label: string,
  act: (model: Model, real: Real) => Promise<void>,
): fc.AsyncCommand<Model, Real> {
  return {
    check: () => true,
    run: async (model, real) => {
      await act(model, real);
      await expectTableMatches(real.fixture, model);
    },
    toString: () => label,
  };
}

const createCommand = petArb.map((pet) =>
  command(`POST ${JSON.stringify(pet)}`, async (model, real) => {
    const answer = await real.fixture.fn.invoke('POST', '/pets', { body: pet });
    if (model.has(pet.id)) {
      expect(answer.status).toBe(409);
    } else {
      expect(answer.status).toBe(201);
      model.set(pet.id, pet);
    }
  }),
);

const getCommand = idArb.map((id) =>
  command(`GET /pets/${id}`, async (model, real) => {
    const answer = await real.fixture.fn.invoke('GET', `/pets/${id}`);
    const expected = model.get(id);
    expect(answer.status).toBe(expected ? 200 : 404);
    if (expected) expect(answer.body).toEqual(expected);
  }),
);

const deleteCommand = idArb.map((id) =>
  command(`DELETE /pets/${id}`, async (model, real) => {
    const answer = await real.fixture.fn.invoke('DELETE', `/pets/${id}`);
    expect(answer.status).toBe(model.has(id) ? 204 : 404);
    model.delete(id);
  }),
);

const listCommand = fc.option(typeArb, { nil: undefined }).map((type) =>
  command(`GET /pets${type ? `?type=${type}` : ''}`, async (model, real) => {
    const answer = await real.fixture.fn.invoke('GET', '/pets', {
      query: type ? { type, limit: '1000' } : { limit: '1000' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(sortedModel(model, type));
  }),
);

const allCommands = [createCommand, getCommand, deleteCommand, listCommand];

/** Runs `sequences` random command sequences against the fixture; resolves to how many ran. */
export async function checkAgainstModel(fixture: SeededFunction, sequences: number): Promise<number> {
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(fc.commands(allCommands, { maxCommands: 12 }), async (commands) => {
      ran += 1;
      await emptyTable(fixture);
      await fc.asyncModelRun(() => ({ model: new Map<number, Pet>(), real: { fixture } }), commands);
    }),
    { numRuns: sequences, seed: Number(process.env.PETS_FC_SEED ?? Date.now() % 2_147_483_647) },
  );
  return ran;
}
