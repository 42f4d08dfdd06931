/**
 * One execution environment: the entry of a child process the stage starts on the runtime's Node
 * (bundled by esbuild, so it runs in plain Node with no TypeScript loader). It loads the function
 * once (the init phase, timed), then serves invocations one at a time, and writes the function's
 * log lines into its own log stream the way the Lambda Node.js runtime does: `console.*` with the
 * `<ts>\t<requestId>\t<LEVEL>\t` prefix, raw stdout/stderr (Powertools' JSON) line by line as is.
 * Between invocations it is frozen (see `serveNext`), and at each return it says what the handler
 * left running (`in-flight.ts`).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import type { Callback, Context } from 'aws-lambda';
import { captureLines, openLogStream } from '../logs';
import { environmentSide } from './channel';
import { createInFlightTracker, describeWork } from './in-flight';
import {
  consoleLine,
  endLine,
  inFlightLine,
  invokeErrorLine,
  reportLine,
  startLine,
  uncaughtLine,
} from './lambda-log';
import {
  type EnvironmentMessage,
  type InvokeMessage,
  MAX_RESPONSE_BYTES,
  type RuntimeConfig,
} from './protocol';

type Handler = (event: unknown, context: Context, callback: Callback) => unknown;

const config = JSON.parse(process.argv[2] ?? '{}') as RuntimeConfig;
const stream = openLogStream(config.logGroupName, config.logStreamName, config.logDir);
let currentRequestId: string | undefined;
/** Reported on the first invocation's REPORT only, as Lambda does. */
let pendingInitMs: number | undefined;

const channel = environmentSide<InvokeMessage>();
const inFlight = createInFlightTracker();

const flushStdout = captureLines(process.stdout, stream);
const flushStderr = captureLines(process.stderr, stream);

const CONSOLE_LEVELS = {
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
  trace: 'TRACE',
};
for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
  Object.assign(console, {
    [method]: (...args: unknown[]) => stream.append(consoleLine(currentRequestId, level, format(...args))),
  });
}

// An error nobody awaited ends the environment, like the Node.js runtime; the stage sees the exit.
process.on('uncaughtException', (error) => {
  stream.append(uncaughtLine(currentRequestId, 'Uncaught Exception', error));
  process.exit(129);
});
process.on('unhandledRejection', (reason) => {
  stream.append(uncaughtLine(currentRequestId, 'Unhandled Promise Rejection', reason));
  process.exit(128);
});

function loadHandler(): Handler {
  const dot = config.handler.lastIndexOf('.');
  const file = config.handler.slice(0, dot);
  const exportName = config.handler.slice(dot + 1);
  const loaded = createRequire(__filename)(join(config.bundleDir, file)) as Record<string, unknown>;
  const handler = loaded[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${file}.${exportName} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler as Handler;
}

function maxMemoryUsedMb(): number {
  // Peak resident set size of this process image, which is what Lambda's Max Memory Used reports.
  // Not getrusage's maxRSS: Linux carries the parent's peak into a forked-and-exec'd child's
  // ru_maxrss, so an environment started from a large parent (a jest worker) would report the
  // parent's memory. /proc/self/status VmHWM belongs to this image alone.
  try {
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (peak?.[1]) return Number(peak[1]) / 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS / 1024;
}

function contextFor(message: InvokeMessage): Context {
  const fail = (error: unknown) => {
    throw error;
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`,
    memoryLimitInMB: String(config.memorySizeMb),
    awsRequestId: message.requestId,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/**
 * Calls the handler and reports its settlement through `done`, without promises of our own that
 * could outlive the call (the in-flight check would see them): async handlers, callback handlers,
 * and plain return values.
 */
function runHandler(
  handler: Handler,
  message: InvokeMessage,
  done: (error: unknown, result?: unknown) => void,
) {
  let settled = false;
  const once = (error: unknown, result?: unknown) => {
    if (settled) return;
    settled = true;
    done(error, result);
  };
  try {
    const returned = handler(message.event, contextFor(message), (error, result) =>
      once(error || null, result),
    );
    if (returned && typeof (returned as Promise<unknown>).then === 'function') {
      const awaiting = (returned as Promise<unknown>).then(
        (result) => once(null, result),
        (error: unknown) => once(error ?? new Error('the handler rejected with no reason')),
      );
      inFlight.ignore(awaiting);
    } else if (handler.length < 3) {
      once(null, returned);
    }
  } catch (error) {
    once(error);
  }
}

function outcomeOf(message: InvokeMessage, error: unknown, result: unknown, durationMs: number) {
  const requestId = message.requestId;
  const maxMemory = maxMemoryUsedMb();
  if (error !== null) {
    stream.append(invokeErrorLine(requestId, error));
    const errorType = error instanceof Error ? error.name : 'Runtime.HandlerError';
    return {
      outcome: { type: 'error', requestId, errorType, durationMs, maxMemoryUsedMb: maxMemory } as const,
    };
  }
  const payload = JSON.stringify(result ?? null);
  if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
    const errorType = 'Function.ResponseSizeTooLarge';
    return {
      outcome: { type: 'error', requestId, errorType, durationMs, maxMemoryUsedMb: maxMemory } as const,
    };
  }
  const outcome = {
    type: 'result',
    requestId,
    durationMs,
    maxMemoryUsedMb: maxMemory,
    result: null,
  } as const;
  // Serialized once: the payload takes the place of the placeholder `null`, the last field.
  const json = `${JSON.stringify(outcome).slice(0, -'null}'.length)}${payload}}`;
  return { outcome, json };
}

/** The answer is out and the invocation's lines are written: the environment is frozen from here. */
function finishInvocation(
  message: InvokeMessage,
  durationMs: number,
  error: unknown,
  result?: unknown,
): void {
  const stillRunning = inFlight.end();
  const { outcome, json } = outcomeOf(message, error, result, durationMs);
  flushStdout();
  flushStderr();
  if (stillRunning.counts.size > 0)
    stream.append(inFlightLine(message.requestId, describeWork(stillRunning)));
  stream.append(endLine(message.requestId));
  stream.append(
    reportLine({
      requestId: message.requestId,
      durationMs,
      memorySizeMb: config.memorySizeMb,
      maxMemoryUsedMb: outcome.maxMemoryUsedMb,
      initDurationMs: pendingInitMs,
    }),
  );
  pendingInitMs = undefined;
  channel.send(outcome, json);
  serveNext();
}

function startInvocation(message: InvokeMessage): void {
  currentRequestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceId;
  // START/END/REPORT are written here, in order with the function's lines and off the stage's
  // event loop; the stage writes them only for invocations this process cannot finish (timeout, crash).
  stream.append(startLine(message.requestId));
  const started = performance.now();
  inFlight.begin();
  runHandler(handler, message, (error, result) => {
    const durationMs = performance.now() - started;
    // Always from a later tick, so serveNext's wait never nests inside the previous invocation.
    inFlight.settle(() => finishInvocation(message, durationMs, error, result));
  });
}

/**
 * Blocks until the stage delivers the next invocation. Nothing of the function runs while it
 * waits: its timers, sockets and promises resume only once the next invocation has started, so
 * what they log lands in that invocation's window, as after a thaw on Lambda.
 */
function serveNext(): void {
  const message = channel.receive();
  // The stage went away without stopping us (killed): an orphaned environment has nothing to serve.
  if (message === undefined) process.exit(0);
  startInvocation(message);
}

let handler: Handler;
try {
  handler = loadHandler();
} catch (error) {
  stream.append(uncaughtLine(undefined, 'Uncaught Exception', error));
  process.exit(1);
}
// performance.now() counts from process start: runtime start-up plus the function's static init,
// which is what Lambda's Init Duration covers.
pendingInitMs = performance.now();
const initCpu = process.cpuUsage();
channel.send({
  type: 'ready',
  initDurationMs: pendingInitMs,
  initCpuMs: (initCpu.user + initCpu.system) / 1000,
  nodeVersion: process.version,
} satisfies EnvironmentMessage);
serveNext();
