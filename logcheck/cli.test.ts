import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../common/net';
import { formatResult, parseTime } from './cli';
import { DEFAULT_BUDGETS } from './index';
import { runLogCheckCli as logCheck } from './test/cli-process';

let reportsDir: string;
beforeAll(() => {
  reportsDir = mkdtempSync(join(tmpdir(), 'logcheck-cli-'));
});
afterAll(() => rmSync(reportsDir, { recursive: true, force: true }));

describe('parseTime', () => {
  it.each([
    ['2026-11-23T22:00:00Z', Date.UTC(2026, 10, 23, 22)],
    ['2026-11-23T22:00:00.500+01:00', Date.UTC(2026, 10, 23, 21, 0, 0, 500)],
    ['1795471200000', 1795471200000],
  ])('reads %s', (raw, expected) => {
    expect(parseTime('since', raw)).toBe(expected);
  });

  it.each(['yesterday', '23/11/2026', ''])('rejects %p naming the flag', (raw) => {
    expect(() => parseTime('until', raw)).toThrow(/--until must be ISO 8601/);
  });
});

describe('formatResult', () => {
  it('prints each check with its budget and names the offending request ids', () => {
    const text = formatResult(
      'run-1',
      {
        passed: false,
        source: 'local store /tmp/x (/aws/lambda/Pets)',
        violations: [{ check: 'errors', message: '1 failed request(s)', requestIds: ['req-1'] }],
        completeness: { expected: 2, found: 2, byStatusClass: { '2xx': 1, '4xx': 0, '5xx': 1 } },
        metrics: { failedRequests: 1, durationP95Ms: 12.5, coldStarts: 1, events: 8, reports: 2 },
        errors: [{ requestId: 'req-1', correlationId: 'corr-1', line: '{"level":"ERROR"}' }],
        wait: { outcome: 'complete', waitedMs: 1200 },
      },
      DEFAULT_BUDGETS,
    );
    expect(text).toMatch(/errors\s+1 failed request\(s\)\s+≤ 0\s+FAIL/);
    expect(text).toMatch(/completeness\s+2 logged \(2xx 1, 4xx 0, 5xx 1\)\s+= 2\s+ok/);
    expect(text).toMatch(/duration p95\s+12.5 ms\s+≤ 1000 ms\s+ok/);
    expect(text).toContain('[request req-1, correlation corr-1]');
    expect(text).toContain('request ids: req-1');
    expect(text).toContain('Waited 1.2 s');
  });
});

describe('the log check CLI as a process', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown flag', ['--run-id', 'r', '--since', '0', '--bogus'], /bogus/],
    ['a missing run id', ['--since', '0'], /--run-id is required/],
    ['a run id that climbs out of reports/', ['--run-id', '..', '--since', '0'], /--run-id must be 1–128/],
    ['a bad time', ['--run-id', 'r', '--since', 'yesterday'], /--since must be ISO 8601/],
    [
      'a bad source',
      ['--run-id', 'r', '--since', '0', '--source', 'splunk'],
      /--source must be one of local, cloudwatch/,
    ],
    [
      'a run expected to send no request to the function',
      ['--run-id', 'r', '--since', '0', '--expect-requests', '0'],
      /--expect-requests must be a whole number from 1/,
    ],
    [
      'a bad budget',
      ['--run-id', 'r', '--since', '0', '--budget-p95-ms', 'fast'],
      /--budget-p95-ms must be a whole number/,
    ],
  ])('exits 2 for %s and says which', async (_name, args, message) => {
    const { code, stderr } = await logCheck(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 with the fix when the local store has no such log group', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'logcheck-empty-'));
    try {
      const { code, stderr } = await logCheck(['--run-id', 'r', '--since', '0', '--log-dir', empty]);
      expect(code).toBe(2);
      expect(stderr).toContain(`has no log group /aws/lambda/Pets under ${empty}`);
      expect(existsSync(join(empty, 'logcheck.json'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('exits 2 with the fix when the CloudWatch endpoint is unreachable', async () => {
    const closedPort = await freeLoopbackPort();
    const { code, stderr } = await logCheck([
      '--run-id',
      'r',
      '--since',
      '0',
      '--source',
      'cloudwatch',
      '--endpoint',
      `http://127.0.0.1:${closedPort}`,
      '--region',
      'us-east-1',
      '--reports-dir',
      join(reportsDir, 'unreachable'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Check that http:\/\/127\.0\.0\.1:\d+ is reachable/);
  });
});
