import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { type RunningMoto, startMotoServer } from '../tools/moto';
import { runLogCheck } from './index';
import { cloudWatchSource } from './sources';
import { toEvents } from './test/events';
import plainTextLines from './test/fixtures/plain-text.json';

/**
 * The CloudWatch source over the wire: moto server stands in for CloudWatch Logs, started here on
 * a free loopback port and stopped after.
 */
let moto: RunningMoto;
let client: CloudWatchLogsClient;
const suffix = `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

beforeAll(async () => {
  moto = await startMotoServer();
  client = new CloudWatchLogsClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

async function putEvents(
  logGroupName: string,
  logStreamName: string,
  messages: readonly string[],
  startAt: number,
) {
  await client.send(new CreateLogGroupCommand({ logGroupName }));
  await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  await client.send(
    new PutLogEventsCommand({
      logGroupName,
      logStreamName,
      logEvents: toEvents(messages, startAt).map(({ timestamp, message }) => ({ timestamp, message })),
    }),
  );
}

describe('the CloudWatch source against moto server', () => {
  it('finds the events written with PutLogEvents within the window, and none outside it', async () => {
    const logGroupName = `/aws/lambda/Pets-window-${suffix}`;
    const startAt = Date.now() - 60_000;
    await putEvents(logGroupName, '2026/11/23/[$LATEST]aaaa', ['before the window'], startAt - 30_000);
    await client.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: '2026/11/23/[$LATEST]aaaa',
        logEvents: toEvents(plainTextLines, startAt).map(({ timestamp, message }) => ({
          timestamp,
          message,
        })),
      }),
    );
    const source = cloudWatchSource({ logGroupName, endpoint: moto.endpoint, region: 'us-east-1' });

    const events = await source.fetch({ since: startAt, until: startAt + 10_000 });

    expect(events.map((event) => event.message)).toEqual(plainTextLines);
    expect(events[0]).toMatchObject({ logStreamName: '2026/11/23/[$LATEST]aaaa', timestamp: startAt });
  });

  it('follows the pages of a log group holding more events than one page', async () => {
    const logGroupName = `/aws/lambda/Pets-pages-${suffix}`;
    const startAt = Date.now() - 120_000;
    const messages = Array.from({ length: 10_500 }, (_, i) => `line ${i}`);
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'one' }));
    // PutLogEvents takes at most 10,000 events per call.
    for (const batch of [messages.slice(0, 10_000), messages.slice(10_000)]) {
      const offset = messages.indexOf(batch[0] as string);
      await client.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName: 'one',
          logEvents: batch.map((message, i) => ({ message, timestamp: startAt + offset + i })),
        }),
      );
    }
    const send = jest.spyOn(client, 'send');
    const source = cloudWatchSource({ logGroupName, client });

    const events = await source.fetch({ since: startAt, until: startAt + messages.length });

    // moto answers at most 10,000 events a page, so the second page came through nextToken.
    expect(send).toHaveBeenCalledTimes(2);
    send.mockRestore();
    expect(events).toHaveLength(messages.length);
    expect(events.at(-1)?.message).toBe('line 10499');
  });

  it('runs the whole check through the source: errors, completeness and REPORT metrics', async () => {
    const logGroupName = `/aws/lambda/Pets-check-${suffix}`;
    const startAt = Date.now() - 30_000;
    await putEvents(logGroupName, '2026/11/23/[$LATEST]bbbb', plainTextLines, startAt);
    const reportsDir = mkdtempSync(join(tmpdir(), 'logcheck-moto-'));
    try {
      const result = await runLogCheck({
        runId: 'run-1',
        since: startAt,
        until: startAt + 60_000,
        expectRequests: 3,
        source: 'cloudwatch',
        logGroupName,
        endpoint: moto.endpoint,
        budgets: { p95Ms: 5000, p99Ms: 5000 },
        waitMs: 0,
        reportsDir,
      });

      expect(result.wait).toEqual({ outcome: 'complete', waitedMs: expect.any(Number) });
      expect(result.completeness).toEqual({
        expected: 3,
        found: 3,
        byStatusClass: { '2xx': 1, '4xx': 1, '5xx': 1 },
      });
      expect(result.metrics).toMatchObject({ reports: 3, coldStarts: 1 });
      expect(result.passed).toBe(false);
      expect(result.violations.map((violation) => violation.check)).toEqual(['errors']);
    } finally {
      rmSync(reportsDir, { recursive: true, force: true });
    }
  });

  it('reports a log group that does not exist as a source that cannot be read', async () => {
    const source = cloudWatchSource({
      logGroupName: `/aws/lambda/missing-${suffix}`,
      endpoint: moto.endpoint,
    });
    await expect(source.fetch({ since: 0, until: Date.now() })).rejects.toThrow(/does not exist there/);
  });
});
