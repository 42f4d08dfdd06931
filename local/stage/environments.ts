import { type ChildProcess, fork } from 'node:child_process';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { stopChild, trackChild } from '../../common/processes';
import { type LogStreamWriter, newLogStreamName, openLogStream } from '../logs';
import { endLine, exitReason, reportLine, runtimeExitLine, timeoutLine } from './lambda-log';
import type { EnvironmentMessage, InvokeMessage, RuntimeConfig } from './protocol';

export type InvokeOutcome =
  | { kind: 'result'; result: unknown }
  | { kind: 'function-error'; errorType: string }
  | { kind: 'timeout' }
  | { kind: 'crash'; reason: string }
  | { kind: 'throttled' };

export interface EnvironmentPoolOptions {
  runtimePath: string;
  /** Everything but the stream name, which each environment gets its own of. */
  config: Omit<RuntimeConfig, 'logStreamName'>;
  /** The function's environment variables (the child sees nothing else). */
  env: Record<string, string>;
  /** At most this many environments at once. */
  concurrency: number;
  /** Refuse (throttle) instead of queueing when all environments are busy. */
  throttle: boolean;
  timeoutSeconds: number;
}

export interface PendingInvocation {
  outcome: Promise<InvokeOutcome>;
  /** The caller gave up (integration timeout): drop it if it is still queued. */
  cancel(): void;
}

export interface EnvironmentPool {
  invoke(requestId: string, event: APIGatewayProxyEvent, traceId: string): PendingInvocation;
  stats(): { environments: number; busy: number; queued: number; coldStarts: number };
  stop(): Promise<void>;
}

interface Waiter {
  requestId: string;
  event: APIGatewayProxyEvent;
  traceId: string;
  resolve(outcome: InvokeOutcome): void;
  cancelled: boolean;
}

interface Environment {
  child: ChildProcess;
  log: LogStreamWriter;
  ready: Promise<number>;
  /** Reported once, on the REPORT of the environment's first invocation. */
  pendingInitMs?: number;
  active?: { waiter: Waiter; startedAt: number; timer: NodeJS.Timeout };
  /** Ended on purpose (timeout, stop): its exit is not a crash. */
  retired: boolean;
  /** Peak RSS last reported, for the REPORT of an invocation that never reported (timeout, crash). */
  maxMemoryUsedMb: number;
}

/**
 * Lambda execution environments as child processes: created on demand (cold, init timed), reused
 * warm, one invocation at a time each, at most `concurrency` of them. A process per environment
 * gives real isolation (a crash or `process.exit` ends only its own invocation), a real peak RSS
 * for `Max Memory Used`, and lets a timed-out function be killed mid-flight as Lambda does.
 */
export function createEnvironmentPool(options: EnvironmentPoolOptions): EnvironmentPool {
  const environments = new Set<Environment>();
  const idle: Environment[] = [];
  const queue: Waiter[] = [];
  let coldStarts = 0;
  let stopped = false;

  /** Ends the active invocation; `report` when the environment could not write END/REPORT itself. */
  function finish(env: Environment, outcome: InvokeOutcome, report?: Parameters<typeof reportLine>[0]): void {
    const active = env.active;
    if (!active) return;
    clearTimeout(active.timer);
    env.active = undefined;
    if (report) {
      env.log.append(endLine(active.waiter.requestId));
      env.log.append(reportLine({ ...report, initDurationMs: env.pendingInitMs }));
    }
    env.pendingInitMs = undefined;
    active.waiter.resolve(outcome);
  }

  function release(env: Environment): void {
    if (env.retired || stopped) return;
    idle.push(env);
    schedule();
  }

  function remove(env: Environment): void {
    environments.delete(env);
    const at = idle.indexOf(env);
    if (at !== -1) idle.splice(at, 1);
  }

  function onMessage(env: Environment, message: EnvironmentMessage): void {
    if (message.type === 'ready') return;
    const active = env.active;
    if (!active || active.waiter.requestId !== message.requestId) return;
    env.maxMemoryUsedMb = message.maxMemoryUsedMb;
    if (message.type === 'result') finish(env, { kind: 'result', result: message.result });
    else finish(env, { kind: 'function-error', errorType: message.errorType });
    release(env);
  }

  function onExit(env: Environment, code: number | null, signal: NodeJS.Signals | null): void {
    remove(env);
    if (env.active && !env.retired) {
      const { waiter, startedAt } = env.active;
      const reason = exitReason(code, signal);
      env.log.append(runtimeExitLine(waiter.requestId, reason));
      finish(
        env,
        { kind: 'crash', reason },
        {
          requestId: waiter.requestId,
          durationMs: Date.now() - startedAt,
          memorySizeMb: options.config.memorySizeMb,
          maxMemoryUsedMb: env.maxMemoryUsedMb,
          status: 'error',
          errorType: 'Runtime.ExitError',
        },
      );
    }
    if (!stopped) schedule();
  }

  function create(): Environment {
    const logStreamName = newLogStreamName();
    const config: RuntimeConfig = { ...options.config, logStreamName };
    const child = trackChild(
      fork(options.runtimePath, [JSON.stringify(config)], {
        env: { ...options.env, AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
        execArgv: [],
        serialization: 'json',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      }),
    );
    const log = openLogStream(options.config.logGroupName, logStreamName, options.config.logDir);
    let readyResolve: (initMs: number) => void = () => undefined;
    let readyReject: (error: Error) => void = () => undefined;
    const ready = new Promise<number>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // Nobody may be waiting yet when an environment dies before it is ready.
    ready.catch(() => undefined);
    const env: Environment = { child, log, ready, retired: false, maxMemoryUsedMb: 0 };
    // Output that bypassed the runtime's capture (Node's own fatal messages) still reaches the log.
    for (const output of [child.stdout, child.stderr]) {
      output?.setEncoding('utf8');
      output?.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line) log.append(line);
      });
    }
    child.on('message', (message: EnvironmentMessage) => {
      if (message.type === 'ready') {
        env.pendingInitMs = message.initDurationMs;
        readyResolve(message.initDurationMs);
      } else onMessage(env, message);
    });
    child.once('exit', (code, signal) => {
      readyReject(new Error(`the environment exited during init: ${exitReason(code, signal)}`));
      onExit(env, code, signal);
    });
    // After exit, once its pipes are drained: nothing more will be written for this environment.
    child.once('close', () => log.close());
    // The stage's server keeps the process alive; environments alone must not.
    child.unref();
    child.channel?.unref();
    environments.add(env);
    coldStarts++;
    return env;
  }

  function onTimeout(env: Environment): void {
    const active = env.active;
    if (!active) return;
    env.retired = true;
    remove(env);
    env.log.append(timeoutLine(active.waiter.requestId, options.timeoutSeconds));
    finish(
      env,
      { kind: 'timeout' },
      {
        requestId: active.waiter.requestId,
        durationMs: options.timeoutSeconds * 1000,
        memorySizeMb: options.config.memorySizeMb,
        maxMemoryUsedMb: env.maxMemoryUsedMb,
        status: 'timeout',
      },
    );
    // Lambda stops the timed-out runtime; the next invocation gets a fresh environment.
    env.child.kill('SIGKILL');
    schedule();
  }

  async function run(env: Environment, waiter: Waiter): Promise<void> {
    try {
      await env.ready;
    } catch {
      // Init failed: the environment's exit handler has logged it; this request gets a 502.
      waiter.resolve({ kind: 'crash', reason: 'init failed' });
      return;
    }
    if (waiter.cancelled || stopped) {
      waiter.resolve({ kind: 'crash', reason: 'cancelled' });
      release(env);
      return;
    }
    const startedAt = Date.now();
    const timeoutMs = options.timeoutSeconds * 1000;
    const timer = setTimeout(() => onTimeout(env), timeoutMs);
    timer.unref();
    env.active = { waiter, startedAt, timer };
    const message: InvokeMessage = {
      type: 'invoke',
      requestId: waiter.requestId,
      event: waiter.event,
      deadline: startedAt + timeoutMs,
      traceId: waiter.traceId,
    };
    env.child.send(message);
  }

  function schedule(): void {
    while (queue.length > 0 && !stopped) {
      const waiter = queue[0] as Waiter;
      if (waiter.cancelled) {
        queue.shift();
        continue;
      }
      const env = idle.pop() ?? (environments.size < options.concurrency ? create() : undefined);
      if (!env) return;
      queue.shift();
      void run(env, waiter);
    }
  }

  return {
    invoke(requestId, event, traceId) {
      let resolveOutcome: (outcome: InvokeOutcome) => void = () => undefined;
      const outcome = new Promise<InvokeOutcome>((resolve) => {
        resolveOutcome = resolve;
      });
      const waiter: Waiter = { requestId, event, traceId, resolve: resolveOutcome, cancelled: false };
      const busy = idle.length === 0 && environments.size >= options.concurrency;
      if (busy && options.throttle) waiter.resolve({ kind: 'throttled' });
      else {
        queue.push(waiter);
        schedule();
      }
      return {
        outcome,
        cancel() {
          waiter.cancelled = true;
        },
      };
    },
    stats() {
      const busy = [...environments].filter((env) => env.active).length;
      return { environments: environments.size, busy, queued: queue.length, coldStarts };
    },
    async stop() {
      stopped = true;
      for (const waiter of queue.splice(0)) waiter.resolve({ kind: 'crash', reason: 'stage stopped' });
      const all = [...environments];
      for (const env of all) {
        env.retired = true;
        if (env.active) clearTimeout(env.active.timer);
      }
      await Promise.all(all.map((env) => stopChild(env.child, 1000)));
      environments.clear();
      idle.length = 0;
    },
  };
}
