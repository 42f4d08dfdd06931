import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { localLogDir } from '../../common/paths';

/**
 * The local log store: CloudWatch Logs' shape on disk, so the log check reads it through the same
 * interface as CloudWatch. One folder per log group, one NDJSON file per log stream; every line is
 * `{"timestamp":…,"ingestionTime":…,"message":"…"}`. Files are appended synchronously so another
 * process (the log check) can read a running stage's logs.
 */
export interface LogEvent {
  logStreamName: string;
  /** Milliseconds since the epoch, when the line was written. */
  timestamp: number;
  message: string;
  /** Milliseconds since the epoch, when the store received it. */
  ingestionTime: number;
}

export interface LogStreamWriter {
  readonly logGroupName: string;
  readonly logStreamName: string;
  append(message: string, timestamp?: number): void;
  close(): void;
}

export interface ReadLogEventsOptions {
  logGroupName: string;
  /** Inclusive, ms since the epoch. */
  startTime?: number;
  /** Inclusive, ms since the epoch. */
  endTime?: number;
  dir?: string;
}

function groupDir(dir: string, logGroupName: string): string {
  return join(dir, encodeURIComponent(logGroupName));
}

/** Lambda's stream name: `YYYY/MM/DD/[$LATEST]<32 hex>`, one per execution environment. */
export function newLogStreamName(now = new Date(), version = '$LATEST'): string {
  const date = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${date}/[${version}]${randomBytes(16).toString('hex')}`;
}

export function openLogStream(
  logGroupName: string,
  logStreamName: string,
  dir = localLogDir(),
): LogStreamWriter {
  const folder = groupDir(dir, logGroupName);
  mkdirSync(folder, { recursive: true });
  let fd: number | undefined = openSync(join(folder, `${encodeURIComponent(logStreamName)}.ndjson`), 'a');
  return {
    logGroupName,
    logStreamName,
    append(message, timestamp = Date.now()) {
      if (fd === undefined) throw new Error(`log stream ${logStreamName} is closed`);
      writeSync(fd, `${JSON.stringify({ timestamp, ingestionTime: Date.now(), message })}\n`);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Sends what a process writes to `target` (its stdout or stderr) to `stream`, one log event per
 * line, as Lambda's runtime does; the write callback, if any, is called at once. Returns a flush
 * for a last line without a newline.
 */
export function captureLines(target: NodeJS.WriteStream, stream: LogStreamWriter): () => void {
  let partial = '';
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      stream.append(partial.slice(0, newline));
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
    }
    const callback = rest.find((value) => typeof value === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  target.write = write as typeof target.write;
  return () => {
    if (partial) stream.append(partial);
    partial = '';
  };
}

/** Events of one log group within a time range, oldest first (like FilterLogEvents). */
export function readLogEvents(options: ReadLogEventsOptions): LogEvent[] {
  const folder = groupDir(options.dir ?? localLogDir(), options.logGroupName);
  if (!existsSync(folder)) return [];
  const start = options.startTime ?? 0;
  const end = options.endTime ?? Number.MAX_SAFE_INTEGER;
  const events: LogEvent[] = [];
  for (const file of readdirSync(folder)) {
    if (!file.endsWith('.ndjson')) continue;
    const logStreamName = decodeURIComponent(file.slice(0, -'.ndjson'.length));
    for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) {
      const event = line ? parseStoredLine(line, logStreamName) : undefined;
      if (event && event.timestamp >= start && event.timestamp <= end) events.push(event);
    }
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

function parseStoredLine(line: string, logStreamName: string): LogEvent | undefined {
  // A line cut short by a crash mid-write is skipped rather than failing the whole read.
  try {
    const parsed = JSON.parse(line) as { timestamp: number; ingestionTime: number; message: string };
    return { logStreamName, ...parsed };
  } catch {
    return undefined;
  }
}

export interface LogGroupTail {
  /** The events appended to any stream of the group since the last call (the first call: all of them). */
  readNew(): LogEvent[];
}

/**
 * Follows one log group of the store as its streams grow: each stream file is read on from the byte
 * where the last read stopped, and a line still being written waits for its newline. The log
 * check's polls and the rehearsal's log shipping read only what is new this way.
 */
export function tailLogGroup(logGroupName: string, dir = localLogDir()): LogGroupTail {
  const folder = groupDir(dir, logGroupName);
  const offsets = new Map<string, number>();
  return {
    readNew() {
      if (!existsSync(folder)) return [];
      const events: LogEvent[] = [];
      for (const file of readdirSync(folder)) {
        if (!file.endsWith('.ndjson')) continue;
        const logStreamName = decodeURIComponent(file.slice(0, -'.ndjson'.length));
        const from = offsets.get(file) ?? 0;
        const chunk = readFrom(join(folder, file), from);
        const complete = chunk.lastIndexOf(0x0a) + 1;
        if (complete === 0) continue;
        offsets.set(file, from + complete);
        for (const line of chunk.subarray(0, complete).toString('utf8').split('\n')) {
          const event = line ? parseStoredLine(line, logStreamName) : undefined;
          if (event) events.push(event);
        }
      }
      return events;
    },
  };
}

function readFrom(path: string, offset: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
