import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunId, reportsDir } from '../common/paths';
import { waitUntil } from '../common/wait';
import { CONTAINER_LABELS } from '../local/dynamodb/container';
import { connectToEngine, type Engine } from '../tools/container-engine';
import type { RunSummary } from './results';
import { type ProcessInfo, processesMarkedWith, runHarness, startHarness } from './test/process';

/**
 * The whole harness as a user runs it — a real process, a real DynamoDB (a container where an
 * engine answers), the real stage, newman, k6, the fuzz step and the log check — and what a SIGTERM
 * in the middle of it leaves behind. Three whole runs: the slow project (`npm run test:slow`); the
 * steps themselves are tested in harness/pipeline.test.ts and the other files here.
 */

// DynamoDB, the stage, newman and a k6 smoke run, on a machine shared with others.
const FULL_RUN_TIMEOUT_MS = 480_000;

function readSummary(runId: string): RunSummary {
  return JSON.parse(readFileSync(join(reportsDir(runId), 'summary.json'), 'utf8')) as RunSummary;
}

/** Reads the processes marked with the run id until `done` holds; fails naming what it waited for. */
function untilProcesses(
  runId: string,
  done: (found: ProcessInfo[]) => boolean,
  what: string,
  timeoutMs: number,
): Promise<ProcessInfo[]> {
  return waitUntil(() => processesMarkedWith([runId]), done, { what, timeoutMs, intervalMs: 200 });
}

let engine: Engine | undefined;

beforeAll(async () => {
  engine = (await connectToEngine(() => undefined)).engine;
});

/** The DynamoDB containers of a run (its session is its run id); none where no engine answers. */
async function containersOf(runId: string): Promise<string[]> {
  if (!engine) return [];
  const filters = { label: [`${CONTAINER_LABELS.session}=${runId}`] };
  return (await engine.client.container.dockerode.listContainers({ all: true, filters })).map((c) => c.Id);
}

/** A whole run whose processes carry its id (and whose container is its session), to be stopped. */
function startMarkedRun(signal: 'sigterm' | 'sigint') {
  const runId = `test-${signal}-${newRunId()}`;
  const harness = startHarness(['run', '--port', '0', '--run-id', runId, '--skip-screenshot'], {
    ...process.env,
    PETS_HARNESS_TEST_MARKER: runId,
    PETS_HARNESS_SESSION: runId,
  });
  return { runId, harness };
}

/** No process of the run is left once it has stopped, and no container of its session either. */
async function expectNothingLeftOf(runId: string): Promise<void> {
  const leftovers = await untilProcesses(
    runId,
    (found) => found.length === 0,
    'every process of the run to end',
    10_000,
  );
  expect(leftovers).toEqual([]);
  expect(await containersOf(runId)).toEqual([]);
}

const kinds = (processes: ProcessInfo[]) => ({
  k6: processes.some((p) => /k6 run /.test(p.command)),
  stageWorker: processes.some((p) => p.command.includes('runtime.js')),
});

describe('npm start (pets-harness run) on the local target', () => {
  it(
    'runs every step, exits 0 and writes index.html, summary.json and report.png',
    async () => {
      const runId = `test-e2e-${newRunId()}`;

      // No comparison: an earlier run under the same reports root would make this test depend on the machine's noise.
      const result = await runHarness(['run', '--port', '0', '--run-id', runId, '--baseline', 'none']);

      expect({ code: result.code, tail: result.stdout.split('\n').slice(-14).join('\n') }).toMatchObject({
        code: 0,
      });
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^PASSED in .+ \(exit 0\)$/);
      const dir = reportsDir(runId);
      for (const file of [
        'index.html',
        'summary.json',
        'report.png',
        'newman-junit.xml',
        'k6-summary.json',
        'logcheck.json',
      ]) {
        expect(existsSync(join(dir, file))).toBe(true);
      }
      const summary = readSummary(runId);
      expect(summary).toMatchObject({
        verdict: 'passed',
        exitCode: 0,
        target: 'local',
        profile: 'smoke',
        warnings: [],
      });
      expect(summary.steps.map((step) => [step.id, step.verdict])).toEqual(
        [
          'tools',
          'dynamodb',
          'seed',
          'bundle',
          'stage',
          'newman',
          'load',
          'fuzz',
          'faults',
          'access',
          'logcheck',
          'configuration',
          'baseline',
        ].map((id) => [id, 'passed']),
      );
      // The log check counted what newman, k6 and the fuzz sent, and found every one of them logged.
      const expected =
        (summary.newman?.requestsAtFunction ?? 0) +
        (summary.load?.requests ?? 0) +
        (summary.fuzz?.requestsAtFunction ?? 0);
      expect(summary.fuzz).toMatchObject({ passed: true, cases: { uniqueFailures: 0 } });
      expect(expected).toBeGreaterThan(0);
      expect(summary.logCheck?.completeness).toMatchObject({ expected, found: expected });
      expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('data-verdict="passed"');
    },
    FULL_RUN_TIMEOUT_MS,
  );

  it(
    'stops every child on SIGTERM mid-run, leaves no orphans and exits 143',
    async () => {
      const { runId, harness } = startMarkedRun('sigterm');
      // Mid-run = during k6, when DynamoDB, stage workers and k6 are all alive.
      await harness.waitForStderr(/▶ k6 smoke/, FULL_RUN_TIMEOUT_MS / 2);
      const alive = await untilProcesses(
        runId,
        (found) => Object.values(kinds(found)).every(Boolean),
        'k6 and a stage worker of the run',
        20_000,
      );
      expect(kinds(alive)).toEqual({ k6: true, stageWorker: true });
      expect(await containersOf(runId)).toHaveLength(engine ? 1 : 0);

      harness.child.kill('SIGTERM');
      const result = await harness.finished;

      expect(result.code).toBe(143);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^STOPPED \(exit 143\): stopped by SIGTERM/);
      await expectNothingLeftOf(runId);
      const summary = readSummary(runId);
      expect(summary).toMatchObject({ verdict: 'error', exitCode: 143, stoppedBy: 'SIGTERM' });
      expect(summary.steps.find((step) => step.id === 'logcheck')?.verdict).toBe('skipped');
    },
    FULL_RUN_TIMEOUT_MS,
  );

  it(
    'stops DynamoDB and the stage workers on Ctrl-C (SIGINT) during newman and exits 130',
    async () => {
      const { runId, harness } = startMarkedRun('sigint');
      await harness.waitForStderr(/▶ newman/, FULL_RUN_TIMEOUT_MS / 2);
      const alive = await untilProcesses(
        runId,
        (found) => kinds(found).stageWorker,
        'a stage worker of the run',
        20_000,
      );
      expect(kinds(alive)).toMatchObject({ stageWorker: true });
      expect(await containersOf(runId)).toHaveLength(engine ? 1 : 0);

      harness.child.kill('SIGINT');
      const result = await harness.finished;

      expect(result.code).toBe(130);
      await expectNothingLeftOf(runId);
      expect(readSummary(runId)).toMatchObject({ verdict: 'error', exitCode: 130, stoppedBy: 'SIGINT' });
    },
    FULL_RUN_TIMEOUT_MS,
  );
});
