/** What `waitUntil` waits for, and how long at most. */
export interface WaitOptions {
  /** Says what was awaited, in the error when the deadline passes: `the environment to stop`. */
  what: string;
  timeoutMs: number;
  /** Between two reads; short, since a read is cheap and waiting longer than needed is slow. */
  intervalMs?: number;
}

/** The deadline passed before the condition held; the message names it and the last value read. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Reads until `done` holds and returns that value; throws WaitTimeoutError once `timeoutMs` has
 * passed, naming what was awaited and the last value. For waiting on a condition (a process
 * stopped, a log line written, a file present) instead of sleeping a guessed time: it returns as
 * soon as the condition holds, and fails loudly when it never does.
 */
export async function waitUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  { what, timeoutMs, intervalMs = 20 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(`waited ${timeoutMs} ms for ${what}; last read: ${shown(value)}`);
    }
    await delay(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
