import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  type InputLogEvent,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { type LogEvent, tailLogGroup } from '../local/logs/index';
import type { AwsStandIn } from './cdk';

/**
 * What Lambda's log agent does for a deployed function, done for the local stage in the
 * rehearsal: the lines its execution environments write to the local log store are sent to
 * CloudWatch Logs (moto's) in the function's log group, one log stream per environment, in
 * PutLogEvents batches within AWS's documented limits, every second while the run goes on.
 */

/**
 * PutLogEvents' limits (CloudWatch Logs API Reference): at most 10,000 events and 1,048,576 bytes
 * a batch, the size being the sum of the messages in UTF-8 plus 26 bytes for each event; each event
 * at most 256 KB; the events in chronological order; a batch spanning at most 24 hours.
 */
export const PUT_LOG_EVENTS_LIMITS = {
  maxEvents: 10_000,
  maxBatchBytes: 1_048_576,
  eventOverheadBytes: 26,
  maxEventBytes: 256 * 1024,
  maxSpanMs: 24 * 60 * 60 * 1000,
} as const;

/** The longest message an event can carry: the event limit less its overhead. */
const MAX_MESSAGE_BYTES = PUT_LOG_EVENTS_LIMITS.maxEventBytes - PUT_LOG_EVENTS_LIMITS.eventOverheadBytes;

/** `message` cut to at most `maxBytes` of UTF-8, never inside a character. */
function truncateUtf8(message: string, maxBytes: number): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.byteLength <= maxBytes) return message;
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * One stream's events as PutLogEvents batches: oldest first, each batch within every limit above.
 * An empty message is dropped (CloudWatch refuses it); one over the event limit is cut to it, as
 * Lambda cuts a log line over 256 KB.
 */
export function putLogEventsBatches(
  events: readonly Pick<LogEvent, 'timestamp' | 'message'>[],
): InputLogEvent[][] {
  const limits = PUT_LOG_EVENTS_LIMITS;
  const batches: InputLogEvent[][] = [];
  let batch: InputLogEvent[] = [];
  let bytes = 0;
  const sorted = [...events]
    .filter((event) => event.message !== '')
    .sort((a, b) => a.timestamp - b.timestamp);
  for (const event of sorted) {
    const message = truncateUtf8(event.message, MAX_MESSAGE_BYTES);
    const size = Buffer.byteLength(message, 'utf8') + limits.eventOverheadBytes;
    const first = batch[0];
    const full =
      batch.length === limits.maxEvents ||
      bytes + size > limits.maxBatchBytes ||
      (first !== undefined && event.timestamp - (first.timestamp ?? 0) > limits.maxSpanMs);
    if (full) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ timestamp: event.timestamp, message });
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

export interface ShippingFigures {
  events: number;
  batches: number;
  streams: number;
  /** Events CloudWatch refused (too old, too new, expired), with why. */
  rejected: string[];
}

export interface LogShipping {
  /** Sends what has been written since the last send; resolves once it is in CloudWatch Logs. */
  flush(): Promise<void>;
  /** Ships what is left, stops, and releases the client (once: later calls get the same answer). */
  stop(): Promise<ShippingFigures>;
  figures(): ShippingFigures;
}

async function createStream(client: CloudWatchLogsClient, logGroupName: string, logStreamName: string) {
  try {
    await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
}

function byStream(events: readonly LogEvent[]): Map<string, LogEvent[]> {
  const streams = new Map<string, LogEvent[]>();
  for (const event of events) {
    const stream = streams.get(event.logStreamName) ?? [];
    stream.push(event);
    streams.set(event.logStreamName, stream);
  }
  return streams;
}

/**
 * Ships the local store's log group `logGroupName` under `logDir` to the stand-in's CloudWatch Logs
 * (the log group itself is the stack's), every `intervalMs`, until stopped.
 */
export function startLogShipping(options: {
  standIn: AwsStandIn;
  logGroupName: string;
  logDir: string;
  intervalMs?: number;
}): LogShipping {
  const { standIn, logGroupName } = options;
  const client = new CloudWatchLogsClient({
    endpoint: standIn.endpoint,
    region: standIn.region,
    credentials: standIn.credentials,
  });
  const tail = tailLogGroup(logGroupName, options.logDir);
  const created = new Set<string>();
  const figures: ShippingFigures = { events: 0, batches: 0, streams: 0, rejected: [] };

  async function ship(): Promise<void> {
    for (const [logStreamName, events] of byStream(tail.readNew())) {
      if (!created.has(logStreamName)) {
        await createStream(client, logGroupName, logStreamName);
        created.add(logStreamName);
        figures.streams += 1;
      }
      for (const logEvents of putLogEventsBatches(events)) {
        const answer = await client.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }));
        const refused = answer.rejectedLogEventsInfo;
        if (refused) figures.rejected.push(`${logStreamName}: ${JSON.stringify(refused)}`);
        figures.events += logEvents.length;
        figures.batches += 1;
      }
    }
  }

  // One send at a time: a tick that finds one running waits for it instead of reading twice.
  let sending: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = () => {
    sending = sending.then(ship).catch((error: unknown) => {
      failure ??= error;
    });
    return sending.then(() => {
      if (failure) throw failure;
    });
  };
  const timer = setInterval(() => void flush().catch(() => undefined), options.intervalMs ?? 1000);
  timer.unref();
  const snapshot = () => ({ ...figures, rejected: [...figures.rejected] });
  let stopping: Promise<ShippingFigures> | undefined;
  return {
    flush,
    figures: snapshot,
    stop() {
      clearInterval(timer);
      stopping ??= flush()
        .finally(() => client.destroy())
        .then(snapshot);
      return stopping;
    },
  };
}
