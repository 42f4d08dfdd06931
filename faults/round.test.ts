import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBundle } from '../build';
import { LOCAL_AWS_ENV } from '../definitions/local-aws';
import { createSeededTable, dropTable, scanRaw, testClient } from '../integration/support/dynamodb';
import { startStage } from '../local/stage';
import { type FaultRoundOptions, faultRunId, runFaultRound } from './index';

/**
 * The fault round against the stage on the jest run's DynamoDB: the real bundle answers every
 * fault right and the table is left as it was; a bundle that hides failures fails, each wrong
 * answer named by route and fault.
 */
const HIDES_FAILURES = join(__dirname, '..', 'local', 'test-bundles', 'hides-failures');

describe('the fault round', () => {
  const tableName = `pets-fault-round-${randomUUID().slice(0, 8)}`;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'fault-round-'));
    await ensureBundle();
    await createSeededTable(tableName);
  });

  afterAll(async () => {
    await dropTable(testClient(), tableName);
    rmSync(workDir, { recursive: true, force: true });
  });

  /** One round on a stage of its own, serving `bundleDir` (default: the real bundle). */
  async function roundOn(bundleDir: string | undefined, round: Pick<FaultRoundOptions, 'runId' | 'faults'>) {
    const stage = await startStage({
      port: 0,
      tableName,
      ...(bundleDir ? { bundleDir } : {}),
      logDir: join(workDir, 'logs'),
      faultInjection: true,
      env: { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT ?? '' },
    });
    try {
      return await runFaultRound({
        ...round,
        baseUrl: stage.url,
        functionTimeoutMs: stage.functionTimeoutSeconds * 1000,
        reportsDir: workDir,
      });
    } finally {
      await stage.stop();
    }
  }

  it('passes the real bundle: every answer right, the table as it was, within seconds', async () => {
    const before = await scanRaw(testClient(), tableName);

    const result = await roundOn(undefined, { runId: 'round-test' });

    expect(result.probes.filter((probe) => probe.problems.length > 0)).toEqual([]);
    expect(result.probes).toHaveLength(35);
    expect(result).toMatchObject({
      passed: true,
      runId: 'round-test.faults',
      table: { unchanged: true, petsBefore: 20 },
    });
    expect(await scanRaw(testClient(), tableName)).toEqual(before);
    expect(JSON.parse(readFileSync(result.report, 'utf8')).passed).toBe(true);
  });

  it('fails a bundle that hides failures, naming each wrong answer by route and fault', async () => {
    // The quick faults are enough to show each mistake.
    const result = await roundOn(HIDES_FAILURES, {
      runId: 'round-test-hides',
      faults: ['throttling', 'internal-error'],
    });

    const wrong = (route: string, fault: string) =>
      result.probes.find((probe) => probe.route === route && probe.fault === fault)?.problems;
    expect(result.passed).toBe(false);
    expect(wrong('GET /pets', 'internal-error')).toEqual([
      'answered 200: a success that hides the failure',
      'no valid Retry-After header',
    ]);
    expect(wrong('GET /pets/{id}', 'throttling')).toEqual([
      'the body carries a stack trace',
      'answered 500, not 503',
      'no valid Retry-After header',
    ]);
    expect(result.table.unchanged).toBe(true);
  });

  it('keeps the run id within the 128 characters the contract allows', () => {
    expect(faultRunId('r'.repeat(128))).toHaveLength(128);
    expect(faultRunId('run-1')).toBe('run-1.faults');
  });
});
