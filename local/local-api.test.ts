import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalApi, startLocalApi } from './index';
import { readLogEvents } from './logs';

/**
 * The real bundle (dist/handler, built when stale) behind the stage, over HTTP, on the DynamoDB the
 * jest run started: what newman, k6 and the log check see.
 */
describe('the local API end to end', () => {
  let api: LocalApi;
  let logDir: string;
  const runId = `stage-e2e-${randomUUID().slice(0, 8)}`;
  const tableName = `pets-stage-e2e-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'local-api-test-logs-'));
    api = await startLocalApi({ port: 0, tableName, logDir, log: () => undefined });
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  function call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-harness-run-id', runId);
    if (!headers.has('x-correlation-id')) headers.set('x-correlation-id', randomUUID());
    return fetch(`${api.url}${path}`, { ...init, headers });
  }

  it('reports where it runs', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/default$/u);
    expect(api.tableName).toBe(tableName);
    expect(api.logGroupName).toBe('/aws/lambda/Pets');
    expect(api.endpoint).toMatch(/^http:\/\//u);
  });

  it('lists the 20 seed pets as JSON and echoes the correlation id', async () => {
    const response = await call('/pets', { headers: { 'x-correlation-id': 'corr-list' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/u);
    expect(response.headers.get('x-correlation-id')).toBe('corr-list');
    expect(((await response.json()) as unknown[]).length).toBe(20);
  });

  it('announces the next page with a Link under the stage URL', async () => {
    const response = await call('/pets?limit=5');
    expect(response.status).toBe(200);
    expect(response.headers.get('link')).toMatch(
      new RegExp(`^<${api.url}/pets\\?[^>]*nextToken=[^>]+>; rel="next"$`, 'u'),
    );
  });

  it('creates, reads and deletes a pet, with a Location under the stage URL', async () => {
    const id = 900_000 + Math.floor(Math.random() * 99_999);
    const created = await call('/pets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, type: 'dog', breed: 'Stage Hound', price: 12.5 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${api.url}/pets/${id}`);
    const read = await call(`/pets/${id}`);
    expect(await read.json()).toEqual({ id, type: 'dog', breed: 'Stage Hound', price: 12.5 });
    expect((await call(`/pets/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/pets/${id}`)).status).toBe(404);
  });

  it('ignores x-harness-fault unless the stage was started with fault injection', async () => {
    const response = await call('/pets/1', { headers: { 'x-harness-fault': 'throttling' } });
    expect(response.status).toBe(200);
  });

  it('answers an unknown route at the gateway with 403', async () => {
    const response = await call('/owners');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('logs one request completed line per function call, each with its REPORT', async () => {
    const correlationId = randomUUID();
    const response = await call('/pets/1', { headers: { 'x-correlation-id': correlationId } });
    expect(response.status).toBe(200);
    const messages = readLogEvents({ logGroupName: api.logGroupName, dir: logDir }).map(
      (event) => event.message,
    );
    const completed = messages
      .filter((message) => message.startsWith('{'))
      .map((message) => JSON.parse(message) as Record<string, unknown>)
      .filter((line) => line.message === 'request completed' && line.correlation_id === correlationId);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      level: 'INFO',
      service: 'pets',
      function_name: 'Pets',
      run_id: runId,
      method: 'GET',
      resource: '/pets/{id}',
      path: '/pets/1',
      status: 200,
    });
    const requestId = String(completed[0]?.function_request_id);
    expect(messages).toContain(`START RequestId: ${requestId} Version: $LATEST`);
    expect(messages).toContain(`END RequestId: ${requestId}`);
    expect(messages.some((message) => message.startsWith(`REPORT RequestId: ${requestId}\tDuration: `))).toBe(
      true,
    );
  });

  it('reports a cold start in the handler log exactly where the runtime logs an Init Duration', async () => {
    await call('/pets/2');
    const messages = readLogEvents({ logGroupName: api.logGroupName, dir: logDir }).map(
      (event) => event.message,
    );
    const coldStarts = messages
      .filter((message) => message.startsWith('{'))
      .map((message) => JSON.parse(message) as Record<string, unknown>)
      .filter((line) => line.message === 'request completed' && line.cold_start === true);
    const initReports = messages.filter(
      (message) => message.startsWith('REPORT') && message.includes('Init Duration'),
    );
    expect(initReports.length).toBeGreaterThanOrEqual(1);
    expect(coldStarts).toHaveLength(initReports.length);
  });

  it('leaves no work in flight at any return, on every route and status (the bundle as deployed)', async () => {
    const id = 800_000 + Math.floor(Math.random() * 99_999);
    const json = { 'content-type': 'application/json' };
    const pet = JSON.stringify({ id, type: 'cat', breed: 'Frozen Tabby', price: 3 });
    const statuses = [];
    for (let round = 0; round < 3; round++) {
      statuses.push((await call('/pets')).status);
      statuses.push((await call('/pets?type=cat&limit=2')).status);
      statuses.push((await call('/pets', { method: 'POST', headers: json, body: pet })).status);
      statuses.push((await call('/pets', { method: 'POST', headers: json, body: pet })).status);
      statuses.push((await call(`/pets/${id}`)).status);
      statuses.push((await call('/pets', { method: 'POST', headers: json, body: '{"id":"x"}' })).status);
      statuses.push((await call(`/pets/${id}`, { method: 'DELETE' })).status);
      statuses.push((await call(`/pets/${id}`, { method: 'DELETE' })).status);
    }
    const messages = readLogEvents({ logGroupName: api.logGroupName, dir: logDir }).map(
      (event) => event.message,
    );
    expect(messages.filter((message) => message.includes('Runtime.InFlightWork'))).toEqual([]);
    expect(statuses.slice(0, 8)).toEqual([200, 200, 201, 409, 200, 400, 204, 404]);
  });
});
