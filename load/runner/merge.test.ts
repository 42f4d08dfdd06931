import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mergeRunners, type ThresholdSources } from './merge';

/** Lines of k6's JSON output for a runner that sent one request per duration, all on route `get`. */
function k6Output(durations: number[], vus: number): string {
  const metric = (name: string, type: string, contains = 'default') =>
    JSON.stringify({
      type: 'Metric',
      data: { name, type, contains, thresholds: [], submetrics: null },
      metric: name,
    });
  const point = (name: string, value: number, tags: Record<string, string>) =>
    JSON.stringify({
      metric: name,
      type: 'Point',
      data: { time: '2026-11-30T00:00:01.123456789Z', value, tags },
    });
  const lines = [metric('vus', 'gauge'), point('vus', vus, {})];
  lines.push(
    metric('http_reqs', 'counter'),
    metric('http_req_duration', 'trend', 'time'),
    metric('checks', 'rate'),
  );
  for (const ms of durations) {
    const tags = { route: 'get', expected_response: 'true', group: '' };
    lines.push(point('http_reqs', 1, tags), point('http_req_duration', ms, tags));
    lines.push(point('checks', ms < 100 ? 1 : 0, { route: 'get', check: 'get: fast', group: '' }));
  }
  return `${lines.join('\n')}\n`;
}

const THRESHOLDS: ThresholdSources = {
  'http_req_duration{route:get}': ['p(95)<100'],
  'http_reqs{route:get}': ['count>0', 'count<25'],
  checks: ['rate>0.9'],
};

describe('mergeRunners', () => {
  let dir: string;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'merge-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("judges every threshold over all runners' samples, not over any one runner's share", async () => {
    // runner-2 alone: p(95) of its 10 requests is 200 ms and checks pass 50 % (both crossed);
    // runner-3 alone sent nothing on `get` (count>0 crossed). Together: 130 requests, 5 of them
    // slow: p(95) is 20 ms and checks pass 125/130.
    const fast = Array.from({ length: 120 }, (_, i) => 10 + (i % 10));
    const mixed = [...Array.from({ length: 5 }, () => 20), ...Array.from({ length: 5 }, () => 200)];
    const runners = [
      { name: 'runner-1', file: file('r1.json', k6Output(fast, 2)), durationMs: 10_000 },
      { name: 'runner-2', file: file('r2.json.gz', gzipSync(k6Output(mixed, 2))), durationMs: 10_000 },
      { name: 'runner-3', file: file('r3.json', k6Output([], 0)), durationMs: 100 },
    ];
    const thresholds: ThresholdSources = { ...THRESHOLDS, 'http_reqs{route:get}': ['count>0'] };

    const merged = await mergeRunners(runners, thresholds);

    const verdicts = merged.verdicts.map((v) => `${v.metric} ${v.expression} ${v.ok}`).sort();
    expect(verdicts).toEqual([
      'checks rate>0.9 true',
      'http_req_duration{route:get} p(95)<100 true',
      'http_reqs{route:get} count>0 true',
    ]);
    expect(merged.summary.metrics['http_req_duration{route:get}']?.values['p(95)']).toBe(20);
    expect(merged.summary.metrics['http_reqs{route:get}']?.values.count).toBe(130);
    expect(merged.summary.metrics.checks?.values.rate).toBe(125 / 130);
    expect(merged.runners.map((r) => [r.name, r.requests, r.truncated])).toEqual([
      ['runner-1', 120, false],
      ['runner-2', 10, false],
      ['runner-3', 0, false],
    ]);
    // The fleet's VUs are the sum of the runners' VUs.
    expect(merged.summary.metrics.vus?.values.value).toBe(4);
    expect(merged.durations.get).toHaveLength(130);
  });

  it('fails a threshold the whole crosses although no runner alone does', async () => {
    const runners = ['a', 'b', 'c'].map((name) => ({
      name,
      file: file(
        `${name}.json`,
        k6Output(
          Array.from({ length: 10 }, () => 20),
          1,
        ),
      ),
      durationMs: 5000,
    }));

    const merged = await mergeRunners(runners, THRESHOLDS);

    const count = merged.verdicts.find((v) => v.expression === 'count<25');
    expect(count).toMatchObject({ ok: false, actual: 30 });
    expect(merged.summary.metrics['http_reqs{route:get}']?.thresholds).toEqual({
      'count>0': { ok: true },
      'count<25': { ok: false },
    });
  });

  it('says when a runner wrote no samples or its last line was cut short', async () => {
    const whole = k6Output([10, 20], 1);
    const runners = [
      { name: 'cut', file: file('cut.json', whole.slice(0, whole.length - 20)) },
      { name: 'absent', file: join(dir, 'absent.json') },
    ];

    const merged = await mergeRunners(runners, THRESHOLDS);

    expect(merged.runners.map((r) => [r.name, r.requests, r.truncated, r.missing])).toEqual([
      ['cut', 2, true, false],
      ['absent', 0, false, true],
    ]);
  });
});
