import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureBundle } from '../build';
import { freeLoopbackPort } from '../common/net';
import { createTableInput } from '../definitions/table';
import { localDynamoDbClient, type RunningDynamoDb, startDynamoDb } from '../local/dynamodb/index';
import { readLogEvents } from '../local/logs/index';
import { type RunningStage, startStage } from '../local/stage/index';
import { runLogCheckCli as logCheck } from './test/cli-process';

/**
 * End to end: requests through the local stage running the real bundle, then the log check CLI as
 * a real process. The faults are real ones: a DynamoDB endpoint that refuses connections (the
 * handler answers 503 and logs at ERROR), and one that accepts and never answers behind a 1 s
 * function timeout (the runtime writes `Task timed out`).
 */

const suffix = `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
const tableName = `pets-logcheck-${suffix}`;
let dynamo: RunningDynamoDb;
let logDir: string;
let reportsDir: string;
let silentDynamoDb: Server;
const silentSockets = new Set<Socket>();
const stages: RunningStage[] = [];

beforeAll(async () => {
  dynamo = await startDynamoDb({ log: () => {} });
  const client = localDynamoDbClient(dynamo.endpoint);
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  client.destroy();
  await ensureBundle();
  logDir = mkdtempSync(join(tmpdir(), 'logcheck-e2e-logs-'));
  reportsDir = mkdtempSync(join(tmpdir(), 'logcheck-e2e-reports-'));
  // Accepts connections and never answers: the handler's DynamoDB call outlives the function timeout.
  silentDynamoDb = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silentDynamoDb.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  await Promise.all(stages.map((stage) => stage.stop()));
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => silentDynamoDb?.close(resolve));
  if (dynamo) {
    const client = localDynamoDbClient(dynamo.endpoint);
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
    await dynamo.stop();
  }
  rmSync(logDir, { recursive: true, force: true });
  rmSync(reportsDir, { recursive: true, force: true });
}, 60_000);

async function stageWith(
  env: Record<string, string>,
  functionTimeoutSeconds?: number,
): Promise<RunningStage> {
  const stage = await startStage({
    port: 0,
    tableName,
    env,
    logDir,
    ...(functionTimeoutSeconds === undefined ? {} : { functionTimeoutSeconds }),
  });
  stages.push(stage);
  return stage;
}

async function call(stage: RunningStage, runId: string, method: string, path: string, body?: unknown) {
  const correlationId = randomUUID();
  const response = await fetch(`${stage.url}${path}`, {
    method,
    headers: {
      'x-correlation-id': correlationId,
      'x-harness-run-id': runId,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return { status: response.status, correlationId };
}

function startedRequestIds(logGroupName: string): Set<string> {
  const ids = readLogEvents({ logGroupName, dir: logDir })
    .map((event) => /^START RequestId: (\S+)/.exec(event.message)?.[1])
    .filter((id): id is string => id !== undefined);
  return new Set(ids);
}

// Latency budgets are loose: this machine is shared, and the point here is errors and completeness.
const LOOSE_BUDGETS = [
  '--budget-p95-ms',
  '20000',
  '--budget-p99-ms',
  '20000',
  '--budget-init-p95-ms',
  '20000',
];

describe('the log check after requests through the local stage', () => {
  it('exits 0 for a clean run and writes logcheck.json', async () => {
    const stage = await stageWith({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    const runId = `clean-${suffix}`;
    const since = Date.now() - 1000;
    const id = 900_000 + Math.floor(Math.random() * 90_000);
    const statuses = [
      (await call(stage, runId, 'POST', '/pets', { id, type: 'dog', breed: 'beagle', price: 249.99 })).status,
      (await call(stage, runId, 'GET', `/pets/${id}`)).status,
      (await call(stage, runId, 'GET', '/pets?type=dog')).status,
      (await call(stage, runId, 'GET', `/pets/${id + 1}`)).status,
      (await call(stage, runId, 'DELETE', `/pets/${id}`)).status,
    ];
    expect(statuses).toEqual([201, 200, 200, 404, 204]);

    const { code, stdout, stderr } = await logCheck([
      '--run-id',
      runId,
      '--since',
      new Date(since).toISOString(),
      '--expect-requests',
      '5',
      '--log-dir',
      logDir,
      '--log-group',
      stage.logGroupName,
      '--reports-dir',
      join(reportsDir, runId),
      ...LOOSE_BUDGETS,
    ]);

    // stdout is part of the comparison so a failure shows the check's own table.
    expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining('PASSED: no violations.') });
    expect(stderr).toContain(`Reading the logs of run ${runId}`);
    const report = JSON.parse(readFileSync(join(reportsDir, runId, 'logcheck.json'), 'utf8'));
    expect(report).toMatchObject({
      passed: true,
      completeness: { expected: 5, found: 5, byStatusClass: { '2xx': 4, '4xx': 1, '5xx': 0 } },
      metrics: { reports: 5 },
      wait: { outcome: 'complete' },
    });
  });

  it('exits 1 after a forced error and a forced timeout, naming both request ids', async () => {
    const refusedPort = await freeLoopbackPort();
    const failing = await stageWith({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${refusedPort}` });
    const { port: silentPort } = silentDynamoDb.address() as { port: number };
    const hanging = await stageWith({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${silentPort}` }, 1);
    const runId = `faults-${suffix}`;
    const since = Date.now() - 1000;

    const failed = await call(failing, runId, 'GET', '/pets/1');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const errorLine = readLogEvents({ logGroupName: failing.logGroupName, dir: logDir }).find((event) =>
      event.message.includes(failed.correlationId),
    );
    const errorRequestId = /"function_request_id":"([^"]+)"/.exec(errorLine?.message ?? '')?.[1];
    expect(errorRequestId).toEqual(expect.any(String));
    // The deployed NODE_OPTIONS=--enable-source-maps and the bundle's map put the TypeScript
    // source, not the minified bundle, in the logged error.
    const failureLog = readLogEvents({ logGroupName: failing.logGroupName, dir: logDir })
      .map((event) => event.message)
      .find((message) => message.includes(failed.correlationId) && message.includes('"level":"ERROR"'));
    const loggedError = JSON.parse(failureLog?.slice(failureLog.indexOf('{')) ?? '{}').error;
    expect(loggedError?.location).toMatch(/handler\/repository\.ts:\d+$/);
    expect(loggedError?.stack).not.toContain('index.js');

    const before = startedRequestIds(hanging.logGroupName);
    const timedOut = await call(hanging, runId, 'GET', '/pets/1');
    expect(timedOut.status).toBe(502);
    const timeoutRequestIds = [...startedRequestIds(hanging.logGroupName)].filter((id) => !before.has(id));
    expect(timeoutRequestIds).toHaveLength(1);

    const { code, stdout } = await logCheck([
      '--run-id',
      runId,
      '--since',
      String(since),
      '--expect-requests',
      '2',
      '--wait-ms',
      '500',
      '--log-dir',
      logDir,
      '--log-group',
      hanging.logGroupName,
      '--reports-dir',
      join(reportsDir, runId),
      ...LOOSE_BUDGETS,
    ]);

    expect(code).toBe(1);
    expect(stdout).toContain('FAILED');
    expect(stdout).toMatch(new RegExp(`errors: .*\\n\\s+request ids: .*${errorRequestId}`));
    expect(stdout).toContain(timeoutRequestIds[0]);
    expect(stdout).toContain('Task timed out after 1.00 seconds');
    const report = JSON.parse(readFileSync(join(reportsDir, runId, 'logcheck.json'), 'utf8'));
    expect(report.violations.find((v: { check: string }) => v.check === 'errors').requestIds).toEqual(
      expect.arrayContaining([errorRequestId, timeoutRequestIds[0]]),
    );
    expect(report.errors).toContainEqual(
      expect.objectContaining({ requestId: errorRequestId, correlationId: failed.correlationId }),
    );
    expect(report.wait.outcome).toBe('deadline');
  });
});
