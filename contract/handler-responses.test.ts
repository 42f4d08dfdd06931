import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { invoke, SCENARIOS } from '../handler/testing';
import { responseChecker } from './response-check';
import { loadSpec, operations } from './spec';

/**
 * Every response the handler gives across the unit scenarios (handler/test/scenarios.ts) is what
 * the spec documents for its operation and status.
 */
const ddb = mockClient(DynamoDBDocumentClient);
const check = responseChecker();
const observed = new Map<string, Set<number>>();

beforeAll(() => {
  process.env.TABLE_NAME = 'pets-contract';
});

afterAll(() => {
  delete process.env.TABLE_NAME;
});

beforeEach(() => {
  ddb.reset();
});

describe('handler responses', () => {
  it.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
    '%s, as the spec documents',
    async (_name, scenario) => {
      scenario.arrange?.(ddb);

      const response = await invoke(scenario.event());

      expect(response.status).toBe(scenario.status);
      expect(check(scenario.operationId, response)).toEqual([]);
      observed.set(
        scenario.operationId,
        (observed.get(scenario.operationId) ?? new Set()).add(response.status),
      );
    },
  );

  it('cover every status the spec documents the function answering, for every operation', () => {
    const missing = operations().flatMap((operation) =>
      operation.functionStatuses
        .filter((status) => !observed.get(operation.operationId)?.has(status))
        .map((status) => `${operation.operationId} ${status}`),
    );

    expect(missing).toEqual([]);
  });
});

describe('the response check', () => {
  const created = {
    status: 201,
    headers: { location: 'http://h/default/pets/1' },
    body: { id: 1, type: 'dog', breed: 'b', price: 1 },
  };

  it('fails a response whose status the spec does not document, naming it', () => {
    expect(check('createPet', { ...created, status: 418 })).toEqual([
      'createPet answered 418, a status the spec does not document for it',
    ]);
  });

  it('fails when a status is removed from the spec', () => {
    const spec = structuredClone(loadSpec());
    const createPet = spec.paths['/pets']?.post as { responses: Record<string, unknown> };
    delete createPet.responses['409'];

    const problems = responseChecker(spec)('createPet', {
      status: 409,
      headers: {},
      body: { message: 'exists' },
    });

    expect(problems).toEqual(['createPet answered 409, a status the spec does not document for it']);
  });

  it.each([
    ['a body that breaks the schema', { ...created, body: { id: 1 } }, /body/u],
    ['an undocumented header', { ...created, headers: { 'x-secret': '1' } }, /x-secret/u],
    [
      'a 503 with a non-numeric Retry-After',
      { status: 503, headers: { 'retry-after': 'soon' }, body: { message: 'x' } },
      /retry-after/u,
    ],
    ['a body on a 204', { status: 204, headers: {}, body: { message: 'gone' } }, /has a body/u],
    ['a price with three decimals', { ...created, body: { ...created.body, price: 1.005 } }, /multiple/u],
  ])('fails %s', (_what, response, problem) => {
    const operationId =
      response.status === 204 ? 'deletePet' : response.status === 503 ? 'getPet' : 'createPet';

    expect(check(operationId, response)).toEqual([expect.stringMatching(problem)]);
  });

  it('fails an operation the spec does not have', () => {
    expect(check('updatePet', created)).toEqual(['the spec has no operation updatePet']);
  });
});
