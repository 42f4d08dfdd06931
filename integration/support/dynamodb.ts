import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  DeleteTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCAL_AWS_ENV } from '../../definitions/local-aws';
import type { Pet } from '../../handler/types';
import { type DynamoDbKind, localDynamoDbClient } from '../../local/dynamodb';
import { type SeedOptions, type SeedSummary, seedTable } from '../../seed';

/**
 * The DynamoDB the jest global setup started for this run. A test that cannot reach it fails:
 * it never skips.
 */
export function runDynamoDb(): { endpoint: string; kind: DynamoDbKind } {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'DYNAMODB_ENDPOINT is not set: run through jest so local/dynamodb/jest-global-setup.ts starts DynamoDB',
    );
  }
  return { endpoint, kind: (process.env.PETS_TEST_DYNAMODB_KIND as DynamoDbKind | undefined) ?? 'endpoint' };
}

/** A table name no other test file or run uses. */
export function uniqueTableName(purpose: string): string {
  return `it-${purpose}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testClient(): DynamoDBClient {
  return localDynamoDbClient(runDynamoDb().endpoint);
}

/** Creates (and empties) `tableName` with the stack's definition and writes the seed pets (+ generated). */
export function createSeededTable(
  tableName: string,
  options: Partial<SeedOptions> = {},
): Promise<SeedSummary> {
  return seedTable({
    endpoint: runDynamoDb().endpoint,
    tableName,
    createTable: true,
    reset: true,
    ...options,
  });
}

export async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
}

/** Every item of the table, raw (attribute types kept), sorted by id. */
export async function scanRaw(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort((a, b) => Number(a.id?.N) - Number(b.id?.N));
}

/** Every pet of the table, sorted by id. */
export async function scanPets(client: DynamoDBClient, tableName: string): Promise<Pet[]> {
  return (await scanRaw(client, tableName)).map((item) => unmarshall(item) as Pet);
}

/** The environment the function gets for `tableName` (local credentials, this run's endpoint). */
export function functionEnv(tableName: string, endpoint = runDynamoDb().endpoint): Record<string, string> {
  return {
    ...LOCAL_AWS_ENV,
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'pets',
  };
}
