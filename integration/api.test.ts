import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { loadSeedPets } from '../seed';
import type { Answer, FunctionInstance } from './support/bundle';
import { scanPets, scanRaw } from './support/dynamodb';
import { useSeededFunction } from './support/fixture';

/** Every route and status of the API, through the built bundle, against this run's real DynamoDB. */
const fixture = useSeededFunction('api');
const { tableName, client } = fixture;
const seedPets = loadSeedPets();

function expectJson(answer: Answer): void {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.rawBody).not.toMatch(/\bat .+\.js:\d+/);
}

/** Runs a request that must be refused and proves the table is exactly as before. */
async function refused(
  method: string,
  path: string,
  options: Parameters<FunctionInstance['invoke']>[2] = {},
): Promise<Answer> {
  const before = await scanRaw(client, tableName);
  const answer = await fixture.fn.invoke(method, path, options);
  expect(await scanRaw(client, tableName)).toEqual(before);
  return answer;
}

describe('GET /pets', () => {
  it('returns the 20 seeded pets whole, in id order, without a next link', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets');
    expect(answer.status).toBe(200);
    expectJson(answer);
    expect(answer.body).toEqual(seedPets);
    expect(answer.headers.link).toBeUndefined();
  });

  it('returns only pets of the asked type', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets', { query: { type: 'dog' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(seedPets.filter((pet) => pet.type === 'dog'));
  });

  it('returns an empty list for a type nobody has', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets', { query: { type: 'dragon' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([]);
  });

  it('announces the next page with a Link header when a limit cuts the list', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets', { query: { limit: '5' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(5);
    expect(answer.headers.link).toMatch(
      /<http:\/\/[^>]+\/default\/pets\?limit=5&nextToken=[^>]+>; rel="next"/,
    );
  });

  it.each([
    ['limit=0', { limit: '0' }, 'limit'],
    ['limit=1001', { limit: '1001' }, 'limit'],
    ['limit=ten', { limit: 'ten' }, 'limit'],
    ['an empty type', { type: '' }, 'type'],
    ['a garbled nextToken', { nextToken: 'not-a-token' }, 'nextToken'],
  ])('answers 400 for %s and names the field', async (_case, query, field) => {
    const answer = await refused('GET', '/pets', { query });
    expect(answer.status).toBe(400);
    expectJson(answer);
    expect(answer.body).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ field })]),
    });
  });
});

describe('GET /pets/{id}', () => {
  it('returns a stored pet', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets/3');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(seedPets[2]);
  });

  it('answers 404 for an id nobody has', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets/999999');
    expect(answer.status).toBe(404);
    expectJson(answer);
  });

  it.each([['abc'], ['0'], ['-1'], ['1.5']])('answers 400 for the id %s', async (id) => {
    const answer = await fixture.fn.invoke('GET', `/pets/${id}`);
    expect(answer.status).toBe(400);
    expectJson(answer);
  });
});

describe('POST /pets', () => {
  it('stores a new pet and answers 201 with its Location', async () => {
    const pet = { id: 1001, type: 'cat', breed: 'Bengal', price: 310.5 };
    const answer = await fixture.fn.invoke('POST', '/pets', { body: pet });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual(pet);
    expect(answer.headers.location).toMatch(/\/default\/pets\/1001$/);
    expect((await fixture.fn.invoke('GET', '/pets/1001')).body).toEqual(pet);
  });

  it('stores numeric strings as DynamoDB numbers', async () => {
    const answer = await fixture.fn.invoke('POST', '/pets', {
      body: { id: '1002', type: 'fish', breed: 'Guppy', price: '12.50' },
    });
    expect(answer.status).toBe(201);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { N: '1002' } } }),
    );
    expect(Item).toEqual({
      id: { N: '1002' },
      type: { S: 'fish' },
      breed: { S: 'Guppy' },
      price: { N: '12.5' },
    });
  });

  it('answers 409 for an id that exists and keeps the stored pet', async () => {
    const answer = await refused('POST', '/pets', {
      body: { id: 1, type: 'dog', breed: 'Impostor', price: 1 },
    });
    expect(answer.status).toBe(409);
    expectJson(answer);
  });

  it.each([
    ['a negative price', { id: 1003, type: 'dog', breed: 'Boxer', price: -1 }, 'price'],
    ['a missing type', { id: 1003, breed: 'Boxer', price: 1 }, 'type'],
    ['an id that is not a number', { id: 'abc', type: 'dog', breed: 'Boxer', price: 1 }, 'id'],
    ['an unknown field', { id: 1003, type: 'dog', breed: 'Boxer', price: 1, owner: 'me' }, 'owner'],
  ])('answers 400 for %s, names the field and stores nothing', async (_case, body, field) => {
    const answer = await refused('POST', '/pets', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ field })]),
    });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const answer = await refused('POST', '/pets', { body: '{"id": 1004,' });
    expect(answer.status).toBe(400);
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const answer = await refused('POST', '/pets', {
      body: JSON.stringify({ id: 1005, type: 'dog', breed: 'Boxer', price: 1 }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(answer.status).toBe(415);
    expectJson(answer);
  });

  it('answers 413 for a body over the size limit', async () => {
    const answer = await refused('POST', '/pets', {
      body: JSON.stringify({ id: 1006, type: 'dog', breed: 'x'.repeat(2 * 1024 * 1024), price: 1 }),
    });
    expect(answer.status).toBe(413);
    expectJson(answer);
  });
});

describe('DELETE /pets/{id}', () => {
  it('removes a pet and answers 204', async () => {
    await fixture.fn.invoke('POST', '/pets', {
      body: { id: 1010, type: 'bird', breed: 'Canary', price: 20 },
    });
    const answer = await fixture.fn.invoke('DELETE', '/pets/1010');
    expect(answer.status).toBe(204);
    expect((await scanPets(client, tableName)).map((pet) => pet.id)).not.toContain(1010);
    expect((await fixture.fn.invoke('GET', '/pets/1010')).status).toBe(404);
  });

  it('answers 404 for an id nobody has', async () => {
    const answer = await refused('DELETE', '/pets/424242');
    expect(answer.status).toBe(404);
  });

  it('answers 400 for an id that is not a pet id', async () => {
    const answer = await refused('DELETE', '/pets/abc');
    expect(answer.status).toBe(400);
  });
});

describe('every answer', () => {
  it('echoes the caller’s correlation id and logs exactly one completion line', async () => {
    const answer = await fixture.fn.invoke('GET', '/pets/2', {
      headers: { 'x-correlation-id': 'corr-it-1' },
    });
    expect(answer.headers['x-correlation-id']).toBe('corr-it-1');
    const completed = answer.logs.filter((line) => line.message === 'request completed');
    expect(completed).toEqual([expect.objectContaining({ status: 200, correlation_id: 'corr-it-1' })]);
  });
});
