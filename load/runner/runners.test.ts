import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../common/wait';
import { ensureK6 } from '../../tools/k6';
import type { SummaryData } from '../lib/summary-data';
import { readDurations } from './durations';
import { type LoadResult, runLoad } from './index';
import { mergeRunners, thresholdsOf } from './merge';
import { executionSegments } from './runners';
import { type FixedLatencyApi, startFixedLatencyApi } from './test/fixed-latency-api';

const LATENCY_MS = 50;

/** The pid of a process whose command line holds every one of `parts`, if one runs. */
function findPid(parts: string[]): number | undefined {
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((part) => args.includes(part))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The pid of our own k6 child whose command line holds every one of `parts`, once it runs. */
async function pidOf(parts: string[]): Promise<number> {
  const pid = await waitUntil(
    () => findPid(parts),
    (found) => found !== undefined,
    { what: `a process with ${parts.join(' ')}`, timeoutMs: 30_000, intervalMs: 100 },
  );
  return pid as number;
}

/** True once a runner's samples file holds a request of the default function (not of setup()). */
function sentARequest(samplesFile: string): boolean {
  if (!existsSync(samplesFile)) return false;
  return readFileSync(samplesFile, 'utf8')
    .split('\n')
    .some((line) => line.includes('"metric":"http_reqs"') && /"route":"(list|list-by-type|get)"/.test(line));
}
/**
 * The same profile for every run here: a short smoke run of 5 VUs that sends about a hundred
 * requests per route, so a p95 is not one stray sample (these tests share a busy machine).
 */
const PROFILE_ENV = { DURATION: '8s', VUS: '5', THINK_TIME_S: '0.05' };

describe('executionSegments', () => {
  it('splits 0..1 into equal segments of one sequence, as k6-operator does for a TestRun', () => {
    expect(executionSegments(3)).toEqual([
      { segment: '0:1/3', sequence: '0,1/3,2/3,1' },
      { segment: '1/3:2/3', sequence: '0,1/3,2/3,1' },
      { segment: '2/3:1', sequence: '0,1/3,2/3,1' },
    ]);
    expect(executionSegments(1)).toEqual([{ segment: '0:1', sequence: '0,1' }]);
  });
});

describe('runLoad with several runners against a stage of fixed latency', () => {
  let api: FixedLatencyApi;
  let workDir: string;
  let single: LoadResult;
  let three: LoadResult;

  const run = (
    name: string,
    runners: number,
    env: Record<string, string> = {},
    runId = `${name}-${Date.now()}`,
  ) =>
    runLoad({
      baseUrl: api.url,
      runId,
      profile: 'smoke',
      reportsDir: join(workDir, name),
      env: { ...PROFILE_ENV, ...env },
      progressLine: true,
      runners,
    });

  beforeAll(async () => {
    // No skip when k6 is missing: this throws the how-to, so the suite fails.
    await ensureK6({ quiet: true });
    workDir = mkdtempSync(join(tmpdir(), 'runners-test-'));
    api = await startFixedLatencyApi(LATENCY_MS);
    single = await run('single', 1);
    three = await run('three', 3);
  }, 240_000);

  afterAll(async () => {
    await api?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("reads one runner's samples into exactly the summary k6 itself wrote", async () => {
    const own = JSON.parse(readFileSync(join(workDir, 'single', 'k6-summary.json'), 'utf8')) as SummaryData;

    const merged = await mergeRunners(
      [
        {
          name: 'k6',
          file: join(workDir, 'single', 'k6-samples.json'),
          durationMs: own.state.testRunDurationMs,
        },
      ],
      thresholdsOf([own]),
    );

    // Every statistic of every metric, and every threshold's verdict. k6 writes its summary through
    // its JavaScript engine (goja), whose number printing sometimes drops the last digit
    // (`String(0.07579539999999999)` is '0.0757954' in k6 v1.8.1), so a value may differ from the
    // float k6 held by one unit in the last place; nothing more.
    for (const [name, metric] of Object.entries(own.metrics)) {
      const values = merged.summary.metrics[name]?.values ?? {};
      expect([name, Object.keys(values).sort()]).toEqual([name, Object.keys(metric.values).sort()]);
      for (const [stat, value] of Object.entries(metric.values)) {
        const ours = values[stat] as number;
        const close = ours === value || Math.abs(ours - value) <= 2 * Number.EPSILON * Math.abs(value);
        expect([name, stat, close ? 'equal' : ours]).toEqual([name, stat, 'equal']);
      }
      expect([name, merged.summary.metrics[name]?.thresholds]).toEqual([name, metric.thresholds]);
    }
    expect(Object.keys(merged.summary.metrics).sort()).toEqual(Object.keys(own.metrics).sort());
  });

  it('agrees with one runner on per-route p95 and request count when the same profile runs as 3', () => {
    expect(single.exitCode).toBe(0);
    expect(three).toMatchObject({ passed: true, exitCode: 0, thresholdsFailed: [] });
    expect(three.explanation).toMatch(/^3 runners merged: passed/);
    expect(three.runners?.map((r) => [r.name, r.segment, r.exitCode])).toEqual([
      ['runner-1', '0:1/3', 0],
      ['runner-2', '1/3:2/3', 0],
      ['runner-3', '2/3:1', 0],
    ]);
    expect(three.runners?.reduce((sum, r) => sum + r.requests, 0)).toBe(three.requests);
    // Each runner sends setup()'s 3 preflight requests: 6 more over 3 runners than over 1.
    expect(Math.abs(three.requests - 6 - single.requests) / single.requests).toBeLessThan(0.15);
    for (const route of single.routes) {
      const merged = three.routes.find((candidate) => candidate.route === route.route);
      expect(merged?.count).toBeGreaterThan(0);
      // Both sit on the fixed latency; what separates them is the scheduling noise of a shared
      // machine, measured at up to ~15 ms here under a load average of 18 on 2 cores.
      expect(route.p95).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(merged?.p95).toBeGreaterThanOrEqual(LATENCY_MS);
      expect(Math.abs((merged?.p95 ?? 0) - route.p95)).toBeLessThan(40);
    }
  });

  it("writes the merged reports and every runner's raw samples and summary", () => {
    const dir = join(workDir, 'three');
    expect(readdirSync(join(dir, 'runners')).sort()).toEqual(
      [1, 2, 3].flatMap((i) => [
        `runner-${i}-k6-junit.xml`,
        `runner-${i}-k6-samples.json`,
        `runner-${i}-k6-summary.json`,
        `runner-${i}-k6-summary.txt`,
      ]),
    );
    expect(readFileSync(join(dir, 'k6-summary.txt'), 'utf8')).toMatch(/^PASSED: /m);
    const durations = readDurations(join(dir, 'k6-durations.json'));
    expect(durations.runners).toEqual(['runner-1', 'runner-2', 'runner-3']);
    const routeCount = Object.values(durations.routes).reduce((sum, list) => sum + list.length, 0);
    expect(routeCount).toBe(three.requests);
  });

  describe('runs that only read their own result, started together', () => {
    // Each of these runs only its own exit code and explanation, none a latency figure: they run at
    // once, with a shorter profile, instead of one after the other (the runner that dies keeps the
    // 8 s profile, so it is killed while the others go on).
    const SHORT = { DURATION: '3s' };
    let runs: Record<'idle' | 'crossed' | 'broken' | 'dies', Promise<LoadResult>>;

    /** Starts a run of 3 runners and kills runner-2 once it is sending the default function's requests. */
    async function runKillingRunner2(): Promise<LoadResult> {
      const runId = `dies-${Date.now()}`;
      const running = run('dies', 3, {}, runId);
      const pid = await pidOf([`RUN_ID=${runId}`, 'RUNNER=runner-2']);
      await waitUntil(
        () => sentARequest(join(workDir, 'dies', 'runners', 'runner-2-k6-samples.json')),
        Boolean,
        { what: "runner-2's first request of the default function", timeoutMs: 60_000, intervalMs: 100 },
      );
      process.kill(pid, 'SIGKILL');
      return running;
    }

    beforeAll(() => {
      runs = {
        // 2 VUs over 3 segments: one runner gets none and sends no request on any route, so its own
        // `http_reqs{route:…} count>0` thresholds fail (k6 exits 99 there); over all runners they hold.
        idle: run('idle-runner', 3, { ...SHORT, VUS: '2' }),
        crossed: run('crossed', 3, { ...SHORT, P95_MS_GET: '5' }),
        broken: run('broken', 2, { ...SHORT, PAGE_LIMIT: 'many' }),
        dies: runKillingRunner2(),
      };
      // Each test awaits its own run; a run that fails is reported there, not as unhandled.
      for (const running of Object.values(runs)) running.catch(() => undefined);
    });

    it("judges on the whole a threshold that one runner's share crosses alone", async () => {
      const result = await runs.idle;

      expect(result).toMatchObject({ passed: true, exitCode: 0 });
      const idle = result.runners?.find((runner) => runner.requests === 3);
      expect(idle).toMatchObject({ exitCode: 99, note: expect.stringMatching(/no VUs in its segment/) });
      expect(idle?.crossedAlone).toEqual(expect.arrayContaining(['http_reqs{route:get} count>0']));
    }, 120_000);

    it('fails with exit 99 when the merged data crosses a threshold, naming it', async () => {
      const result = await runs.crossed;

      expect(result).toMatchObject({ passed: false, exitCode: 99 });
      expect(result.thresholdsFailed).toEqual(['http_req_duration{route:get} p(95)<5']);
      expect(result.explanation).toMatch(
        /^3 runners merged, exit 99: thresholds crossed over all \d+ requests: http_req_duration\{route:get\} p\(95\)<5 \(p\(95\)=[\d.]+ms\)\.$/,
      );
    }, 120_000);

    it('fails the run naming the runner whose k6 could not run the script', async () => {
      const result = await runs.broken;

      expect(result.passed).toBe(false);
      expect(result.exitCode).toBe(107);
      expect(result.explanation).toMatch(
        /^2 of 2 runners failed, so the run fails: runner-1 \(segment 0:1\/2\): k6 exit 107: the script threw an error: .*PAGE_LIMIT must be a number/,
      );
    }, 120_000);

    it('fails the run naming a runner that dies while the others go on', async () => {
      const result = await runs.dies;

      expect(result).toMatchObject({ passed: false, exitCode: 137 });
      expect(result.explanation).toBe(
        '1 of 3 runners failed, so the run fails: runner-2 (segment 1/3:2/3): killed by SIGKILL',
      );
      expect(result.runners?.filter((r) => r.problem).map((r) => r.name)).toEqual(['runner-2']);
      expect(result.runners?.filter((r) => r.name !== 'runner-2').every((r) => r.requests > 3)).toBe(true);
    }, 120_000);
  });
});
