import type { ChildProcess } from 'node:child_process';

/**
 * Children that must not outlive us (stage workers, k6, moto). On SIGINT, SIGTERM or exit, each is
 * killed — with its process group when it was spawned `detached`.
 */
const children = new Set<ChildProcess>();
let handlersInstalled = false;

/**
 * What else must not outlive us but takes a request to end (a container): `stop` runs when a
 * signal ends the process, before the signal's default action; `atExit`, synchronous, is the last
 * resort when the process exits with it still tracked.
 */
interface Cleanup {
  stop: () => Promise<void>;
  atExit?: () => void;
}
const cleanups = new Set<Cleanup>();
const CLEANUP_DEADLINE_MS = 10_000;

async function runCleanups(): Promise<void> {
  const pending = [...cleanups].map((cleanup) => cleanup.stop().catch(() => undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => {
      timer = setTimeout(resolve, CLEANUP_DEADLINE_MS);
    }),
  ]);
  clearTimeout(timer);
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid signals the whole group, so a wrapper's own children go too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function killChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalChild(child, signal);
  // A stopped child (a frozen stage environment) holds any signal but SIGKILL until it continues.
  if (signal !== 'SIGKILL') signalChild(child, 'SIGCONT');
}

export function killTrackedChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of children) killChild(child, signal);
}

/**
 * How many of a signal's listeners are signal-exit's (testcontainers' file lock loads it): it
 * listens to every signal and re-raises it as soon as its own are the only listeners left, so its
 * listeners are not a program's orderly stop. Its two major versions count themselves on these
 * process-wide emitters (the same sum signal-exit itself makes).
 */
function signalExitListeners(): number {
  const v3 = (process as { __signal_exit_emitter__?: { count?: number } }).__signal_exit_emitter__;
  const v4 = (globalThis as Record<symbol, { count?: number } | undefined>)[
    Symbol.for('signal-exit emitter')
  ];
  return (v3?.count ?? 0) + (v4?.count ?? 0);
}

let stopping = false;

/**
 * On the first signal: children signalled, cleanups run, then the signal raised again for its
 * default action (exit 128+n) — unless the program had its own handler for an orderly stop. Ours
 * runs first and stays attached until the cleanups are done, so that nothing (signal-exit) ends
 * the process before. A second signal means "now".
 */
function onStopSignal(signal: NodeJS.Signals): void {
  const handler = () => {
    // The program's own listeners (the harness's, the stage CLI's): all but ours and signal-exit's.
    const programListeners = process.listenerCount(signal) - 1 - signalExitListeners();
    if (stopping) {
      process.off(signal, handler);
      if (programListeners === 0) process.kill(process.pid, signal);
      return;
    }
    stopping = true;
    const programStopsItself = programListeners > 0;
    killTrackedChildren('SIGTERM');
    void runCleanups().then(() => {
      process.off(signal, handler);
      if (!programStopsItself) process.kill(process.pid, signal);
    });
  };
  process.prependListener(signal, handler);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    killTrackedChildren('SIGKILL');
    for (const cleanup of cleanups) cleanup.atExit?.();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) onStopSignal(signal);
}

/** Tracks a cleanup until the returned function is called (once its work is done another way). */
export function trackCleanup(stop: () => Promise<void>, atExit?: () => void): () => void {
  installHandlers();
  const cleanup: Cleanup = { stop, atExit };
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/** Track a child until it exits; returns it for chaining. */
export function trackChild<T extends ChildProcess>(child: T): T {
  installHandlers();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stop a child: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => killChild(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    killChild(child, 'SIGTERM');
  });
}

/** What a child prints, collected as text as it arrives (complete once the child has closed). */
export function collectOutput(child: ChildProcess): { stdout: string; stderr: string } {
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  return output;
}
