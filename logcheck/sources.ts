import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CannotRunError } from '../common/cli';
import { localLogDir } from '../common/paths';
import { type LogEvent, readLogEvents, tailLogGroup } from '../local/logs/index';

/** A closed time range in ms since the epoch. */
export interface TimeWindow {
  since: number;
  until: number;
}

/** Where the function's log events come from: the local store or CloudWatch Logs. */
export interface LogSource {
  /** e.g. `local store /tmp/x (/aws/lambda/Pets)` */
  readonly description: string;
  /** Every event of the log group within the window, oldest first: one whole read. */
  fetch(window: TimeWindow): Promise<LogEvent[]>;
  /**
   * The window read as it fills: each `read()` returns every event so far, oldest first, having
   * read only what arrived since the last call. A source without it is read whole on every poll.
   */
  follow?(window: TimeWindow): LogFollower;
  /** Releases what the source holds (the SDK client it made itself); called once the check is done. */
  close?(): void;
}

export interface LogFollower {
  read(): Promise<LogEvent[]>;
  /**
   * The follower may have passed over an event that arrived late (CloudWatch: stamped well before
   * the newest one seen): a whole read settles the count when the wait ends without it.
   */
  readonly mayMissLate: boolean;
}

const byTimestamp = (a: LogEvent, b: LogEvent) => a.timestamp - b.timestamp;

// ---------------------------------------------------------------------------------------------
// local store

export function localSource(options: { logGroupName: string; dir?: string }): LogSource {
  const dir = options.dir ?? localLogDir();
  const ensureGroup = () => {
    if (!existsSync(join(dir, encodeURIComponent(options.logGroupName)))) {
      throw new CannotRunError(
        `The local log store has no log group ${options.logGroupName} under ${dir}.\n` +
          'Point --log-dir (PETS_LOG_DIR) at the directory the stage wrote to, and --log-group at its log group.',
      );
    }
  };
  return {
    description: `local store ${dir} (${options.logGroupName})`,
    async fetch(window) {
      ensureGroup();
      return readLogEvents({
        logGroupName: options.logGroupName,
        dir,
        startTime: window.since,
        endTime: window.until,
      });
    },
    follow(window) {
      // The store's files only grow: each stream is read on from where the last read stopped.
      const tail = tailLogGroup(options.logGroupName, dir);
      const events: LogEvent[] = [];
      return {
        mayMissLate: false,
        async read() {
          ensureGroup();
          for (const event of tail.readNew()) {
            if (event.timestamp >= window.since && event.timestamp <= window.until) events.push(event);
          }
          return [...events].sort(byTimestamp);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs

export interface CloudWatchSourceOptions {
  logGroupName: string;
  region?: string;
  /** A stand-in endpoint (moto server); credentials default to dummy ones there. */
  endpoint?: string;
  /** A ready client (tests pass their own); region and endpoint are then ignored. */
  client?: CloudWatchLogsClient;
  /** Throttled calls are retried this many times with exponential backoff. */
  maxRetries?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
]);

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = 'name' in error ? String(error.name) : '';
  const status =
    '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null
      ? (error.$metadata as { httpStatusCode?: number }).httpStatusCode
      : undefined;
  return THROTTLING_ERRORS.has(name) || status === 429;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Errors that mean "this source cannot be read" rather than "this run failed": exit 2 with a fix. */
function cannotRun(error: unknown, options: CloudWatchSourceOptions): CannotRunError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const where = options.endpoint ?? `CloudWatch Logs in ${options.region ?? 'the default region'}`;
  let fix = `Check that ${where} is reachable and that the credentials may call logs:FilterLogEvents.`;
  if (name === 'ResourceNotFoundException') {
    fix = `The log group ${options.logGroupName} does not exist there: check --log-group and --region.`;
  } else if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    fix = 'No AWS credentials were found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.';
  } else if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
    fix = `The credentials may not read the log group: allow logs:FilterLogEvents on ${options.logGroupName}.`;
  }
  return new CannotRunError(
    `Reading ${options.logGroupName} from ${where} failed: ${name}: ${message}\n${fix}`,
  );
}

function buildClient(options: CloudWatchSourceOptions): CloudWatchLogsClient {
  if (options.client) return options.client;
  return new CloudWatchLogsClient({
    // The SDK's own retries are off: throttling is retried here, with the backoff we report.
    maxAttempts: 1,
    // An endpoint that never answers is "unreachable" (exit 2), not a check that hangs.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'us-east-1',
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'testing',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'testing',
          },
        }
      : {}),
  });
}

function toLogEvent(event: FilteredLogEvent): LogEvent {
  return {
    logStreamName: event.logStreamName ?? '',
    timestamp: event.timestamp ?? 0,
    message: event.message ?? '',
    ingestionTime: event.ingestionTime ?? 0,
  };
}

/**
 * How far before the newest event seen a follow-up poll reads again. CloudWatch ingests each log
 * stream in order, but the streams of several execution environments apart: an event stamped a
 * little before the newest one seen may still arrive. Anything later than that is caught by the
 * whole read that ends a wait at its deadline.
 */
export const REREAD_MS = 30_000;

/**
 * FilterLogEvents over the window, following nextToken to the last page; throttling is retried
 * with exponential backoff (base, 2×, 4×… capped at 20 s). A follower polls from shortly before the
 * newest event it has seen (REREAD_MS), not from the window's first page, and keeps each event once
 * (by its eventId).
 */
export function cloudWatchSource(options: CloudWatchSourceOptions): LogSource {
  const client = buildClient(options);
  const maxRetries = options.maxRetries ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const sleep = options.sleep ?? defaultSleep;

  async function page(window: TimeWindow, nextToken?: string): Promise<FilterLogEventsCommandOutput> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await client.send(
          new FilterLogEventsCommand({
            logGroupName: options.logGroupName,
            startTime: window.since,
            endTime: window.until,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
      } catch (error) {
        if (!isThrottling(error)) throw cannotRun(error, options);
        if (attempt >= maxRetries) {
          throw new CannotRunError(
            `CloudWatch Logs kept throttling FilterLogEvents on ${options.logGroupName} after ${maxRetries} retries.\n` +
              'Run the check again later, or narrow --since/--until.',
          );
        }
        await sleep(Math.min(20_000, baseDelayMs * 2 ** attempt));
      }
    }
  }

  async function* pages(window: TimeWindow): AsyncGenerator<FilteredLogEvent> {
    let nextToken: string | undefined;
    const seenTokens = new Set<string>();
    do {
      const output = await page(window, nextToken);
      yield* output.events ?? [];
      nextToken = output.nextToken;
      // A token seen twice would loop forever (some stand-ins echo the last token).
      if (nextToken !== undefined && seenTokens.has(nextToken)) break;
      if (nextToken !== undefined) seenTokens.add(nextToken);
    } while (nextToken);
  }

  return {
    description:
      `CloudWatch Logs ${options.endpoint ?? options.region ?? ''} (${options.logGroupName})`.replace(
        '  ',
        ' ',
      ),
    async fetch(window) {
      const events: LogEvent[] = [];
      for await (const event of pages(window)) events.push(toLogEvent(event));
      return events.sort(byTimestamp);
    },
    follow(window) {
      const byId = new Map<string, LogEvent>();
      let newest = window.since;
      return {
        mayMissLate: true,
        async read() {
          const since = Math.max(window.since, newest - REREAD_MS);
          for await (const event of pages({ since, until: window.until })) {
            const logEvent = toLogEvent(event);
            byId.set(
              event.eventId ?? `${logEvent.logStreamName} ${logEvent.timestamp} ${logEvent.message}`,
              logEvent,
            );
            newest = Math.max(newest, logEvent.timestamp);
          }
          return [...byId.values()].sort(byTimestamp);
        },
      };
    },
    close() {
      // A client the caller gave stays theirs; the one built here is released with its sockets.
      if (!options.client) client.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ingestion wait

export interface WaitOutcome {
  outcome: 'complete' | 'deadline';
  waitedMs: number;
}

/** `request completed` lines of one run in a batch of events (a cheap scan, before parsing). */
export function countCompletedLines(events: readonly LogEvent[], runId: string): number {
  let count = 0;
  for (const event of events) {
    if (!event.message.includes('request completed') || !event.message.includes(runId)) continue;
    try {
      const record = JSON.parse(event.message.slice(event.message.indexOf('{'))) as Record<string, unknown>;
      if (record.message === 'request completed' && record.run_id === runId) count += 1;
    } catch {
      // not a handler line
    }
  }
  return count;
}

/**
 * CloudWatch ingestion lags behind the run: fetch again until the expected number of the run's
 * `request completed` lines has arrived or the deadline passes, and say which happened.
 */
export async function fetchWhenIngested(
  source: LogSource,
  window: TimeWindow,
  expectation: { runId: string; expected: number; waitMs: number; pollMs?: number },
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = { now: Date.now, sleep: defaultSleep },
): Promise<{ events: LogEvent[]; wait: WaitOutcome }> {
  const startedAt = clock.now();
  const pollMs = expectation.pollMs ?? 2000;
  const follower = source.follow?.(window) ?? { read: () => source.fetch(window), mayMissLate: false };
  const arrived = (events: readonly LogEvent[]) =>
    countCompletedLines(events, expectation.runId) >= expectation.expected;
  for (;;) {
    const events = await follower.read();
    const waitedMs = clock.now() - startedAt;
    if (arrived(events)) return { events, wait: { outcome: 'complete', waitedMs } };
    if (waitedMs >= expectation.waitMs) {
      if (!follower.mayMissLate) return { events, wait: { outcome: 'deadline', waitedMs } };
      // One whole read settles what the polls may have passed over.
      const whole = await source.fetch(window);
      return { events: whole, wait: { outcome: arrived(whole) ? 'complete' : 'deadline', waitedMs } };
    }
    await clock.sleep(Math.min(pollMs, expectation.waitMs - waitedMs));
  }
}
