import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanPets } from '../integration/support/dynamodb';
import { localDynamoDbClient } from '../local/dynamodb';
import { type LocalApi, startLocalApi } from '../local/index';
import { readLogEvents } from '../local/logs';
import { loadSeedPets } from '../seed/load';
import {
  EXCLUDED_CHECKS,
  FUZZ_CONFIG_PATH,
  FUZZ_PHASES,
  type FuzzResult,
  fuzzLine,
  runFuzz,
  schemathesisArgs,
} from './index';

const reports = {
  junit: '/r/fuzz-junit.xml',
  schemathesis: '/r/fuzz-schemathesis.json',
  output: '/r/fuzz-output.txt',
  ledger: '/r/fuzz-ledger.ndjson',
  summary: '/r/fuzz-summary.json',
};

/** The value that follows `flag` in `args`. */
function flagValue(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}

describe("Schemathesis' command line", () => {
  const args = schemathesisArgs(
    { baseUrl: 'http://127.0.0.1:3000/default', runId: 'run-42', maxTimeSeconds: 45 },
    reports,
  );

  it('reads the checked-in config before the run subcommand, and fuzzes the contract at the stage', () => {
    expect(args.slice(0, 3)).toEqual(['--config-file', FUZZ_CONFIG_PATH, 'run']);
    expect(args[3]).toMatch(/contract\/openapi\.yaml$/u);
    expect(flagValue(args, '--url')).toBe('http://127.0.0.1:3000/default');
  });

  it('runs every check but the two that do not apply, in every phase, within the budget', () => {
    expect(flagValue(args, '--checks')).toBe('all');
    expect(flagValue(args, '--exclude-checks')?.split(',')).toEqual([...EXCLUDED_CHECKS]);
    expect(flagValue(args, '--phases')?.split(',')).toEqual(['examples', 'coverage', 'fuzzing', 'stateful']);
    expect(FUZZ_PHASES).toHaveLength(4);
    expect(flagValue(args, '--max-time')).toBe('45');
  });

  it("tags every request with the run's id and writes JUnit and JSON where the run's reports go", () => {
    expect(flagValue(args, '--header')).toBe('x-harness-run-id: run-42');
    expect(flagValue(args, '--report')).toBe('junit,json');
    expect(flagValue(args, '--report-junit-path')).toBe(reports.junit);
    expect(flagValue(args, '--report-json-path')).toBe(reports.schemathesis);
  });

  it('replays a run only when given its seed', () => {
    expect(args).not.toContain('--seed');
    const replay = schemathesisArgs(
      { baseUrl: 'http://x', runId: 'r', maxTimeSeconds: 1, seed: '1234567890123456789012345' },
      reports,
    );
    expect(flagValue(replay, '--seed')).toBe('1234567890123456789012345');
  });
});

describe('the one-line fuzz summary', () => {
  function result(overrides: Partial<FuzzResult>): FuzzResult {
    return {
      passed: true,
      schemathesisVersion: '4.32.5',
      seed: '1',
      cases: { generated: 12_345, withFailures: 0, uniqueFailures: 0, errored: 0 },
      phases: {},
      failures: [],
      filtered: 0,
      warnings: [],
      requestsSent: 900,
      requestsAtFunction: 850,
      cleanup: { deleted: 7, restored: 1, requests: 8, problems: [] },
      reports,
      startedAt: '',
      finishedAt: '',
      ...overrides,
    };
  }

  it('gives cases, failures, requests and the cleanup', () => {
    expect(fuzzLine(result({}))).toBe(
      '12,345 cases, 0 failures, 900 requests (850 at the function), cleanup: 7 deleted, 1 restored',
    );
  });

  it('counts a cleanup problem as a failure', () => {
    const line = fuzzLine(
      result({
        cases: { generated: 3, withFailures: 0, uniqueFailures: 0, errored: 0 },
        cleanup: { deleted: 0, restored: 0, requests: 1, problems: ['DELETE /pets/9 answered 500'] },
      }),
    );
    expect(line).toMatch(/^3 cases, 1 failure, /u);
  });
});

/**
 * Real Schemathesis against the real local stage, briefly: the run passes, every request that
 * reached the function left its log line under the run id, and the table ends as the seed left it.
 */
describe('a short fuzz against the local stage', () => {
  const runId = `fuzz-e2e-${randomUUID().slice(0, 8)}`;
  let api: LocalApi;
  let dir: string;
  let result: FuzzResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-e2e-'));
    api = await startLocalApi({
      port: 0,
      tableName: `pets-fuzz-e2e-${randomUUID().slice(0, 8)}`,
      logDir: join(dir, 'logs'),
      log: () => undefined,
    });
    result = await runFuzz({
      baseUrl: api.url,
      runId,
      maxTimeSeconds: 20,
      reportsDir: join(dir, 'reports'),
      progressLine: false,
    });
  }, 300_000);

  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes with no failure, every phase reported and the contract examples sent', () => {
    expect(result.failures).toEqual([]);
    expect(result.cases.generated).toBeGreaterThan(0);
    expect(Object.keys(result.phases).sort()).toEqual([...FUZZ_PHASES].sort());
    expect(result.phases.examples).toBe('success');
    expect(result.passed).toBe(true);
  });

  it('puts the table back as the seed left it', async () => {
    const seed = [...loadSeedPets()].sort((a, b) => a.id - b.id);
    const client = localDynamoDbClient(api.endpoint);
    try {
      expect(await scanPets(client, api.tableName)).toEqual(seed);
    } finally {
      client.destroy();
    }
  });

  it('leaves one completed-request log line under the run id for each request that reached the function', () => {
    const completed = readLogEvents({ logGroupName: api.logGroupName, dir: api.logDir })
      .map((event) => event.message)
      .filter((message) => message.startsWith('{'))
      .map((message) => JSON.parse(message) as Record<string, unknown>)
      .filter((line) => line.message === 'request completed' && line.run_id === runId);
    expect(result.requestsAtFunction).toBeGreaterThan(0);
    expect(completed).toHaveLength(result.requestsAtFunction);
  });

  it('writes JUnit and a summary that names the run', () => {
    expect(readFileSync(result.reports.junit, 'utf8')).toContain('<testsuite');
    const summary = JSON.parse(readFileSync(result.reports.summary, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ runId, baseUrl: api.url, passed: true });
  });
});
