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
import { type LogEvent, readLogEvents } from '../local/logs/index';

/** A closed time range in ms since the epoch. */
export interface TimeWindow {
  since: number;
  until: number;
}

/** Where the function's log events come from: the local store or CloudWatch Logs. */
export interface LogSource {
  /** e.g. `local store /tmp/x (/aws/lambda/Pets)` */
  readonly description: string;
  /** Every event of the log group within the window, oldest first. */
  fetch(window: TimeWindow): Promise<LogEvent[]>;
}

// ---------------------------------------------------------------------------------------------
// local store

export function localSource(options: { logGroupName: string; dir?: string }): LogSource {
  const dir = options.dir ?? localLogDir();
  return {
    description: `local store ${dir} (${options.logGroupName})`,
    async fetch(window) {
      if (!existsSync(join(dir, encodeURIComponent(options.logGroupName)))) {
        throw new CannotRunError(
          `The local log store has no log group ${options.logGroupName} under ${dir}.\n` +
            'Point --log-dir (PETS_LOG_DIR) at the directory the stage wrote to, and --log-group at its log group.',
        );
      }
      return readLogEvents({
        logGroupName: options.logGroupName,
        dir,
        startTime: window.since,
        endTime: window.until,
      });
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

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
 * FilterLogEvents over the window, following nextToken to the last page; throttling is retried
 * with exponential backoff (base, 2×, 4×… capped at 20 s).
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

  return {
    description:
      `CloudWatch Logs ${options.endpoint ?? options.region ?? ''} (${options.logGroupName})`.replace(
        '  ',
        ' ',
      ),
    async fetch(window) {
      const events: LogEvent[] = [];
      let nextToken: string | undefined;
      const seenTokens = new Set<string>();
      do {
        const output = await page(window, nextToken);
        for (const event of output.events ?? []) events.push(toLogEvent(event));
        nextToken = output.nextToken;
        // A token seen twice would loop forever (some stand-ins echo the last token).
        if (nextToken !== undefined && seenTokens.has(nextToken)) break;
        if (nextToken !== undefined) seenTokens.add(nextToken);
      } while (nextToken);
      return events.sort((a, b) => a.timestamp - b.timestamp);
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
  for (;;) {
    const events = await source.fetch(window);
    const waitedMs = clock.now() - startedAt;
    if (countCompletedLines(events, expectation.runId) >= expectation.expected) {
      return { events, wait: { outcome: 'complete', waitedMs } };
    }
    if (waitedMs >= expectation.waitMs) return { events, wait: { outcome: 'deadline', waitedMs } };
    await clock.sleep(Math.min(pollMs, expectation.waitMs - waitedMs));
  }
}
