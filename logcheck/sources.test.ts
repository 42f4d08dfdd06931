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
  REREAD_MS,
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
          { message: completedLine('run-other', 'x'), timestamp: 2_500 },
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
    expect(events).toHaveLength(3);
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
    // Four polls, then one whole read of the window to settle the count.
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 5);
  });

  it("polls on from shortly before the newest event seen, not from the window's first page, and keeps each event once", async () => {
    const window = { since: 1_000, until: 200_000 };
    const event = (id: string, timestamp: number, requestId: string) => ({
      eventId: id,
      logStreamName: 's1',
      timestamp,
      message: completedLine('run-1', requestId),
    });
    cloudWatch
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event('e1', 2_000, 'a')], nextToken: 'page-2' })
      .resolvesOnce({ events: [event('e2', 100_000, 'b')] })
      .resolvesOnce({ events: [event('e2', 100_000, 'b'), event('e3', 110_000, 'c')] });
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const { events, wait } = await fetchWhenIngested(
      source,
      window,
      { runId: 'run-1', expected: 3, waitMs: 60_000, pollMs: 5_000 },
      fakeClock(),
    );

    expect(wait.outcome).toBe('complete');
    expect(events.map((e) => e.timestamp)).toEqual([2_000, 100_000, 110_000]);
    expect(cloudWatch).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
    const inputs = cloudWatch.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { logGroupName: LOG_GROUP, startTime: 1_000, endTime: 200_000 },
      { logGroupName: LOG_GROUP, startTime: 1_000, endTime: 200_000, nextToken: 'page-2' },
      // The second poll: no first page again, only from shortly before the newest event seen.
      { logGroupName: LOG_GROUP, startTime: 100_000 - REREAD_MS, endTime: 200_000 },
    ]);
  });

  it('settles with one whole read at the deadline: a line that arrived late and early-stamped still counts', async () => {
    const window = { since: 1_000, until: 200_000 };
    const late = {
      eventId: 'late',
      logStreamName: 's2',
      timestamp: 5_000,
      message: completedLine('run-1', 'b'),
    };
    const seen = {
      eventId: 'seen',
      logStreamName: 's1',
      timestamp: 150_000,
      message: completedLine('run-1', 'a'),
    };
    let calls = 0;
    cloudWatch.on(FilterLogEventsCommand).callsFake((input: { startTime: number }) => {
      calls += 1;
      // From the second call on the late line is in CloudWatch, but stamped before what the polls read again.
      return { events: calls > 1 && input.startTime <= 5_000 ? [late, seen] : [seen] };
    });
    const source = cloudWatchSource({ logGroupName: LOG_GROUP, client: new CloudWatchLogsClient({}) });

    const { events, wait } = await fetchWhenIngested(
      source,
      window,
      { runId: 'run-1', expected: 2, waitMs: 10_000, pollMs: 5_000 },
      fakeClock(),
    );

    expect(wait).toEqual({ outcome: 'complete', waitedMs: 10_000 });
    expect(events.map((e) => e.message)).toEqual([late.message, seen.message]);
  });
});

describe('the SDK client of a CloudWatch source', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is destroyed when the source it was built for closes, and a client the caller gave is left alone', () => {
    const destroy = jest.spyOn(CloudWatchLogsClient.prototype, 'destroy');
    const given = new CloudWatchLogsClient({ region: 'eu-west-1' });

    cloudWatchSource({ logGroupName: LOG_GROUP, client: given }).close?.();
    expect(destroy).not.toHaveBeenCalled();
    cloudWatchSource({ logGroupName: LOG_GROUP, endpoint: 'http://127.0.0.1:1' }).close?.();
    expect(destroy).toHaveBeenCalledTimes(1);
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

  it('follows the store as it grows, reading each stream on from where it stopped', async () => {
    const stream = openLogStream(LOG_GROUP, '2026/11/23/[$LATEST]abc', dir);
    stream.append('first', 2_000);
    const follower = localSource({ logGroupName: LOG_GROUP, dir }).follow?.(WINDOW);
    if (!follower) throw new Error('the local source has no follower');

    const before = await follower.read();
    stream.append('second', 3_000);
    const other = openLogStream(LOG_GROUP, '2026/11/23/[$LATEST]def', dir);
    other.append('from another environment', 2_500);
    const after = await follower.read();
    stream.close();
    other.close();

    expect(before.map((event) => event.message)).toEqual(['first']);
    expect(after.map((event) => event.message)).toEqual(['first', 'from another environment', 'second']);
    expect(follower.mayMissLate).toBe(false);
  });

  it('says which directory and log group it looked for when the store has no such group', async () => {
    await expect(localSource({ logGroupName: '/aws/lambda/Nope', dir }).fetch(WINDOW)).rejects.toThrow(
      new RegExp(`no log group /aws/lambda/Nope under ${dir}`),
    );
  });
});
