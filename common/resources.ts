/**
 * What a piece of work started and must stop, newest first. Once `stopAll` has run (the work was
 * abandoned while something was still starting), whatever registers afterwards is stopped at once,
 * so nothing outlives the work that started it.
 */
export interface Resources {
  own(name: string, stop: () => Promise<void>): void;
  /** Stops everything, newest first; a stop that fails or outlasts the deadline becomes a problem line. */
  stopAll(): Promise<string[]>;
}

const STOP_DEADLINE_MS = 15_000;

async function stopWithin(stop: () => Promise<void>, deadlineMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      stop(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not stop within ${deadlineMs / 1000} s`)), deadlineMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function resources(deadlineMs = STOP_DEADLINE_MS): Resources {
  const owned: { name: string; stop: () => Promise<void> }[] = [];
  let closed = false;
  return {
    own(name, stop) {
      if (closed) void stop().catch(() => {});
      else owned.push({ name, stop });
    },
    async stopAll() {
      closed = true;
      const problems: string[] = [];
      for (const { name, stop } of owned.splice(0).reverse()) {
        try {
          await stopWithin(stop, deadlineMs);
        } catch (error) {
          problems.push(`stopping ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return problems;
    },
  };
}
