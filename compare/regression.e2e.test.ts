import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureBundle } from '../build';
import { PROJECT_ROOT } from '../common/paths';
import { localDynamoDbClient } from '../local/dynamodb/index';
import { startStage } from '../local/stage/index';
import { checkMemoryGrowth } from '../logcheck/growth';
import { checkHygiene } from '../logcheck/hygiene';
import { type ParsedEvent, parseEvents } from '../logcheck/parse';
import { localSource } from '../logcheck/sources';
import { seedTable } from '../seed/index';
import { compareFigures, DEFAULT_SETTINGS } from './compare';
import { buildFigures, type RunFigures } from './figures';

/**
 * The comparison, the growth check and the hygiene rules on real runs of the local stage: the real
 * bundle, and purpose-built variants of it (local/test-bundles/) that are slower on one route,
 * heavier at init, leaking, or logging the whole event. Each variant fails against a baseline of
 * the real bundle and passes against itself, with this machine's noise.
 */

const suffix = `${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 6)}`;
const tableName = `compare-${suffix}`;
const REAL = join(PROJECT_ROOT, 'dist', 'handler');
const variant = (name: string) => join(PROJECT_ROOT, 'local', 'test-bundles', name);
let logRoot: string;

function endpoint(): string {
  const value = process.env.DYNAMODB_ENDPOINT;
  if (!value) throw new Error('DYNAMODB_ENDPOINT is set by the jest global setup');
  return value;
}

beforeAll(async () => {
  await ensureBundle();
  await seedTable({ endpoint: endpoint(), tableName, createTable: true, reset: true });
  logRoot = mkdtempSync(join(tmpdir(), 'compare-e2e-'));
}, 120_000);

afterAll(async () => {
  const client = localDynamoDbClient(endpoint());
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
  rmSync(logRoot, { recursive: true, force: true });
});

interface Exercised {
  runId: string;
  parsed: ParsedEvent[];
  figures: RunFigures;
}

/** One "run": a fresh stage on `bundleDir`, `rounds` × (GET /pets, GET /pets/3), then its logs. */
async function exercise(name: string, bundleDir: string, rounds = 40): Promise<Exercised> {
  const runId = `${name}-${suffix}`;
  const stage = await startStage({
    port: 0,
    bundleDir,
    env: { DYNAMODB_ENDPOINT: endpoint() },
    tableName,
    logDir: join(logRoot, runId),
  });
  try {
    for (let i = 0; i < rounds; i++) {
      for (const path of ['/pets', '/pets/3']) {
        // Credentials a client sends: the function must not log them.
        const response = await fetch(`${stage.url}${path}`, {
          headers: {
            'x-harness-run-id': runId,
            authorization: 'Bearer e2e-token',
            cookie: 'session=e2e',
            'x-api-key': 'e2e-key',
          },
        });
        await response.text();
        expect(response.status).toBe(200);
      }
    }
  } finally {
    await stage.stop();
  }
  const events = await localSource({ logGroupName: stage.logGroupName, dir: stage.logDir }).fetch({
    since: 0,
    until: Date.now() + 60_000,
  });
  const parsed = parseEvents(events);
  return { runId, parsed, figures: buildFigures({ runId, parsed }) };
}

const COLD_STARTS = 8;

/** Init Duration of `COLD_STARTS` fresh stages on `bundleDir`, one request each. */
async function coldStarts(name: string, bundleDir: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++)
    samples.push(...(await exercise(`${name}-${i}`, bundleDir, 1)).figures.lambda.initDurationMs);
  return samples;
}

function initRegressions(current: number[], baseline: number[]): string[] {
  const only = (initDurationMs: number[]): RunFigures => ({
    ...buildFigures({ runId: 'none', parsed: [] }),
    lambda: { ...buildFigures({ runId: 'none', parsed: [] }).lambda, initDurationMs },
  });
  // With a distribution a side the test handles the noise; the threshold says what size matters.
  const settings = {
    ...DEFAULT_SETTINGS,
    thresholds: { ...DEFAULT_SETTINGS.thresholds, init: { relative: 0.2, absolute: 150 } },
  };
  return compareFigures(only(current), only(baseline), settings).regressions.map(
    (r) => `${r.metric} ${r.statistic}`,
  );
}

function regressed(current: Exercised, baseline: Exercised): string[] {
  return compareFigures(current.figures, baseline.figures).regressions.map(
    (r) => `${r.metric} ${r.statistic}${r.route ? ` on ${r.route}` : ''}`,
  );
}

describe('against a baseline from the real bundle', () => {
  let real: Exercised;
  beforeAll(async () => {
    real = await exercise('real', REAL);
  }, 120_000);

  it('the real bundle again passes', async () => {
    expect(regressed(await exercise('real-again', REAL), real)).toEqual([]);
  }, 120_000);

  it('a bundle 100 ms slower on GET /pets/{id} fails, naming the metric and the route; against itself it passes', async () => {
    const slower = await exercise('slower', variant('slower'));
    expect(regressed(slower, real)).toEqual(
      expect.arrayContaining(['Lambda Duration p50 on GET /pets/{id}']),
    );
    expect(regressed(slower, real).some((name) => name.includes('GET /pets '))).toBe(false);
    expect(regressed(await exercise('slower-again', variant('slower')), slower)).toEqual([]);
  }, 180_000);

  it('a bundle 500 ms heavier at init fails on Init Duration; against itself it passes', async () => {
    // One cold start a stage says little on a shared machine: eight a side make it a distribution.
    const realInit = await coldStarts('real-cold', REAL);
    const heavier = await coldStarts('heavier', variant('heavier-init'));
    expect(initRegressions(heavier, realInit)).toEqual(expect.arrayContaining(['Init Duration p50']));
    expect(initRegressions(await coldStarts('heavier-again', variant('heavier-init')), heavier)).toEqual([]);
  }, 300_000);

  it('the real bundle leaves nothing for log hygiene or the growth check', () => {
    expect(checkHygiene(real.parsed, real.runId).findings).toEqual([]);
    expect(checkMemoryGrowth(real.parsed, real.runId, 10_000).violations).toEqual([]);
  });
});

describe('on purpose-built bundles', () => {
  it('a bundle that keeps 512 KiB per invocation is found by the growth check', async () => {
    const leaking = await exercise('leaking', variant('leaking'), 100);
    const { violations } = checkMemoryGrowth(leaking.parsed, leaking.runId, 10_000);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(
      /Max Memory Used grows 0\.\d+ MB per invocation .* would reach the 256 MB memory size in about [\d,]+ more invocations/,
    );
  }, 180_000);

  it('a bundle that logs the whole event is named by log hygiene, with the request id and the field', async () => {
    const logsEvent = await exercise('logs-event', variant('logs-event'), 2);
    const { findings, violations } = checkHygiene(logsEvent.parsed, logsEvent.runId);
    expect(violations.map((violation) => violation.check)).toEqual(
      expect.arrayContaining(['log-hygiene/whole-event', 'log-hygiene/secret-header']),
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'whole-event', field: 'event', requestId: expect.any(String) }),
        expect.objectContaining({ rule: 'secret-header', field: 'event.headers.authorization' }),
      ]),
    );
  }, 120_000);
});
