import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../common/wait';
import { type LocalApi, startLocalApi } from '../../local';
import { readLogEvents } from '../../local/logs';
import { ensureK6 } from '../../tools/k6';
import { ROUTE_NAMES } from '../lib/routes';
import { readDurations, runLoad } from './index';
import { k6Arguments, LOAD_SCRIPT } from './k6-process';

interface HandlerLine {
  message?: string;
  run_id?: string;
  correlation_id?: string;
}

/** The handler's one-per-request lines for a run, read from the stage's local log store. */
function handlerLines(api: LocalApi, runId: string): HandlerLine[] {
  const lines: HandlerLine[] = [];
  for (const event of readLogEvents({ logGroupName: api.logGroupName, dir: api.logDir })) {
    if (!event.message.startsWith('{')) continue;
    try {
      const line = JSON.parse(event.message) as HandlerLine;
      if (line.message === 'request completed' && line.run_id === runId) lines.push(line);
    } catch {
      // not a JSON line of the handler
    }
  }
  return lines;
}

function waitForHandlerLines(api: LocalApi, runId: string, expected: number): Promise<HandlerLine[]> {
  return waitUntil(
    () => handlerLines(api, runId),
    (lines) => lines.length >= expected,
    { what: `${expected} handler lines of run ${runId}`, timeoutMs: 10_000, intervalMs: 200 },
  );
}

describe('k6Arguments', () => {
  it('passes the stage, profile, run id and reports folder to the script, and nothing from the shell', () => {
    const args = k6Arguments(
      { baseUrl: 'http://127.0.0.1:3000/default', runId: 'r1', env: { P95_MS: '300' } },
      'load',
      '/tmp/reports/r1',
    );

    expect(args.slice(0, 4)).toEqual([
      'run',
      '--address=',
      '--no-usage-report',
      '--include-system-env-vars=false',
    ]);
    expect(args).toEqual(
      expect.arrayContaining([
        'P95_MS=300',
        'BASE_URL=http://127.0.0.1:3000/default',
        'PROFILE=load',
        'RUN_ID=r1',
        'REPORTS_DIR=/tmp/reports/r1',
      ]),
    );
    expect(args.at(-1)).toBe(LOAD_SCRIPT);
    // Every sample, for the baseline comparison's distributions.
    expect(args).toEqual(expect.arrayContaining(['--out', 'json=/tmp/reports/r1/k6-samples.json']));
  });
});

describe('runLoad against the local stage', () => {
  let api: LocalApi;
  let workDir: string;

  beforeAll(async () => {
    // No skip when k6 is missing: this throws the how-to, so the suite fails (in CI and locally).
    await ensureK6({ quiet: true });
    workDir = mkdtempSync(join(tmpdir(), 'load-test-'));
    api = await startLocalApi({
      port: 0,
      tableName: `pets-load-${process.pid}-${Date.now()}`,
      seed: true,
      logDir: join(workDir, 'logs'),
    });
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it('passes the smoke profile, per route, with every report written and every request logged', async () => {
    const runId = `load-smoke-${Date.now()}`;

    const result = await runLoad({
      baseUrl: api.url,
      runId,
      profile: 'smoke',
      reportsDir: join(workDir, runId),
      progressLine: true,
    });

    expect(result.explanation).toBe('k6 exit 0: passed — every threshold held.');
    expect(result).toMatchObject({ passed: true, exitCode: 0, thresholdsFailed: [] });
    expect(result.routes.map((route) => route.route)).toEqual(ROUTE_NAMES);
    for (const route of result.routes) {
      expect(route.count).toBeGreaterThan(0);
      expect(route.failedRate).toBe(0);
      expect(route.p95).toBeGreaterThan(0);
      expect(route.p99).toBeGreaterThanOrEqual(route.p95);
    }
    expect(Object.keys(result.reports).sort()).toEqual([
      'dashboard',
      'durations',
      'junit',
      'samples',
      'summary',
      'text',
    ]);
    // Every request's duration, by route, for whoever needs more than the summary's percentiles.
    const durations = readDurations(result.reports.durations ?? '');
    expect(Object.keys(durations.routes).sort()).toEqual([...ROUTE_NAMES, 'preflight'].sort());
    expect(Object.values(durations.routes).flat()).toHaveLength(result.requests);
    expect(readFileSync(result.reports.junit ?? '', 'utf8')).toMatch(/<testsuites [^>]*failures="0"/);
    expect(readFileSync(result.reports.dashboard ?? '', 'utf8')).toMatch(/<html/i);
    expect(readFileSync(result.reports.text ?? '', 'utf8')).toMatch(/^PASSED: /m);

    // Every request reached the function carrying the run id and its own correlation id.
    const lines = await waitForHandlerLines(api, runId, result.requests);
    expect(lines).toHaveLength(result.requests);
    expect(new Set(lines.map((line) => line.correlation_id)).size).toBe(result.requests);
  }, 120_000);

  it('fails with exit 99 and names the threshold when a latency budget cannot be met', async () => {
    const runId = `load-breach-${Date.now()}`;

    const result = await runLoad({
      baseUrl: api.url,
      runId,
      profile: 'smoke',
      reportsDir: join(workDir, runId),
      env: { P95_MS_GET: '0.001', DURATION: '3s' },
      progressLine: true,
    });

    expect(result).toMatchObject({ passed: false, exitCode: 99 });
    expect(result.thresholdsFailed).toEqual(['http_req_duration{route:get} p(95)<0.001']);
    expect(result.explanation).toMatch(
      /^k6 exit 99: thresholds crossed: http_req_duration\{route:get\} p\(95\)<0\.001 \(p\(95\)=[\d.]+m?s\)\.$/,
    );
    expect(readFileSync(result.reports.junit ?? '', 'utf8')).toMatch(
      /<testcase classname="k6.thresholds" name="http_req_duration\{route:get\} p\(95\)&lt;0.001" time="0">\s*<failure/,
    );
  }, 120_000);
});

describe('runLoad against an address where nothing listens', () => {
  it('stops in setup with exit 108 and says the preflight failed', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'load-test-'));
    try {
      const result = await runLoad({
        baseUrl: 'http://127.0.0.1:9/default',
        runId: `load-unreachable-${Date.now()}`,
        reportsDir: workDir,
        env: { DURATION: '3s' },
        progressLine: true,
      });

      expect(result).toMatchObject({ passed: false, exitCode: 108 });
      expect(result.explanation).toMatch(
        /^k6 exit 108: the script aborted the run \(test\.abort\): preflight: GET http:\/\/127\.0\.0\.1:9\/default\/pets\?limit=1 failed/,
      );
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 60_000);
});
