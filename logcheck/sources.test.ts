import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CannotRunError } from '../common/cli';
import { openLogStream } from '../local/logs/index';
import {
  cloudWatchSource,
  countCompletedLines,
  fetchWhenIngested,
  isThrottling,
  localSource,
} from './sources';

const LOG_GROUP = '/aws/lambda/Pets';
const WINDOW = { since: 1_000, until: 9_000 };
const cloudWatch = mockClient(CloudWatchLogsClient);

function completedLine(runId: string, requestId: string): string {
  return JSON.stringify({
    level: 'INFO',
    message: 'request completed',
    run_id: runId,
    function_request_id: requestId,
    status: 200,
  });
}

function throttled(name: string): Error {
  return Object.assign(new Error('Rate exceeded'), { name, $metadata: { httpStatusCode: 400 } });
}

/** A clock that only moves when the code under test sleeps. */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

beforeEach(() => {
  cloudWatch.reset();
});

describe('cloudWatchSource', () => {
  it('follows nextToken through every page and returns the events oldest first', async () => {
    cloudWatch
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [{ logStreamName: 's1', timestamp: 3_000, ingestionTime: 3_100, message: 'b' }],
        nextToken: 't1',
      })
      .resolvesOnce({ events: [], nextToken: 't2' })
      .resolvesOnce({
        events: [{ logStreamName: 's2', timestamp: 2_000, ingestionTime: 2_100, message: 'a' }],
      });
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const events = await source.fetch(WINDOW);

    expect(events.map((event) => event.message)).toEqual(['a', 'b']);
    expect(events[0]).toEqual({ logStreamName: 's2', timestamp: 2_000, ingestionTime: 2_100, message: 'a' });
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
    expect(cloudWatch).toHaveReceivedNthSpecificCommandWith(1, FilterLogEventsCommand, {
      logGroupName: LOG_GROUP,
      startTime: 1_000,
      endTime: 9_000,
    });
    expect(cloudWatch).toHaveReceivedNthSpecificCommandWith(2, FilterLogEventsCommand, { nextToken: 't1' });
    expect(cloudWatch).toHaveReceivedNthSpecificCommandWith(3, FilterLogEventsCommand, { nextToken: 't2' });
  });

  it.each(['ThrottlingException', 'LimitExceededException', 'TooManyRequestsException'])(
    'retries %s with exponential backoff',
    async (name) => {
      cloudWatch
        .on(FilterLogEventsCommand)
        .rejectsOnce(throttled(name))
        .rejectsOnce(throttled(name))
        .rejectsOnce(throttled(name))
        .resolvesOnce({ events: [{ message: 'after the storm', timestamp: 2_000 }] });
      const clock = fakeClock();
      const source = cloudWatchSource({
        logGroupName: LOG_GROUP,
        client: new CloudWatchLogsClient({}),
        baseDelayMs: 100,
        sleep: clock.sleep,
      });

      const events = await source.fetch(WINDOW);

      expect(events.map((event) => event.message)).toEqual(['after the storm']);
      expect(clock.sleeps).toEqual([100, 200, 400]);
      expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 4);
    },
  );

  it('gives up with the fix after the retries are spent', async () => {
    cloudWatch.on(FilterLogEventsCommand).rejects(throttled('ThrottlingException'));
    const clock = fakeClock();
    const source = cloudWatchSource({
      logGroupName: LOG_GROUP,
      client: new CloudWatchLogsClient({}),
      maxRetries: 2,
      sleep: clock.sleep,
    });

    await expect(source.fetch(WINDOW)).rejects.toThrow(/kept throttling FilterLogEvents .* after 2 retries/);
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
  });

  it.each<[string, RegExp]>([
    ['ResourceNotFoundException', /log group \/aws\/lambda\/Pets does not exist/],
    ['AccessDeniedException', /allow logs:FilterLogEvents on \/aws\/lambda\/Pets/],
    ['CredentialsProviderError', /No AWS credentials were found/],
  ])('turns %s into a CannotRunError that says the fix, without retrying', async (name, fix) => {
    cloudWatch.on(FilterLogEventsCommand).rejects(Object.assign(new Error('nope'), { name }));
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const fetching = source.fetch(WINDOW);

    await expect(fetching).rejects.toBeInstanceOf(CannotRunError);
    await expect(fetching).rejects.toThrow(fix);
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 1);
  });
});

describe('isThrottling', () => {
  it.each<[unknown, boolean]>([
    [throttled('ThrottlingException'), true],
    [Object.assign(new Error('x'), { name: 'Unknown', $metadata: { httpStatusCode: 429 } }), true],
    [Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), false],
    ['ThrottlingException', false],
  ])('says %p is throttling: %p', (error, expected) => {
    expect(isThrottling(error)).toBe(expected);
  });
});

describe('fetchWhenIngested with CloudWatch', () => {
  it('polls until the expected request completed lines of the run arrive and says complete', async () => {
    cloudWatch
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ message: completedLine('run-1', 'a'), timestamp: 2_000 }] })
      .resolvesOnce({
        events: [
          { message: completedLine('run-1', 'a'), timestamp: 2_000 },
          { message: completedLine('run-other', 'x'), timestamp: 2_500 },
        ],
      })
      .resolvesOnce({
        events: [
          { message: completedLine('run-1', 'a'), timestamp: 2_000 },
          { message: completedLine('run-1', 'b'), timestamp: 3_000 },
        ],
      });
    const clock = fakeClock();
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const { events, wait } = await fetchWhenIngested(
      source,
      WINDOW,
      { runId: 'run-1', expected: 2, waitMs: 60_000, pollMs: 5_000 },
      clock,
    );

    expect(wait).toEqual({ outcome: 'complete', waitedMs: 10_000 });
    expect(events).toHaveLength(2);
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
  });

  it('stops at the deadline with what has arrived and says deadline', async () => {
    cloudWatch
      .on(FilterLogEventsCommand)
      .resolves({ events: [{ message: completedLine('run-1', 'a'), timestamp: 2_000 }] });
    const clock = fakeClock();
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const { events, wait } = await fetchWhenIngested(
      source,
      WINDOW,
      { runId: 'run-1', expected: 3, waitMs: 12_000, pollMs: 5_000 },
      clock,
    );

    expect(wait).toEqual({ outcome: 'deadline', waitedMs: 12_000 });
    expect(clock.sleeps).toEqual([5_000, 5_000, 2_000]);
    expect(events).toHaveLength(1);
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 4);
  });
});

describe('countCompletedLines', () => {
  it("counts the run's handler lines, bare or behind the runtime prefix, and nothing else", () => {
    const events = [
      completedLine('run-1', 'a'),
      `2026-11-23T22:00:00.000Z\tb\tINFO\t${completedLine('run-1', 'b')}`,
      completedLine('run-2', 'c'),
      'request completed run-1 (not JSON)',
    ].map((message, index) => ({ logStreamName: 's', timestamp: index, ingestionTime: index, message }));
    expect(countCompletedLines(events, 'run-1')).toBe(2);
  });
});

describe('localSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logcheck-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the events of the window from the local store', async () => {
    const stream = openLogStream(LOG_GROUP, '2026/11/23/[$LATEST]abc', dir);
    stream.append('too early', 500);
    stream.append('inside', 2_000);
    stream.append('too late', 9_500);
    stream.close();

    const events = await localSource({ logGroupName: LOG_GROUP, dir }).fetch(WINDOW);

    expect(events.map((event) => event.message)).toEqual(['inside']);
  });

  it('says which directory and log group it looked for when the store has no such group', async () => {
    await expect(localSource({ logGroupName: '/aws/lambda/Nope', dir }).fetch(WINDOW)).rejects.toThrow(
      new RegExp(`no log group /aws/lambda/Nope under ${dir}`),
    );
  });
});
