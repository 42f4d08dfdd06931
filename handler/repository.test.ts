import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PetAlreadyExists } from './pet';
import { createDocumentClient, DataStoreUnavailable, isTransient, petRepository } from './repository';

const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
});

describe('createDocumentClient', () => {
  it('points at DYNAMODB_ENDPOINT with bounded attempts and timeouts', async () => {
    const client = createDocumentClient({
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });

    expect(await client.config.region()).toBe('eu-west-1');
    expect((await client.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    expect(await client.config.maxAttempts()).toBe(2);
    expect(client.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it('defaults to us-east-1 and the regional endpoint', async () => {
    const client = createDocumentClient({});

    expect(await client.config.region()).toBe('us-east-1');
    expect(client.config.endpoint).toBeUndefined();
  });
});

describe('isTransient', () => {
  it.each([
    ['a throttle', Object.assign(new Error('x'), { name: 'ThrottlingException' }), true],
    ['an SDK timeout', Object.assign(new Error('x'), { name: 'TimeoutError' }), true],
    ['a DNS failure', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), true],
    ['a validation error', Object.assign(new Error('x'), { name: 'ValidationException' }), false],
    ['an error with a numeric code', Object.assign(new Error('x'), { code: 5 }), false],
    ['a thrown string', 'ECONNRESET', false],
  ])('classifies %s as transient: %s', (_what, error, transient) => {
    expect(isTransient(error)).toBe(transient);
  });
});

describe('petRepository', () => {
  const client = DynamoDBDocumentClient.from(createDocumentClient({}));
  const pets = petRepository(client, 'pets-repo');

  it('turns a refused conditional put into PetAlreadyExists', async () => {
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('refused'), { name: 'ConditionalCheckFailedException' }));

    await expect(pets.create({ id: 1, type: 'dog', breed: 'b', price: 1 })).rejects.toBeInstanceOf(
      PetAlreadyExists,
    );
  });

  it('wraps throttling in DataStoreUnavailable, keeping the cause for the log', async () => {
    const throttle = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(ScanCommand).rejects(throttle);

    await expect(pets.list({ limit: 5 })).rejects.toEqual(
      expect.objectContaining({ name: 'DataStoreUnavailable', cause: throttle }),
    );
    await expect(pets.list({ limit: 5 })).rejects.toBeInstanceOf(DataStoreUnavailable);
  });

  it('passes the start key to a query and returns the next key with its type', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [{ id: 9, type: 'dog', breed: 'b', price: 1 }],
      LastEvaluatedKey: { id: 9, type: 'dog' },
    });

    const page = await pets.list({ limit: 1, type: 'dog', startKey: { id: 3, type: 'dog' } });

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ExclusiveStartKey: { id: 3, type: 'dog' },
      Limit: 1,
    });
    expect(page).toEqual({
      pets: [{ id: 9, type: 'dog', breed: 'b', price: 1 }],
      nextKey: { id: 9, type: 'dog' },
    });
  });

  it('returns only the pet attributes of a stored item', async () => {
    ddb.on(ScanCommand).resolves({ Items: [{ id: 9, type: 'dog', breed: 'b', price: 1, extra: 'x' }] });

    expect(await pets.list({ limit: 1 })).toEqual({ pets: [{ id: 9, type: 'dog', breed: 'b', price: 1 }] });
  });
});

describe('isTransient, every documented case', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'TimeoutError',
    'InternalServerError',
    'ServiceUnavailable',
    'AbortError',
  ])('treats an error named %s as transient', (name) => {
    expect(isTransient(Object.assign(new Error('x'), { name }))).toBe(true);
  });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
  ])('treats the network error %s as transient', (code) => {
    expect(isTransient(Object.assign(new Error('x'), { code }))).toBe(true);
  });

  it('does not treat an unknown network code as transient', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
  });
});

describe('petRepository scans', () => {
  const pets = petRepository(DynamoDBDocumentClient.from(createDocumentClient({})), 'pets-scan');

  it('passes the start key to a scan and returns the next key without a type', async () => {
    ddb.on(ScanCommand).resolves({
      Items: [{ id: 5, type: 'cat', breed: 'b', price: 1 }],
      LastEvaluatedKey: { id: 5, type: 'cat' },
    });

    const page = await pets.list({ limit: 1, startKey: { id: 4 } });

    expect(ddb).toHaveReceivedCommandWith(ScanCommand, {
      TableName: 'pets-scan',
      Limit: 1,
      ExclusiveStartKey: { id: 4 },
    });
    expect(page.nextKey).toEqual({ id: 5 });
  });
});
