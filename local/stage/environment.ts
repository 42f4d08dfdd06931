import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { stopChild, trackChild } from '../../common/processes';
import { type LogStreamWriter, newLogStreamName, openLogStream } from '../logs';
import { readMessages } from './channel';
import type { ActiveInvocation } from './invocation';
import type { EnvironmentMessage, InvokeMessage, RuntimeConfig } from './protocol';

/**
 * The lifecycle of one execution environment, a child process: started on the runtime's Node,
 * ready once the function's init has run, suspended (SIGSTOP) while it waits for an invocation and
 * continued (SIGCONT) when one is delivered, killed when it times out, is reaped, or the stage
 * stops. Its JavaScript is frozen from the moment it answers, by the environment itself (it blocks
 * reading the next invocation, see `serveNext` in runtime.ts); the signals also stop what no
 * JavaScript drives: libuv's thread pool, the garbage collector's threads.
 */
export interface EnvironmentSpec {
  /** The runtime's Node (`tools/runtime-node.ts`). */
  nodePath: string;
  /** The environment's entry (runtime.ts, bundled). */
  runtimePath: string;
  /** Everything but the stream name, which each environment gets its own of. */
  config: Omit<RuntimeConfig, 'logStreamName'>;
  /** The function's environment variables (the child sees nothing else). */
  env: Record<string, string>;
  /** Variables each environment gets its own value of (its DynamoDB endpoint), by its id. */
  envOf?: (environmentId: string) => Record<string, string>;
  /** Whether `suspend()` stops the process; false only to measure what the signals cost. */
  suspend: boolean;
}

export interface EnvironmentEvents {
  onMessage(env: Environment, message: Exclude<EnvironmentMessage, { type: 'ready' }>): void;
  onExit(env: Environment, code: number | null, signal: NodeJS.Signals | null): void;
}

export interface Environment {
  /** Its log stream's random part: unique, and names the stream it writes. */
  readonly id: string;
  readonly child: ChildProcess;
  readonly log: LogStreamWriter;
  /** Resolves the init duration once the function has loaded; rejects when it exits first. */
  readonly ready: Promise<number>;
  /** Reported once, on the REPORT of the environment's first invocation. */
  pendingInitMs?: number;
  /** `process.version` inside the environment, once ready. */
  nodeVersion?: string;
  /** CPU time its init used, once ready. */
  initCpuMs?: number;
  active?: ActiveInvocation;
  /** Ended on purpose (timeout, reaping, stop): its exit is not a crash. */
  retired: boolean;
  /** Peak RSS last reported, for the REPORT of an invocation that never reported (timeout, crash). */
  maxMemoryUsedMb: number;
  /** Armed while it is idle: suspends it, later reaps it. */
  idleTimer?: NodeJS.Timeout;
  /** Thaws the environment if frozen and hands it the invocation. */
  deliver(message: InvokeMessage): void;
  /** Stops the process (SIGSTOP) until the next `deliver`. */
  suspend(): void;
  /** Ends it at once, frozen or not; Lambda gives a reaped environment's leftovers no chance to run. */
  kill(): void;
  /** Ends it and resolves once it has exited. */
  stop(): Promise<void>;
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(child.pid, name);
  } catch {
    // already gone: its exit event says so
  }
}

/** util-linux's setpriv, where there is one (Linux): it gives the environment a parent-death signal. */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

function spawnEnvironment(spec: EnvironmentSpec, logStreamName: string, id: string): ChildProcess {
  const config: RuntimeConfig = { ...spec.config, logStreamName };
  const node = [spec.nodePath, spec.runtimePath, JSON.stringify(config)];
  // A stopped environment cannot notice that the stage has gone: the kernel kills it when the
  // stage dies, however it dies (SIGKILL included, which leaves the stage no time to clean up).
  const [command, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...node] : node;
  const child = trackChild(
    spawn(command as string, args, {
      env: { ...spec.env, ...spec.envOf?.(id), AWS_LAMBDA_LOG_STREAM_NAME: logStreamName },
      // stdin unused; stdout/stderr for what bypasses the runtime's capture; 3 and 4 the channel.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    }),
  );
  // The stage's server keeps the process alive; environments alone must not.
  child.unref();
  for (const pipe of child.stdio) (pipe as Socket | null)?.unref?.();
  // A write to an environment that just died fails; its exit event tells the pool.
  (child.stdio[3] as Socket).on('error', () => undefined);
  return child;
}

/** Output that bypassed the runtime's capture (Node's own fatal messages) still reaches the log. */
function captureOutput(child: ChildProcess, log: LogStreamWriter): void {
  for (const output of [child.stdout, child.stderr]) {
    output?.setEncoding('utf8');
    output?.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line) log.append(line);
    });
  }
  // After exit, once its pipes are drained: nothing more will be written for this environment.
  child.once('close', () => log.close());
}

export function startEnvironment(spec: EnvironmentSpec, events: EnvironmentEvents): Environment {
  const logStreamName = newLogStreamName();
  const id = logStreamName.slice(logStreamName.lastIndexOf(']') + 1);
  const child = spawnEnvironment(spec, logStreamName, id);
  const log = openLogStream(spec.config.logGroupName, logStreamName, spec.config.logDir);
  captureOutput(child, log);
  const ready = deferred<number>();
  // Nobody may be waiting yet when an environment dies before it is ready.
  ready.promise.catch(() => undefined);
  let frozen = false;
  const env: Environment = {
    id,
    child,
    log,
    ready: ready.promise,
    retired: false,
    maxMemoryUsedMb: 0,
    deliver(message) {
      if (frozen) signal(child, 'SIGCONT');
      frozen = false;
      (child.stdio[3] as Socket).write(`${JSON.stringify(message)}\n`);
    },
    suspend() {
      if (!spec.suspend || frozen) return;
      frozen = true;
      signal(child, 'SIGSTOP');
    },
    kill: () => signal(child, 'SIGKILL'),
    stop() {
      if (!frozen) return stopChild(child, 1000);
      // A frozen process would hold a SIGTERM until thawed: it is killed outright, as it has no work.
      signal(child, 'SIGKILL');
      return exited(child);
    },
  };
  readMessages<EnvironmentMessage>(child.stdio[4] as Socket, (message) => {
    if (message.type !== 'ready') return events.onMessage(env, message);
    env.pendingInitMs = message.initDurationMs;
    env.nodeVersion = message.nodeVersion;
    env.initCpuMs = message.initCpuMs;
    ready.resolve(message.initDurationMs);
  });
  child.once('exit', (code, exitSignal) => {
    ready.reject(new Error(`the environment exited during init: ${code ?? exitSignal}`));
    events.onExit(env, code, exitSignal);
  });
  return env;
}

export interface InitSample {
  /** Process start to the function loaded, as the REPORT line's Init Duration. */
  initDurationMs: number;
  /** The CPU time of the same: what init's work costs, whatever else waits for the CPU. */
  initCpuMs: number;
}

export interface ColdStarts {
  /** The function's own cold starts. */
  function: InitSample[];
  /**
   * Cold starts of an empty function on the same runtime, one after every few of the function's:
   * what the host makes of the same fixed work at about the same moment.
   */
  reference: InitSample[];
}

async function coldStart(spec: EnvironmentSpec): Promise<InitSample> {
  const env = startEnvironment(spec, { onMessage: () => undefined, onExit: () => undefined });
  try {
    const initDurationMs = await env.ready;
    return { initDurationMs, initCpuMs: env.initCpuMs ?? Number.NaN };
  } finally {
    await env.stop();
  }
}

/**
 * `count` cold starts one after another, of environments that serve nothing, with one of
 * `reference` (the same runtime with an empty function) after every `referenceEvery`: init figures
 * as a distribution where a run has one or two cold starts, and the host's share of them.
 */
export async function measureColdStarts(
  spec: EnvironmentSpec,
  reference: EnvironmentSpec,
  count: number,
  referenceEvery = 4,
): Promise<ColdStarts> {
  const samples: ColdStarts = { function: [], reference: [] };
  for (let i = 0; i < count; i++) {
    samples.function.push(await coldStart(spec));
    if (i % referenceEvery === 0) samples.reference.push(await coldStart(reference));
  }
  return samples;
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
