import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TYPE_INDEX } from '../definitions/table';
import { petRepository } from '../handler/testing';
import type { Pet } from '../handler/types';
import { type FunctionInstance, startFunction } from './support/bundle';
import {
  createSeededTable,
  dropTable,
  functionEnv,
  runDynamoDb,
  scanPets,
  testClient,
  uniqueTableName,
} from './support/dynamodb';
import { type RecordingProxy, startRecordingProxy } from './support/recording-proxy';

/** Paging and the type index over 2,500 pets: every pet exactly once, and `?type=` never scans. */
const tableName = uniqueTableName('paging');
const client = testClient();
const TOTAL = 2_500;
let proxy: RecordingProxy;
let fn: FunctionInstance;
let stored: Pet[];

beforeAll(async () => {
  const summary = await createSeededTable(tableName, { generate: TOTAL - 20 });
  expect(summary.written).toBe(TOTAL);
  stored = await scanPets(client, tableName);
  proxy = await startRecordingProxy(runDynamoDb().endpoint);
  fn = await startFunction(functionEnv(tableName, proxy.endpoint));
});

afterAll(async () => {
  await fn?.stop();
  await proxy?.stop();
  await dropTable(client, tableName);
  client.destroy();
});

/** Follows `Link: <…>; rel="next"` from the first page to the last; returns every page. */
async function walk(query: Record<string, string>): Promise<Pet[][]> {
  const pages: Pet[][] = [];
  let next: Record<string, string> | undefined = query;
  while (next) {
    const answer = await fn.invoke('GET', '/pets', { query: next });
    expect(answer.status).toBe(200);
    pages.push(answer.body as Pet[]);
    const link = /<([^>]+)>; rel="next"/.exec(answer.headers.link ?? '');
    next = link?.[1] ? Object.fromEntries(new URL(link[1]).searchParams) : undefined;
    expect(pages.length).toBeLessThanOrEqual(TOTAL);
  }
  return pages;
}

function ids(pets: Pet[]): number[] {
  return pets.map((pet) => pet.id).sort((a, b) => a - b);
}

it('walks 2,500 pets with limit=100 and sees every pet exactly once', async () => {
  const pages = await walk({ limit: '100' });
  expect(pages.length).toBeGreaterThanOrEqual(25);
  expect(pages.every((page) => page.length <= 100)).toBe(true);
  const seen = pages.flat();
  expect(ids(seen)).toEqual(ids(stored));
  expect(new Set(seen.map((pet) => pet.id)).size).toBe(TOTAL);
  expect([...seen].sort((a, b) => a.id - b.id)).toEqual(stored);
});

it('never reads the whole table in one request: each call asks DynamoDB for at most the limit', async () => {
  proxy.calls.length = 0;
  await walk({ limit: '100' });
  const reads = proxy.calls.filter((call) => call.operation === 'Scan' || call.operation === 'Query');
  expect(reads.length).toBeGreaterThanOrEqual(25);
  for (const call of reads) expect(call.input.Limit).toBe(100);
});

it('serves ?type= from the type index with Query, never a Scan, and reads only that type', async () => {
  const dogs = stored.filter((pet) => pet.type === 'dog');
  proxy.calls.length = 0;
  const pages = await walk({ type: 'dog', limit: '100' });
  expect(ids(pages.flat())).toEqual(ids(dogs));
  expect(proxy.calls.map((call) => call.operation)).not.toContain('Scan');
  const queries = proxy.calls.filter((call) => call.operation === 'Query');
  expect(queries.length).toBe(pages.length);
  for (const call of queries) {
    expect(call.input.IndexName).toBe(TYPE_INDEX.indexName);
    // Without a filter every item DynamoDB read is an item returned: nothing else was looked at.
    expect(call.output.ScannedCount).toBe(call.output.Count);
  }
  const scanned = queries.reduce((sum, call) => sum + Number(call.output.ScannedCount), 0);
  expect(scanned).toBe(dogs.length);
});

it('has the repository send a Query on the type index for a type, and a Scan only for the whole list', async () => {
  const sent: string[] = [];
  const documentClient = DynamoDBDocumentClient.from(testClient());
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const pets = petRepository(documentClient, tableName);
  const page = await pets.list({ limit: 50, type: 'cat' });
  expect(page.pets.every((pet) => pet.type === 'cat')).toBe(true);
  expect(sent).toEqual([QueryCommand.name]);
  await pets.list({ limit: 50 });
  expect(sent).toEqual([QueryCommand.name, ScanCommand.name]);
  documentClient.destroy();
});
