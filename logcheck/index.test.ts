import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { LogEvent } from '../local/logs/index';
import { type LogSource, runLogCheck } from './index';
import { IDS, plainTextEvents } from './test/events';

/** A source that returns `batches` one after another, as if the lines were still arriving. */
function arrivingSource(batches: LogEvent[][]): LogSource & { calls: number } {
  const source = {
    description: 'fixture source',
    calls: 0,
    async fetch() {
      const batch = batches[Math.min(source.calls, batches.length - 1)] ?? [];
      source.calls += 1;
      return batch;
    },
  };
  return source;
}

let reportsDir: string;
beforeEach(() => {
  reportsDir = mkdtempSync(join(tmpdir(), 'logcheck-index-'));
});
afterEach(() => rmSync(reportsDir, { recursive: true, force: true }));

describe('runLogCheck', () => {
  it('returns the result the harness reads and writes the same to logcheck.json', async () => {
    const all = plainTextEvents();
    const source = arrivingSource([all.slice(0, 5), all]);

    const result = await runLogCheck({
      runId: 'run-1',
      since: 0,
      until: Date.now(),
      expectRequests: 3,
      sentCorrelationIds: ['corr-a', 'corr-b', 'corr-c'],
      source: 'local',
      logSource: source,
      budgets: { p95Ms: 5000, p99Ms: 5000 },
      waitMs: 1000,
      pollMs: 10,
      reportsDir,
    });

    expect(source.calls).toBe(2);
    expect(result).toEqual({
      passed: false,
      source: 'fixture source',
      violations: [expect.objectContaining({ check: 'errors' })],
      completeness: { expected: 3, found: 3, byStatusClass: { '2xx': 1, '4xx': 1, '5xx': 1 } },
      metrics: expect.objectContaining({ reports: 3, coldStarts: 1, events: all.length, failedRequests: 4 }),
      errors: expect.arrayContaining([
        { requestId: IDS.serviceUnavailable, correlationId: 'corr-c', line: expect.any(String) },
      ]),
      hygiene: { findings: 0, listed: [] },
      memoryGrowth: [expect.objectContaining({ note: expect.stringMatching(/too few to judge/) })],
      wait: { outcome: 'complete', waitedMs: expect.any(Number) },
    });
    const written = JSON.parse(readFileSync(join(reportsDir, 'logcheck.json'), 'utf8'));
    expect(written).toMatchObject({
      runId: 'run-1',
      passed: false,
      budgets: { maxErrors: 0, p95Ms: 5000, maxColdStarts: null },
      missingCorrelationIds: [],
      unfinishedRequestIds: [IDS.timeout, IDS.invokeError, IDS.exitError],
    });
  });

  it('passes a clean run with no wait when no request count is given', async () => {
    const clean = plainTextEvents().filter(
      (event) =>
        ![IDS.serviceUnavailable, IDS.timeout, IDS.invokeError, IDS.exitError].some((id) =>
          event.message.includes(id),
        ),
    );
    const source = arrivingSource([clean]);

    const result = await runLogCheck({
      runId: 'run-1',
      since: 0,
      source: 'local',
      logSource: source,
      reportsDir,
    });

    expect(result.passed).toBe(true);
    expect(result.violations).toEqual([]);
    expect(result.wait).toBeUndefined();
    expect(result.completeness).toEqual({ found: 2, byStatusClass: { '2xx': 1, '4xx': 1, '5xx': 0 } });
  });

  it('destroys the CloudWatch client it made once the logs are read, even when reading failed', async () => {
    const cloudWatch = mockClient(CloudWatchLogsClient);
    cloudWatch
      .on(FilterLogEventsCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const destroy = jest.spyOn(CloudWatchLogsClient.prototype, 'destroy');
    try {
      const checking = runLogCheck({
        runId: 'run-1',
        since: 0,
        source: 'cloudwatch',
        endpoint: 'http://127.0.0.1:1',
        reportsDir,
      });

      await expect(checking).rejects.toThrow(/does not exist there/);
      expect(destroy).toHaveBeenCalledTimes(1);
    } finally {
      destroy.mockRestore();
      cloudWatch.restore();
    }
  });
});
