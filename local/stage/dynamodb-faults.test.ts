import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanRaw, testClient } from '../../integration/support/dynamodb';
import { type LocalApi, startLocalApi } from '../index';
import { DYNAMODB_FAULTS, FAULT_HEADER } from './dynamodb-faults';

/**
 * The real bundle behind a stage that honours `x-harness-fault`: each fault fails every DynamoDB
 * call of the invocation that asked for it, as DynamoDB fails, and reaches nothing; the others
 * pass. The stage ties each call to its invocation: the access patterns per route come from it.
 */
describe('DynamoDB faults on the stage, per invocation', () => {
  let api: LocalApi;
  let logDir: string;
  const tableName = `pets-faults-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'stage-faults-logs-'));
    api = await startLocalApi({ port: 0, tableName, logDir, faultInjection: true, log: () => undefined });
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  async function call(path: string, fault?: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (fault) headers.set(FAULT_HEADER, fault);
    const response = await fetch(`${api.url}${path}`, { ...init, headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  it('fails the calls as DynamoDB does: 503 + Retry-After for transient faults, a plain 500 for the other', async () => {
    const transient = ['throughput-exceeded', 'throttling', 'internal-error', 'unavailable', 'reset'];

    const answers = await Promise.all(
      [...transient, 'table-not-found'].map((fault) => call('/pets/1', fault)),
    );

    expect(answers.map((answer) => [answer.status, answer.headers.get('retry-after')])).toEqual([
      ...transient.map(() => [503, '1']),
      [500, null],
    ]);
    expect(JSON.parse(answers[0]?.body ?? '')).toEqual({ message: 'Service unavailable, retry later' });
  });

  it('never lets a faulted write reach the table', async () => {
    const before = await scanRaw(testClient(), tableName);
    const pet = { id: 987_654, type: 'fish', breed: 'guppy', price: 3 };
    const json = {
      method: 'POST',
      body: JSON.stringify(pet),
      headers: { 'content-type': 'application/json' },
    };

    const answers = await Promise.all([
      call('/pets', 'internal-error', json),
      call('/pets/1', 'reset', { method: 'DELETE' }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([503, 503]);
    expect(await scanRaw(testClient(), tableName)).toEqual(before);
  });

  it('refuses a fault it does not know, naming the ones it does', async () => {
    const answer = await call('/pets/1', 'meltdown');

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toBe(
      `unknown ${FAULT_HEADER} 'meltdown': one of ${DYNAMODB_FAULTS.join(', ')}`,
    );
  });

  it('records each route’s DynamoDB calls, items read and returned, and leaves faulted invocations out', async () => {
    const before = new Map(api.stage.accessPatterns().map((route) => [route.route, route]));
    await call('/pets?type=dog');
    await call('/pets/2');
    await call('/pets?limit=5');
    await call('/pets/3', 'throttling');

    const routes = new Map(api.stage.accessPatterns().map((route) => [route.route, route]));
    const added = (route: string, field: 'requests' | 'itemsRead' | 'itemsReturned') =>
      (routes.get(route)?.[field] ?? 0) - (before.get(route)?.[field] ?? 0);
    expect(routes.get('GET /pets?type=')).toMatchObject({
      keys: [{ attribute: 'type', index: 'type-index' }],
      operations: { 'Query type-index': expect.any(Number) },
    });
    expect(Object.keys(routes.get('GET /pets?type=')?.operations ?? {})).toEqual(['Query type-index']);
    expect(added('GET /pets?type=', 'itemsRead')).toBe(added('GET /pets?type=', 'itemsReturned'));
    expect(added('GET /pets?type=', 'itemsRead')).toBeGreaterThan(0);
    expect(routes.get('GET /pets/{id}')).toMatchObject({
      keys: [{ attribute: 'id' }],
      operations: { GetItem: 1 },
    });
    expect(added('GET /pets/{id}', 'requests')).toBe(1);
    expect(added('GET /pets', 'itemsRead')).toBe(5);
    expect(routes.get('GET /pets')?.readUnits).toBeGreaterThan(0);
  });
});
