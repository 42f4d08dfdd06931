import type { ChildProcess } from 'node:child_process';

/**
 * Children that must not outlive us (DynamoDB Local JVM, stage workers, k6, moto). On SIGINT,
 * SIGTERM or exit, each is killed — with its process group when it was spawned `detached`.
 */
const children = new Set<ChildProcess>();
let handlersInstalled = false;

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

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killTrackedChildren('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killTrackedChildren('SIGTERM');
      // Let the default action (exit with 128+n) happen once children are signalled, unless the
      // program installed its own handler for an orderly stop.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
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
