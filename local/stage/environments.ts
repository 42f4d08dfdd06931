import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Environment, type EnvironmentSpec, startEnvironment } from './environment';
import {
  answerInvocation,
  deliverInvocation,
  endInvocation,
  type InvokeOutcome,
  type Waiter,
} from './invocation';
import { logExited, logTimedOut } from './invocation-log';
import { exitReason } from './lambda-log';

export type { InvokeOutcome } from './invocation';

export interface EnvironmentPoolOptions extends EnvironmentSpec {
  /** At most this many environments at once. */
  concurrency: number;
  /** Refuse (throttle) instead of queueing when all environments are busy. */
  throttle: boolean;
  timeoutSeconds: number;
  /** An environment idle this long is shut down, losing whatever it left pending. */
  idleTimeoutMs: number;
  /**
   * An idle environment's process is stopped once it has been idle this long. Its JavaScript is
   * frozen from its answer on regardless; waiting a moment spares the signals (and the wake-ups of
   * all its threads they cause) to an environment that is invoked again at once, under load.
   */
  suspendAfterMs: number;
}

export interface PendingInvocation {
  outcome: Promise<InvokeOutcome>;
  /** The caller gave up (integration timeout): drop it if it is still queued. */
  cancel(): void;
}

export interface PoolStats {
  environments: number;
  busy: number;
  queued: number;
  coldStarts: number;
  /** Environments shut down after `idleTimeoutMs` without an invocation. */
  reaped: number;
}

export interface EnvironmentPool {
  invoke(requestId: string, event: APIGatewayProxyEvent, traceId: string): PendingInvocation;
  /** The request id of the invocation an environment is running, if it is running one. */
  runningOn(environmentId: string): string | undefined;
  stats(): PoolStats;
  stop(): Promise<void>;
}

/** Default idle time before an environment is shut down (Lambda keeps idle ones for minutes). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** Default idle time before an environment's process is stopped. */
export const DEFAULT_SUSPEND_AFTER_MS = 50;

interface PoolState {
  readonly options: EnvironmentPoolOptions;
  readonly environments: Set<Environment>;
  /** Frozen environments, the most recently used last (reused first, as Lambda tends to). */
  readonly idle: Environment[];
  readonly queue: Waiter[];
  coldStarts: number;
  reaped: number;
  stopped: boolean;
}

/**
 * Lambda execution environments as child processes: created on demand (cold, init timed), reused
 * warm, one invocation at a time each, at most `concurrency` of them, frozen between invocations
 * and shut down after `idleTimeoutMs` idle. A process per environment gives real isolation (a
 * crash or `process.exit` ends only its own invocation), a real peak RSS for `Max Memory Used`,
 * a process to suspend, and lets a timed-out function be killed mid-flight as Lambda does.
 */
export function createEnvironmentPool(options: EnvironmentPoolOptions): EnvironmentPool {
  const pool: PoolState = {
    options,
    environments: new Set(),
    idle: [],
    queue: [],
    coldStarts: 0,
    reaped: 0,
    stopped: false,
  };
  return {
    invoke: (requestId, event, traceId) => enqueue(pool, { requestId, event, traceId }),
    runningOn(environmentId) {
      for (const env of pool.environments) if (env.id === environmentId) return env.active?.waiter.requestId;
      return undefined;
    },
    stats: () => ({
      environments: pool.environments.size,
      busy: [...pool.environments].filter((env) => env.active).length,
      queued: pool.queue.length,
      coldStarts: pool.coldStarts,
      reaped: pool.reaped,
    }),
    stop: () => stopPool(pool),
  };
}

function enqueue(
  pool: PoolState,
  request: Pick<Waiter, 'requestId' | 'event' | 'traceId'>,
): PendingInvocation {
  let resolveOutcome: (outcome: InvokeOutcome) => void = () => undefined;
  const outcome = new Promise<InvokeOutcome>((resolve) => {
    resolveOutcome = resolve;
  });
  const waiter: Waiter = { ...request, resolve: resolveOutcome, cancelled: false };
  const busy = pool.idle.length === 0 && pool.environments.size >= pool.options.concurrency;
  if (busy && pool.options.throttle) waiter.resolve({ kind: 'throttled' });
  else {
    pool.queue.push(waiter);
    schedule(pool);
  }
  return {
    outcome,
    cancel() {
      waiter.cancelled = true;
    },
  };
}

/** Gives queued requests environments: an idle one, else a new one while under the concurrency. */
function schedule(pool: PoolState): void {
  while (pool.queue.length > 0 && !pool.stopped) {
    const waiter = pool.queue[0] as Waiter;
    if (waiter.cancelled) {
      pool.queue.shift();
      continue;
    }
    const env =
      takeIdle(pool) ?? (pool.environments.size < pool.options.concurrency ? create(pool) : undefined);
    if (!env) return;
    pool.queue.shift();
    void run(pool, env, waiter);
  }
}

function takeIdle(pool: PoolState): Environment | undefined {
  const env = pool.idle.pop();
  if (env) clearTimeout(env.idleTimer);
  return env;
}

function create(pool: PoolState): Environment {
  const env = startEnvironment(pool.options, {
    onMessage(env, message) {
      if (answerInvocation(env, message)) release(pool, env);
    },
    onExit: (env, code, signal) => onExit(pool, env, exitReason(code, signal)),
  });
  pool.environments.add(env);
  pool.coldStarts++;
  return env;
}

async function run(pool: PoolState, env: Environment, waiter: Waiter): Promise<void> {
  try {
    await env.ready;
  } catch {
    // Init failed: the environment's exit handler has logged it; this request gets a 502.
    waiter.resolve({ kind: 'crash', reason: 'init failed' });
    return;
  }
  if (waiter.cancelled || pool.stopped) {
    waiter.resolve({ kind: 'crash', reason: 'cancelled' });
    release(pool, env);
    return;
  }
  deliverInvocation(env, waiter, pool.options.timeoutSeconds, (timedOut) => onTimeout(pool, timedOut));
}

/**
 * The environment answered (and froze): it goes straight to a queued request if there is one,
 * else it is parked, its process stopped after `suspendAfterMs`, and it is shut down if nothing
 * comes for it within the idle time.
 */
function release(pool: PoolState, env: Environment): void {
  if (env.retired || pool.stopped) return;
  pool.idle.push(env);
  if (pool.queue.some((waiter) => !waiter.cancelled)) {
    schedule(pool);
    return;
  }
  const { suspendAfterMs, idleTimeoutMs } = pool.options;
  armIdleTimer(env, Math.min(suspendAfterMs, idleTimeoutMs), () => {
    env.suspend();
    armIdleTimer(env, idleTimeoutMs - Math.min(suspendAfterMs, idleTimeoutMs), () => reap(pool, env));
  });
}

function armIdleTimer(env: Environment, ms: number, then: () => void): void {
  env.idleTimer = setTimeout(then, ms);
  env.idleTimer.unref();
}

function remove(pool: PoolState, env: Environment): void {
  pool.environments.delete(env);
  clearTimeout(env.idleTimer);
  const at = pool.idle.indexOf(env);
  if (at !== -1) pool.idle.splice(at, 1);
}

/** Idle too long: shut down with whatever it left pending, which never runs. */
function reap(pool: PoolState, env: Environment): void {
  if (env.active || pool.stopped) return;
  env.retired = true;
  remove(pool, env);
  pool.reaped++;
  env.kill();
}

function onTimeout(pool: PoolState, env: Environment): void {
  const active = env.active;
  if (!active) return;
  env.retired = true;
  remove(pool, env);
  logTimedOut({ env, active, memorySizeMb: pool.options.config.memorySizeMb }, pool.options.timeoutSeconds);
  endInvocation(env, { kind: 'timeout' });
  // Lambda stops the timed-out runtime; the next invocation gets a fresh environment.
  env.kill();
  schedule(pool);
}

function onExit(pool: PoolState, env: Environment, reason: string): void {
  remove(pool, env);
  const active = env.active;
  if (active && !env.retired) {
    logExited({ env, active, memorySizeMb: pool.options.config.memorySizeMb }, reason);
    endInvocation(env, { kind: 'crash', reason });
  }
  if (!pool.stopped) schedule(pool);
}

async function stopPool(pool: PoolState): Promise<void> {
  pool.stopped = true;
  for (const waiter of pool.queue.splice(0)) waiter.resolve({ kind: 'crash', reason: 'stage stopped' });
  const all = [...pool.environments];
  for (const env of all) {
    env.retired = true;
    clearTimeout(env.idleTimer);
    if (env.active) clearTimeout(env.active.timer);
  }
  await Promise.all(all.map((env) => env.stop()));
  pool.environments.clear();
  pool.idle.length = 0;
}
