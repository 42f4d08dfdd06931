/**
 * One execution environment: the entry of a child process the stage forks (bundled by esbuild at
 * stage start, so it runs in plain Node with no TypeScript loader). It loads the function once
 * (the init phase, timed), then serves invocations one at a time, and writes the function's log
 * lines into its own log stream the way the Lambda Node.js runtime does: `console.*` with the
 * `<ts>\t<requestId>\t<LEVEL>\t` prefix, raw stdout/stderr (Powertools' JSON) line by line as is.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { format } from 'node:util';
import type { Callback, Context } from 'aws-lambda';
import { captureLines, openLogStream } from '../logs';
import { consoleLine, endLine, invokeErrorLine, reportLine, startLine, uncaughtLine } from './lambda-log';
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

function send(message: EnvironmentMessage): void {
  process.send?.(message);
}

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

function runHandler(handler: Handler, message: InvokeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(message.event, contextFor(message), callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceId;
  // START/END/REPORT are written here, in order with the function's lines and off the stage's
  // event loop; the stage writes them only for invocations this process cannot finish (timeout, crash).
  stream.append(startLine(message.requestId));
  const started = performance.now();
  let outcome: Exclude<EnvironmentMessage, { type: 'ready' }>;
  try {
    const result = await runHandler(handler, message);
    const payload = JSON.stringify(result ?? null);
    const durationMs = performance.now() - started;
    outcome =
      Buffer.byteLength(payload) > MAX_RESPONSE_BYTES
        ? {
            type: 'error',
            requestId: message.requestId,
            errorType: 'Function.ResponseSizeTooLarge',
            durationMs,
            maxMemoryUsedMb: maxMemoryUsedMb(),
          }
        : {
            type: 'result',
            requestId: message.requestId,
            // The channel serializes it again; sending the object spares the stage a JSON.parse.
            result: result ?? null,
            durationMs,
            maxMemoryUsedMb: maxMemoryUsedMb(),
          };
  } catch (error) {
    stream.append(invokeErrorLine(message.requestId, error));
    outcome = {
      type: 'error',
      requestId: message.requestId,
      errorType: error instanceof Error ? error.name : 'Runtime.HandlerError',
      durationMs: performance.now() - started,
      maxMemoryUsedMb: maxMemoryUsedMb(),
    };
  }
  flushStdout();
  flushStderr();
  stream.append(endLine(message.requestId));
  stream.append(
    reportLine({
      requestId: message.requestId,
      durationMs: outcome.durationMs,
      memorySizeMb: config.memorySizeMb,
      maxMemoryUsedMb: outcome.maxMemoryUsedMb,
      initDurationMs: pendingInitMs,
    }),
  );
  pendingInitMs = undefined;
  send(outcome);
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
send({ type: 'ready', initDurationMs: pendingInitMs });
// The stage went away without stopping us (killed): an orphaned environment has nothing to serve.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: InvokeMessage) => {
  if (message.type === 'invoke') void invoke(handler, message);
});
