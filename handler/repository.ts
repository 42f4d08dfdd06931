import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TYPE_INDEX } from '../definitions/table';
import type { PageKey } from './page-token';
import { type Pet, PetAlreadyExists, PetNotFound } from './pet';

/** The only file that speaks DynamoDB. */

/**
 * DynamoDB throttled us or could not be reached in time: 503 with Retry-After. The SDK's own
 * message stays on this error for the log; it never reaches a response body.
 */
export class DataStoreUnavailable extends Error {
  override readonly name = 'DataStoreUnavailable';
  constructor(cause: unknown) {
    super('DynamoDB is unavailable', { cause });
  }
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
// The service's own transient failures and the SDK's timeouts and network errors.
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'InternalServerError',
  'ServiceUnavailable',
  'AbortError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Whether an SDK error means "try again later" rather than a bug. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    THROTTLING.has(error.name) ||
    UNAVAILABLE_NAMES.has(error.name) ||
    (typeof code === 'string' && NETWORK_CODES.has(code))
  );
}

/**
 * The function's client, built once per execution environment. Timeouts: the function has 10 s
 * (definitions/function.ts). A DynamoDB call normally takes single-digit milliseconds, so 1 s to
 * connect and 2 s for the whole request mean the endpoint is stuck; with 2 attempts the worst case
 * is about 2 × 3 s plus the SDK's sub-second backoff, ~6.5 s, leaving time to log and answer 503
 * before Lambda kills the invocation (which would be a 502 with no log line of ours).
 */
export function createDocumentClient(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: env.AWS_REGION ?? 'us-east-1',
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      throwOnRequestTimeout: true,
    }),
  });
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent today: every command sends complete items and keys, and the SDK drops an absent top-level ExclusiveStartKey itself (document-client.test.ts); kept so an optional attribute added later cannot fail a write
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface PetPage {
  pets: Pet[];
  /** Where the next page starts; absent on the last page. */
  nextKey?: PageKey;
}

export interface PetRepository {
  get(id: number): Promise<Pet>;
  create(pet: Pet): Promise<Pet>;
  remove(id: number): Promise<void>;
  list(options: { limit: number; type?: string; startKey?: PageKey }): Promise<PetPage>;
}

function toPet(item: Record<string, unknown>): Pet {
  return {
    id: Number(item.id),
    type: String(item.type),
    breed: String(item.breed),
    price: Number(item.price),
  };
}

async function translate<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw isTransient(error) ? new DataStoreUnavailable(error) : error;
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Pets in `tableName`, through `client` (the function's, or a test's own). */
export function petRepository(client: DynamoDBDocumentClient, tableName: string): PetRepository {
  return {
    async get(id) {
      const { Item } = await translate(client.send(new GetCommand({ TableName: tableName, Key: { id } })));
      if (!Item) throw new PetNotFound(id);
      return toPet(Item);
    },

    async create(pet) {
      const put = new PutCommand({
        TableName: tableName,
        Item: pet,
        // Never overwrite: of two racing creates with one id, exactly one wins.
        ConditionExpression: 'attribute_not_exists(id)',
      });
      await translate(client.send(put)).catch((error: unknown) => {
        throw isConditionFailure(error) ? new PetAlreadyExists(pet.id) : error;
      });
      return pet;
    },

    async remove(id) {
      const remove = new DeleteCommand({
        TableName: tableName,
        Key: { id },
        ConditionExpression: 'attribute_exists(id)',
      });
      await translate(client.send(remove)).catch((error: unknown) => {
        throw isConditionFailure(error) ? new PetNotFound(id) : error;
      });
    },

    async list({ limit, type, startKey }) {
      // With a type: a Query on the type index (sorted by id), never a Scan with a filter.
      const command =
        type === undefined
          ? new ScanCommand({ TableName: tableName, Limit: limit, ExclusiveStartKey: startKey })
          : new QueryCommand({
              TableName: tableName,
              IndexName: TYPE_INDEX.indexName,
              KeyConditionExpression: '#type = :type',
              ExpressionAttributeNames: { '#type': 'type' },
              ExpressionAttributeValues: { ':type': type },
              Limit: limit,
              ExclusiveStartKey: startKey,
            });
      const { Items = [], LastEvaluatedKey } = await translate(client.send(command));
      const pets = Items.map(toPet).sort((a, b) => a.id - b.id);
      if (!LastEvaluatedKey) return { pets };
      const nextKey: PageKey =
        type === undefined
          ? { id: Number(LastEvaluatedKey.id) }
          : { id: Number(LastEvaluatedKey.id), type: String(LastEvaluatedKey.type) };
      return { pets, nextKey };
    },
  };
}
