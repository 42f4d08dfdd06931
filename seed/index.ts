import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  type WriteRequest,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../definitions/local-aws';
import { createTableInput, DEFAULT_TABLE_NAME } from '../definitions/table';
import type { Pet } from '../handler/types';
import { syntheticPets } from './generate';
import { loadSeedPets } from './load';

export { syntheticPet, syntheticPets } from './generate';
export { DEFAULT_SEED_FILE, InvalidSeedFile, loadSeedPets, validateSeedPets } from './load';

export interface SeedOptions {
  /** DynamoDB endpoint (the container, dynalite, moto); without one, DynamoDB on AWS in `region`. */
  endpoint?: string;
  region?: string;
  tableName?: string;
  /** Create the table (definitions/table.ts) when it does not exist, and wait until it is ACTIVE. */
  createTable?: boolean;
  /** Empty the table first. */
  reset?: boolean;
  /** Also write this many synthetic pets, ids above the seed file's. */
  generate?: number;
  /** Seed file; default seed/pets.json. */
  file?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  tableName: string;
  /** The endpoint written to, or `aws:<region>`. */
  target: string;
  tableCreated: boolean;
  /** How --reset emptied the table: locally by recreating it, elsewhere by deleting every item. */
  resetBy?: 'recreating the table' | 'deleting items';
  /** Items deleted one by one by --reset (0 when the table was recreated). */
  deleted: number;
  seedPets: number;
  generated: number;
  /** seedPets + generated. */
  written: number;
  /** BatchWriteItem calls repeated for UnprocessedItems. */
  retries: number;
  durationMs: number;
}

const BATCH_SIZE = 25;
/** Batches in flight at once: enough to keep a local DynamoDB busy on two cores. */
const CONCURRENT_BATCHES = 8;
const MAX_UNPROCESSED_RETRIES = 12;

/** The client seeding uses: local credentials for a local endpoint, the default chain for AWS. */
function seedClient(endpoint: string | undefined, region: string | undefined): DynamoDBClient {
  const requestHandler = new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 30_000 });
  if (!endpoint) return new DynamoDBClient({ region: region ?? process.env.AWS_REGION, requestHandler });
  const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : LOCAL_CREDENTIALS;
  return new DynamoDBClient({
    endpoint,
    region: region ?? process.env.AWS_REGION ?? LOCAL_REGION,
    ...(credentials ? { credentials } : {}),
    requestHandler,
  });
}

function petItem(pet: Pet): Record<string, AttributeValue> {
  return {
    id: { N: String(pet.id) },
    type: { S: pet.type },
    breed: { S: pet.breed },
    price: { N: String(pet.price) },
  };
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists(
    { client, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
    { TableName: tableName },
  );
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(2_000, 25 * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** One BatchWriteItem of ≤ 25 requests, repeating UnprocessedItems with backoff until none are left. */
async function writeBatch(
  client: DynamoDBClient,
  tableName: string,
  requests: WriteRequest[],
): Promise<{ retries: number }> {
  let pending = requests;
  for (let attempt = 0; ; attempt++) {
    const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    const unprocessed = output.UnprocessedItems?.[tableName] ?? [];
    if (unprocessed.length === 0) return { retries: attempt };
    if (attempt >= MAX_UNPROCESSED_RETRIES) {
      throw new Error(`${unprocessed.length} items still unprocessed after ${attempt} retries`);
    }
    pending = unprocessed;
    await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
  }
}

/**
 * Runs `requests` as batches of 25, several at once, in order of arrival; reports each finished
 * batch. The iterator is consumed lazily, so 100,000 generated pets never sit in memory at once.
 */
async function writeAll(
  client: DynamoDBClient,
  tableName: string,
  requests: Iterable<WriteRequest>,
  onBatchDone: (items: number) => void,
): Promise<{ retries: number }> {
  const iterator = requests[Symbol.iterator]();
  let retries = 0;
  const nextBatch = (): WriteRequest[] => {
    const batch: WriteRequest[] = [];
    while (batch.length < BATCH_SIZE) {
      const next = iterator.next();
      if (next.done) break;
      batch.push(next.value);
    }
    return batch;
  };
  const worker = async () => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      const result = await writeBatch(client, tableName, batch);
      retries += result.retries;
      onBatchDone(batch.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, worker));
  return { retries };
}

/** Every key in the table (the key is only `id`), page by page. */
async function* allKeys(
  client: DynamoDBClient,
  tableName: string,
): AsyncGenerator<Record<string, AttributeValue>> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: '#id',
        ExpressionAttributeNames: { '#id': 'id' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

async function emptyTable(client: DynamoDBClient, tableName: string): Promise<number> {
  let deleted = 0;
  let keys: Record<string, AttributeValue>[] = [];
  const flush = async () => {
    const chunk = keys;
    keys = [];
    const batches: WriteRequest[][] = [];
    for (let i = 0; i < chunk.length; i += BATCH_SIZE) {
      batches.push(chunk.slice(i, i + BATCH_SIZE).map((Key) => ({ DeleteRequest: { Key } })));
    }
    await writeAll(client, tableName, batches.flat(), (items) => {
      deleted += items;
    });
  };
  for await (const key of allKeys(client, tableName)) {
    keys.push(key);
    if (keys.length >= 1_000) await flush();
  }
  await flush();
  return deleted;
}

function isLocalEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}

/**
 * Seeds a pets table: optionally creates it (same definition as the stack) and empties it, then
 * writes the seed file's pets and `generate` synthetic ones with BatchWriteItem. Idempotent: the
 * writes are puts by id, so running it twice leaves the same items. The seed file is validated
 * before anything is sent.
 */
export async function seedTable(options: SeedOptions = {}): Promise<SeedSummary> {
  const startedAt = Date.now();
  const seedPets = loadSeedPets(options.file);
  const generate = options.generate ?? 0;
  if (!Number.isInteger(generate) || generate < 0)
    throw new RangeError(`generate must be a whole number ≥ 0, got ${generate}`);
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  // No DYNAMODB_ENDPOINT fallback here: a caller seeding a stack's table on AWS must reach that
  // table, whatever the shell's variable says (the seed CLI reads the variable itself).
  const { endpoint } = options;
  const client = seedClient(endpoint, options.region);
  const region = await client.config.region();
  const target = endpoint ?? `aws:${region}`;
  try {
    let tableCreated = false;
    let deleted = 0;
    let resetBy: SeedSummary['resetBy'];
    let exists = await tableExists(client, tableName);
    if (exists && options.reset && options.createTable && isLocalEndpoint(endpoint)) {
      // Locally, dropping and recreating is much faster than deleting item by item.
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      await waitUntilTableNotExists(
        { client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
        { TableName: tableName },
      );
      exists = false;
      resetBy = 'recreating the table';
    }
    if (!exists) {
      if (!options.createTable) {
        throw new Error(
          `Table '${tableName}' does not exist at ${target}; pass --create-table (createTable: true) to create it.`,
        );
      }
      await createTable(client, tableName);
      tableCreated = true;
    } else if (options.reset) {
      deleted = await emptyTable(client, tableName);
      resetBy = 'deleting items';
    }

    const total = seedPets.length + generate;
    const firstGeneratedId = Math.max(0, ...seedPets.map((pet) => pet.id)) + 1;
    function* requests(): Generator<WriteRequest> {
      for (const pet of seedPets) yield { PutRequest: { Item: petItem(pet) } };
      for (const pet of syntheticPets(generate, firstGeneratedId))
        yield { PutRequest: { Item: petItem(pet) } };
    }
    let done = 0;
    options.onProgress?.(0, total);
    const { retries } = await writeAll(client, tableName, requests(), (items) => {
      done += items;
      options.onProgress?.(done, total);
    });
    return {
      tableName,
      target,
      tableCreated,
      ...(resetBy ? { resetBy } : {}),
      deleted,
      seedPets: seedPets.length,
      generated: generate,
      written: done,
      retries,
      durationMs: Date.now() - startedAt,
    };
  } finally {
    client.destroy();
  }
}
