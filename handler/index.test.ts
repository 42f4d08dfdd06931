import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { TYPE_INDEX } from '../definitions/table';
import { apiGatewayEvent, lambdaContext } from './test/events';
import { invoke } from './test/invoke';
import {
  awsError,
  createEvent,
  deleteEvent,
  getEvent,
  listEvent,
  SCENARIOS,
  STORED_PETS,
  TRANSIENT_ERRORS,
  UNEXPECTED_ERRORS,
  VALID_NEW_PET,
} from './test/scenarios';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'pets-unit';

beforeEach(() => {
  ddb.reset();
  process.env.TABLE_NAME = TABLE;
});

afterEach(() => {
  delete process.env.TABLE_NAME;
});

describe('every scenario', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))('%s', async (_name, scenario) => {
    scenario.arrange?.(ddb);

    const response = await invoke(scenario.event());

    expect(response.status).toBe(scenario.status);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    if (scenario.status === 204) expect(response.rawBody).toBe('');
    else expect(() => JSON.parse(response.rawBody)).not.toThrow();
    if (scenario.status >= 400)
      expect(response.body).toEqual(expect.objectContaining({ message: expect.any(String) }));
  });

  // 404 and 409 come from a conditional write DynamoDB refused; every other 4xx is decided before any write.
  const decidedBeforeWriting = SCENARIOS.filter(
    (scenario) =>
      scenario.status >= 400 && scenario.status < 500 && scenario.status !== 404 && scenario.status !== 409,
  );

  it.each(decidedBeforeWriting.map((scenario) => [scenario.name, scenario] as const))(
    'sends no write when it %s',
    async (_name, scenario) => {
      scenario.arrange?.(ddb);

      await invoke(scenario.event());

      expect(ddb).not.toHaveReceivedCommand(PutCommand);
      expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    },
  );
});

describe('GET /pets', () => {
  it('scans the table with the default limit and returns the page sorted by id', async () => {
    ddb.on(ScanCommand).resolves({ Items: STORED_PETS });

    const response = await invoke(listEvent());

    expect(ddb).toHaveReceivedCommandWith(ScanCommand, { TableName: TABLE, Limit: 100 });
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    expect(response.body).toEqual([STORED_PETS[1], STORED_PETS[0]]);
    expect(response.headers.link).toBeUndefined();
  });

  it('queries the type index, never scans, when a type is given', async () => {
    ddb.on(QueryCommand).resolves({ Items: [STORED_PETS[1]] });

    const response = await invoke(listEvent({ type: 'dog', limit: '10' }));

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: TABLE,
      IndexName: TYPE_INDEX.indexName,
      KeyConditionExpression: '#type = :type',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'dog' },
      Limit: 10,
    });
    expect(ddb).not.toHaveReceivedCommand(ScanCommand);
    expect(response.body).toEqual([STORED_PETS[1]]);
  });

  it('announces the next page with a Link under the stage and follows it with the same query', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [STORED_PETS[1]], LastEvaluatedKey: { id: 1, type: 'dog' } })
      .resolves({ Items: [] });

    const first = await invoke(listEvent({ type: 'dog', limit: '1' }));
    const link = first.headers.link ?? '';
    const match = /^<(http:\/\/127\.0\.0\.1:3000\/default\/pets\?[^>]+)>; rel="next"$/u.exec(link);
    expect(match).not.toBeNull();
    const next = new URL(match?.[1] ?? '');
    expect(next.searchParams.get('limit')).toBe('1');
    expect(next.searchParams.get('type')).toBe('dog');
    const second = await invoke(listEvent(Object.fromEntries(next.searchParams)));

    expect(second.status).toBe(200);
    expect(ddb).toHaveReceivedNthCommandWith(2, QueryCommand, { ExclusiveStartKey: { id: 1, type: 'dog' } });
  });

  it('builds the Link from the forwarded protocol and host of a deployed stage', async () => {
    ddb.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { id: 9 } });
    const event = apiGatewayEvent({
      method: 'GET',
      path: '/pets',
      query: { limit: '3' },
      headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' },
    });

    const response = await invoke(event);

    expect(response.headers.link).toMatch(
      /^<https:\/\/abc\.execute-api\.eu-west-1\.amazonaws\.com\/default\/pets\?limit=3&nextToken=[^>]+>; rel="next"$/u,
    );
  });

  it('answers 400 naming nextToken for a token with a damaged digest', async () => {
    ddb.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { id: 9 } });
    const first = await invoke(listEvent({ limit: '1' }));
    const token = new URL((first.headers.link ?? '').slice(1, -13)).searchParams.get('nextToken') ?? '';

    const response = await invoke(
      listEvent({ nextToken: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }),
    );

    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'nextToken' })] }),
    );
    expect(ddb).toHaveReceivedCommandTimes(ScanCommand, 1);
  });

  it('lists every failing query parameter', async () => {
    const response = await invoke(listEvent({ limit: '0', type: '' }));

    expect(response.body).toEqual({
      message: 'Invalid query',
      errors: [
        { field: 'limit', message: expect.any(String) },
        { field: 'type', message: expect.any(String) },
      ],
    });
  });
});

describe('GET and DELETE /pets/{id}', () => {
  it('reads the pet by its numeric key', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });

    const response = await invoke(getEvent('2'));

    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { id: 2 } });
    expect(response.body).toEqual(STORED_PETS[0]);
  });

  it('deletes only an existing pet, by condition', async () => {
    ddb.on(DeleteCommand).resolves({});

    const response = await invoke(deleteEvent('2'));

    expect(response.status).toBe(204);
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      TableName: TABLE,
      Key: { id: 2 },
      ConditionExpression: 'attribute_exists(id)',
    });
  });

  it('answers 404 naming the pet when it is not stored, for a read and a delete', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(DeleteCommand).rejects(awsError('ConditionalCheckFailedException'));

    const responses = [await invoke(getEvent('7')), await invoke(deleteEvent('7'))];

    expect(responses.map(({ status, body }) => ({ status, body }))).toEqual([
      { status: 404, body: { message: 'Pet 7 not found' } },
      { status: 404, body: { message: 'Pet 7 not found' } },
    ]);
  });

  it.each([['abc'], ['0'], ['9007199254740992']])('sends nothing to DynamoDB for the id %s', async (id) => {
    const responses = [await invoke(getEvent(id)), await invoke(deleteEvent(id))];

    expect(responses.map((response) => response.status)).toEqual([400, 400]);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('POST /pets', () => {
  it('stores the pet with a condition on the key and answers 201 with Location', async () => {
    ddb.on(PutCommand).resolves({});

    const response = await invoke(
      createEvent({ id: '8', type: ' cat ', breed: 'persian\n', price: '12.50' }),
    );

    const stored = { id: 8, type: 'cat', breed: 'persian', price: 12.5 };
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: stored,
      ConditionExpression: 'attribute_not_exists(id)',
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual(stored);
    expect(response.headers.location).toBe('http://127.0.0.1:3000/default/pets/8');
  });

  it('answers 409 and overwrites nothing when the id exists', async () => {
    ddb.on(PutCommand).rejects(awsError('ConditionalCheckFailedException'));

    const response = await invoke(createEvent(VALID_NEW_PET));

    expect(response.status).toBe(409);
    expect(response.body).toEqual({ message: 'Pet 7 already exists' });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('lists every failing field of an invalid body', async () => {
    const response = await invoke(createEvent({ id: 0, type: '', breed: 5, price: 0.001, color: 'red' }));

    expect(response.body).toEqual({
      message: 'Invalid pet',
      errors: ['id', 'type', 'breed', 'price', 'color'].map((field) => ({
        field,
        message: expect.any(String),
      })),
    });
  });

  it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON;charset=UTF-8']])(
    'accepts the content type %s',
    async (contentType) => {
      ddb.on(PutCommand).resolves({});

      const response = await invoke(createEvent(VALID_NEW_PET, { 'Content-Type': contentType }));

      expect(response.status).toBe(201);
    },
  );

  it.each([
    ['text/plain'],
    ['application/jsonp'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data'],
  ])('answers 415 for the content type %s', async (contentType) => {
    const response = await invoke(createEvent(VALID_NEW_PET, { 'content-type': contentType }));

    expect(response.status).toBe(415);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('decodes a base64-encoded body before validating it', async () => {
    ddb.on(PutCommand).resolves({});
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/pets',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(VALID_NEW_PET)).toString('base64'),
      isBase64Encoded: true,
    });

    const response = await invoke(event);

    expect(response.status).toBe(201);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: VALID_NEW_PET });
  });

  it.each([
    ['exactly 16 KiB', 16 * 1024, 400],
    ['one byte over 16 KiB', 16 * 1024 + 1, 413],
  ])('measures the decoded body: %s answers %s', async (_what, bytes, status) => {
    const body = Buffer.alloc(bytes, ' ');
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/pets',
      headers: { 'content-type': 'application/json' },
      body: body.toString('base64'),
      isBase64Encoded: true,
    });

    const response = await invoke(event);

    expect(response.status).toBe(status);
  });

  it('counts bytes, not characters, against the 16 KiB limit', async () => {
    // 6,000 three-byte characters: 18,000 bytes in 6,000 UTF-16 units.
    const response = await invoke(createEvent({ ...VALID_NEW_PET, breed: '€'.repeat(6_000) }));

    expect(response.status).toBe(413);
  });
});

describe('errors and their bodies', () => {
  it.each(TRANSIENT_ERRORS)('answers 503 with Retry-After on %s', async (_cause, error) => {
    ddb.on(GetCommand).rejects(error);

    const response = await invoke(getEvent('1'));

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toEqual({ message: 'Service unavailable, retry later' });
    expect(response.rawBody).not.toMatch(/AWS|internals|stack|at /u);
  });

  it.each(TRANSIENT_ERRORS)(
    'logs a 503 on %s at ERROR, with the SDK error as its cause',
    async (_cause, error) => {
      ddb.on(GetCommand).rejects(error);

      const response = await invoke(getEvent('1'));

      expect(response.logs.filter((line) => line.level === 'ERROR')).toEqual([
        expect.objectContaining({
          message: 'request failed',
          error: expect.objectContaining({
            name: 'DataStoreUnavailable',
            message: 'DynamoDB is unavailable',
            cause: expect.objectContaining({ name: error.name, message: error.message }),
          }),
        }),
      ]);
    },
  );

  it.each(UNEXPECTED_ERRORS)(
    'answers a bare 500 on %s and logs the cause at ERROR',
    async (_cause, error) => {
      ddb.on(ScanCommand).rejects(error);

      const response = await invoke(listEvent());

      expect(response.status).toBe(500);
      expect(response.body).toEqual({ message: 'Internal server error' });
      const errorLine = response.logs.find((line) => line.level === 'ERROR');
      expect(errorLine).toEqual(
        expect.objectContaining({
          error: expect.objectContaining({
            name: error.name,
            message: error.message,
            stack: expect.any(String),
          }),
          correlation_id: expect.any(String),
          function_request_id: expect.any(String),
        }),
      );
    },
  );

  it('answers 500 and logs a clear ERROR when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;

    const response = await invoke(getEvent('1'));

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ message: 'Internal server error' });
    expect(response.logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        error: expect.objectContaining({ message: expect.stringContaining('TABLE_NAME') }),
      }),
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 404 for a route the API does not have', async () => {
    const response = await invoke(apiGatewayEvent({ method: 'PUT', path: '/pets' }));

    expect(response.status).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('logging and correlation', () => {
  it('writes exactly one request completed line with the fields the log check reads', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const event = apiGatewayEvent({
      method: 'GET',
      path: '/pets/2',
      resource: '/pets/{id}',
      pathParameters: { id: '2' },
      headers: { 'X-Correlation-Id': 'corr-1', 'x-harness-run-id': 'run-1' },
    });

    const response = await invoke(event, lambdaContext({ awsRequestId: 'aws-request-1' }));

    const completed = response.logs.filter((line) => line.message === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'pets',
        function_name: 'Pets',
        function_request_id: 'aws-request-1',
        correlation_id: 'corr-1',
        run_id: 'run-1',
        cold_start: expect.any(Boolean),
        method: 'GET',
        resource: '/pets/{id}',
        path: '/pets/2',
        status: 200,
        duration_ms: expect.any(Number),
      }),
    ]);
    expect(response.headers['x-correlation-id']).toBe('corr-1');
  });

  it('uses the API Gateway request id as correlation id when the caller sent none', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const event = apiGatewayEvent({
      method: 'GET',
      path: '/pets/2',
      resource: '/pets/{id}',
      pathParameters: { id: '2' },
      requestId: 'gateway-request-1',
    });

    const response = await invoke(event);

    expect(response.headers['x-correlation-id']).toBe('gateway-request-1');
    expect(response.logs).toContainEqual(expect.objectContaining({ correlation_id: 'gateway-request-1' }));
  });

  it('generates a correlation id when neither header nor request id exist', async () => {
    const event = { ...listEvent({ limit: '0' }), headers: {}, multiValueHeaders: {} };
    event.requestContext = { ...event.requestContext, requestId: '' };

    const response = await invoke(event);

    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('generates a correlation id for a direct invoke, whose event has no request context', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const { requestContext: _dropped, ...event } = { ...getEvent('2'), headers: {}, multiValueHeaders: {} };

    const response = await invoke(event as unknown as APIGatewayProxyEvent);

    expect(response.status).toBe(200);
    expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('does not carry one request’s correlation id into the next', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const first = apiGatewayEvent({
      ...getEventOptions('2'),
      headers: { 'x-correlation-id': 'a', 'x-harness-run-id': 'r' },
    });

    await invoke(first);
    const second = await invoke(getEvent('2'));

    expect(second.logs.find((line) => line.message === 'request completed')).not.toHaveProperty('run_id');
  });
});

describe('tracing headers over the contract’s 128 characters', () => {
  it('answers 400 naming both, echoes a generated correlation id and logs neither', async () => {
    const event = apiGatewayEvent({
      ...getEventOptions('2'),
      headers: { 'x-correlation-id': 'c'.repeat(129), 'X-Harness-Run-Id': 'r'.repeat(129) },
      requestId: 'gateway-request-2',
    });

    const response = await invoke(event);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      message: 'Invalid headers',
      errors: [
        { field: 'x-correlation-id', message: 'must be at most 128 characters long' },
        { field: 'x-harness-run-id', message: 'must be at most 128 characters long' },
      ],
    });
    expect(response.headers['x-correlation-id']).toBe('gateway-request-2');
    const completed = response.logs.find((line) => line.message === 'request completed');
    expect(completed).toEqual(expect.objectContaining({ correlation_id: 'gateway-request-2', status: 400 }));
    expect(completed).not.toHaveProperty('run_id');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('accepts both at exactly 128 characters, counted in code points', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const correlationId = '😀'.repeat(128);
    const event = apiGatewayEvent({
      ...getEventOptions('2'),
      headers: { 'x-correlation-id': correlationId, 'x-harness-run-id': 'r'.repeat(128) },
    });

    const response = await invoke(event);

    expect(response.status).toBe(200);
    expect(response.headers['x-correlation-id']).toBe(correlationId);
    expect(response.logs).toContainEqual(expect.objectContaining({ run_id: 'r'.repeat(128) }));
  });
});

function getEventOptions(id: string) {
  return { method: 'GET', path: `/pets/${id}`, resource: '/pets/{id}', pathParameters: { id } };
}

describe('arbitrary bodies', () => {
  it('never answer 5xx and never write a body answered with 4xx', async () => {
    ddb.on(PutCommand).resolves({});
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc
            .record(
              { id: fc.jsonValue(), type: fc.jsonValue(), breed: fc.jsonValue(), price: fc.jsonValue() },
              { requiredKeys: [] },
            )
            .map((value) => JSON.stringify(value)),
        ),
        async (body) => {
          ddb.resetHistory();
          const response = await invoke(createEvent(body));

          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(ddb).not.toHaveReceivedCommand(PutCommand);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('request completed duration', () => {
  it('logs a whole number of milliseconds no longer than the invocation took', async () => {
    ddb.on(GetCommand).resolves({ Item: STORED_PETS[0] });
    const before = performance.now();

    const response = await invoke(getEvent('2'));

    const elapsed = performance.now() - before;
    const completed = response.logs.find((line) => line.message === 'request completed');
    const duration = completed?.duration_ms;
    expect(Number.isInteger(duration)).toBe(true);
    expect(duration).toBeGreaterThanOrEqual(0);
    expect(duration).toBeLessThanOrEqual(Math.ceil(elapsed));
  });
});

describe('what is logged at ERROR', () => {
  it('logs nothing at ERROR for a request the client got wrong', async () => {
    const response = await invoke(listEvent({ limit: '0' }));

    expect(response.status).toBe(400);
    expect(response.logs.filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('logs the unavailable data store at ERROR with its 503', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    const response = await invoke(getEvent('1'));

    expect(response.status).toBe(503);
    expect(response.logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'request failed' }),
    );
  });
});

describe('error names in the log', () => {
  it('names a missing TABLE_NAME a MisconfiguredFunction in the ERROR line', async () => {
    delete process.env.TABLE_NAME;

    const response = await invoke(getEvent('1'));

    expect(response.logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        error: expect.objectContaining({ name: 'MisconfiguredFunction' }),
      }),
    );
  });
});
