import {
  DeleteCommand,
  type DynamoDBDocumentClientResolvedConfig,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { AwsStub } from 'aws-sdk-client-mock';
import { encodePageToken } from '../page-token';
import type { Pet } from '../pet';
import { apiGatewayEvent } from './events';

/**
 * The handler's behaviour as one table of scenarios, shared by the unit tests (status, commands,
 * logs) and the contract tests (every response validates against the spec for its operation).
 */
export type DocumentClientMock = AwsStub<
  ServiceInputTypes,
  ServiceOutputTypes,
  DynamoDBDocumentClientResolvedConfig
>;
export type OperationId = 'listPets' | 'getPet' | 'createPet' | 'deletePet';

export interface Scenario {
  name: string;
  operationId: OperationId;
  event: () => APIGatewayProxyEvent;
  arrange?: (ddb: DocumentClientMock) => void;
  status: number;
}

export const STORED_PETS: [Pet, Pet] = [
  { id: 2, type: 'cat', breed: 'siamese', price: 40.5 },
  { id: 1, type: 'dog', breed: 'labrador', price: 250 },
];

/** An error as the AWS SDK throws it: its name is the service's exception, its message internal. */
export function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: message from AWS with internals`), { name, ...extra });
}

export const TRANSIENT_ERRORS: [string, Error][] = [
  ['throttling (ProvisionedThroughputExceededException)', awsError('ProvisionedThroughputExceededException')],
  ['throttling (ThrottlingException)', awsError('ThrottlingException')],
  ['throttling (RequestLimitExceeded)', awsError('RequestLimitExceeded')],
  ['an SDK timeout', awsError('TimeoutError')],
  ['a refused connection', awsError('Error', { code: 'ECONNREFUSED' })],
  ['a reset connection', awsError('Error', { code: 'ECONNRESET' })],
];

export const UNEXPECTED_ERRORS: [string, Error][] = [
  ['a validation error from DynamoDB', awsError('ValidationException')],
  ['a missing table', awsError('ResourceNotFoundException')],
  ['a plain bug', new TypeError('cannot read properties of undefined')],
];

export const listEvent = (query?: Record<string, string>) =>
  apiGatewayEvent({ method: 'GET', path: '/pets', query });
export const getEvent = (id: string) =>
  apiGatewayEvent({ method: 'GET', path: `/pets/${id}`, resource: '/pets/{id}', pathParameters: { id } });
export const deleteEvent = (id: string) =>
  apiGatewayEvent({ method: 'DELETE', path: `/pets/${id}`, resource: '/pets/{id}', pathParameters: { id } });
export const createEvent = (
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
) =>
  apiGatewayEvent({
    method: 'POST',
    path: '/pets',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** A tracing header one character over the contract's `maxLength: 128`. */
const longHeader = (name: string) => ({ [name]: 'r'.repeat(129) });

function withHeaders(event: APIGatewayProxyEvent, headers: Record<string, string>): APIGatewayProxyEvent {
  return { ...event, headers: { ...event.headers, ...headers } };
}

export const VALID_NEW_PET = { id: 7, type: 'dog', breed: 'beagle', price: 99.99 };

function failing(
  operationId: OperationId,
  event: () => APIGatewayProxyEvent,
  command: 'get' | 'put' | 'delete' | 'scan',
) {
  const fail: Record<typeof command, (ddb: DocumentClientMock, error: Error) => void> = {
    get: (ddb, error) => ddb.on(GetCommand).rejects(error),
    put: (ddb, error) => ddb.on(PutCommand).rejects(error),
    delete: (ddb, error) => ddb.on(DeleteCommand).rejects(error),
    scan: (ddb, error) => ddb.on(ScanCommand).rejects(error),
  };
  return [
    ...TRANSIENT_ERRORS.map(
      ([cause, error]): Scenario => ({
        name: `${operationId} answers 503 on ${cause}`,
        operationId,
        event,
        arrange: (ddb) => fail[command](ddb, error),
        status: 503,
      }),
    ),
    ...UNEXPECTED_ERRORS.map(
      ([cause, error]): Scenario => ({
        name: `${operationId} answers 500 on ${cause}`,
        operationId,
        event,
        arrange: (ddb) => fail[command](ddb, error),
        status: 500,
      }),
    ),
  ];
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'listPets answers 200 with every pet when one page holds them',
    operationId: 'listPets',
    event: () => listEvent(),
    arrange: (ddb) => ddb.on(ScanCommand).resolves({ Items: STORED_PETS }),
    status: 200,
  },
  {
    name: 'listPets answers 200 with an empty array for an empty table',
    operationId: 'listPets',
    event: () => listEvent({ limit: '5' }),
    arrange: (ddb) => ddb.on(ScanCommand).resolves({}),
    status: 200,
  },
  {
    name: 'listPets answers 200 with a Link header when another page exists',
    operationId: 'listPets',
    event: () => listEvent({ limit: '2' }),
    arrange: (ddb) => ddb.on(ScanCommand).resolves({ Items: STORED_PETS, LastEvaluatedKey: { id: 2 } }),
    status: 200,
  },
  {
    name: 'listPets answers 200 for a type query with a next page',
    operationId: 'listPets',
    event: () => listEvent({ type: 'dog', limit: '1' }),
    arrange: (ddb) =>
      ddb.on(QueryCommand).resolves({ Items: [STORED_PETS[1]], LastEvaluatedKey: { id: 1, type: 'dog' } }),
    status: 200,
  },
  {
    name: 'listPets answers 200 for the second page of a type query',
    operationId: 'listPets',
    event: () => listEvent({ type: 'dog', nextToken: encodePageToken({ id: 1, type: 'dog' }, 'dog') }),
    arrange: (ddb) => ddb.on(QueryCommand).resolves({ Items: [] }),
    status: 200,
  },
  ...(
    [
      { limit: '0' },
      { limit: '1001' },
      { limit: 'ten' },
      { limit: '-1' },
      { limit: '1.5' },
      { type: '' },
      { type: 'x'.repeat(51) },
      { nextToken: 'garbage' },
      { nextToken: encodePageToken({ id: 1, type: 'dog' }, 'dog'), type: 'cat' },
      { nextToken: encodePageToken({ id: 1 }, undefined), type: 'dog' },
    ] as Record<string, string>[]
  ).map(
    (query): Scenario => ({
      name: `listPets answers 400 for ${JSON.stringify(query)}`,
      operationId: 'listPets',
      event: () => listEvent(query),
      status: 400,
    }),
  ),
  ...failing('listPets', () => listEvent(), 'scan'),

  {
    name: 'getPet answers 200 with the stored pet',
    operationId: 'getPet',
    event: () => getEvent('1'),
    arrange: (ddb) => ddb.on(GetCommand).resolves({ Item: STORED_PETS[1] }),
    status: 200,
  },
  {
    name: 'getPet answers 404 for an id that is not stored',
    operationId: 'getPet',
    event: () => getEvent('404'),
    arrange: (ddb) => ddb.on(GetCommand).resolves({}),
    status: 404,
  },
  ...['abc', '0', '-1', '1.5', '9007199254740992', '01'].map(
    (id): Scenario => ({
      name: `getPet answers 400 for the id ${JSON.stringify(id)}`,
      operationId: 'getPet',
      event: () => getEvent(id),
      status: 400,
    }),
  ),
  ...failing('getPet', () => getEvent('1'), 'get'),

  {
    name: 'createPet answers 201 with the stored pet',
    operationId: 'createPet',
    event: () => createEvent(VALID_NEW_PET),
    arrange: (ddb) => ddb.on(PutCommand).resolves({}),
    status: 201,
  },
  {
    name: 'createPet answers 201 for numeric strings and untrimmed text',
    operationId: 'createPet',
    event: () => createEvent({ id: '8', type: ' cat ', breed: 'persian\n', price: '12.50' }),
    arrange: (ddb) => ddb.on(PutCommand).resolves({}),
    status: 201,
  },
  {
    name: 'createPet answers 409 when the id exists',
    operationId: 'createPet',
    event: () => createEvent(VALID_NEW_PET),
    arrange: (ddb) => ddb.on(PutCommand).rejects(awsError('ConditionalCheckFailedException')),
    status: 409,
  },
  ...(
    [
      ['an invalid pet', createEvent({ id: 0, type: '', breed: 5, price: 0.001, color: 'red' })],
      ['an empty object', createEvent({})],
      ['malformed JSON', createEvent('{"id": 1,')],
      ['an array', createEvent([VALID_NEW_PET])],
      ['an empty body', createEvent('')],
    ] as [string, APIGatewayProxyEvent][]
  ).map(
    ([what, event]): Scenario => ({
      name: `createPet answers 400 for ${what}`,
      operationId: 'createPet',
      event: () => event,
      status: 400,
    }),
  ),
  {
    name: 'createPet answers 413 for a body over 16 KiB',
    operationId: 'createPet',
    event: () => createEvent({ ...VALID_NEW_PET, breed: 'x'.repeat(17_000) }),
    status: 413,
  },
  {
    name: 'createPet answers 415 for a form body',
    operationId: 'createPet',
    event: () => createEvent('id=1', { 'content-type': 'application/x-www-form-urlencoded' }),
    status: 415,
  },
  {
    name: 'createPet answers 415 without a content type',
    operationId: 'createPet',
    event: () => createEvent(VALID_NEW_PET, {}),
    status: 415,
  },
  ...failing('createPet', () => createEvent(VALID_NEW_PET), 'put'),

  {
    name: 'deletePet answers 204 for a stored pet',
    operationId: 'deletePet',
    event: () => deleteEvent('1'),
    arrange: (ddb) => ddb.on(DeleteCommand).resolves({}),
    status: 204,
  },
  {
    name: 'deletePet answers 404 for an id that is not stored',
    operationId: 'deletePet',
    event: () => deleteEvent('404'),
    arrange: (ddb) => ddb.on(DeleteCommand).rejects(awsError('ConditionalCheckFailedException')),
    status: 404,
  },
  {
    name: 'deletePet answers 400 for a non-integer id',
    operationId: 'deletePet',
    event: () => deleteEvent('abc'),
    status: 400,
  },
  ...failing('deletePet', () => deleteEvent('1'), 'delete'),

  ...(
    [
      [
        'x-correlation-id',
        'createPet',
        () => createEvent(VALID_NEW_PET, { ...JSON_TYPE, ...longHeader('x-correlation-id') }),
      ],
      ['x-harness-run-id', 'listPets', () => withHeaders(listEvent(), longHeader('x-harness-run-id'))],
      ['x-correlation-id', 'deletePet', () => withHeaders(deleteEvent('1'), longHeader('x-correlation-id'))],
      ['x-harness-run-id', 'getPet', () => withHeaders(getEvent('1'), longHeader('x-harness-run-id'))],
    ] as [string, OperationId, () => APIGatewayProxyEvent][]
  ).map(
    ([name, operationId, event]): Scenario => ({
      name: `${operationId} answers 400 for an ${name} over 128 characters, touching nothing`,
      operationId,
      event,
      status: 400,
    }),
  ),
];
