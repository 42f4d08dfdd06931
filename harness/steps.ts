import { CannotRunError, UsageError } from '../common/cli';
import { type Step, startStep } from '../common/progress';
import type { StepId } from './ids';
import type { StepRecord } from './results';

/**
 * Runs the harness's steps one at a time, each with a progress line and a StepRecord, and stops
 * waiting for the current step the moment a signal arrives.
 */

/** What a step's work hands back: its value, one line for people, and (for checks) the verdict. */
export interface StepOutcome<T> {
  value: T;
  detail: string;
  /** For checks: whether the check passed. Setup steps that return have passed. */
  passed?: boolean;
}

/** Thrown into the run when SIGINT/SIGTERM/SIGHUP arrives. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}

/** A step's work threw: carries the record's label so the run can say which step it was. */
export class StepError extends Error {
  override name = 'StepError';
  constructor(
    readonly step: StepRecord,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Errors that mean "could not run" (exit 2): the message carries the fix. */
export function isCannotRun(error: unknown): boolean {
  const inner = error instanceof StepError ? error.cause : error;
  return inner instanceof CannotRunError || inner instanceof UsageError;
}

export interface Interruption {
  /** Rejects with Interrupted when a signal arrives; never resolves. */
  readonly promise: Promise<never>;
  readonly signal: NodeJS.Signals | undefined;
  dispose(): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** 128 + the signal's number, as a shell reports a process killed by it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as Record<string, number>)[signal] ?? 1;
}

/**
 * Turns the first SIGINT/SIGTERM/SIGHUP into a rejection the run awaits (so its `finally` stops
 * everything and writes the report); a second one means "now": exit at once. Tracked children are
 * signalled by common/processes.ts's own handler as soon as the first signal arrives.
 */
export function watchSignals(onSecondSignal: (signal: NodeJS.Signals) => void): Interruption {
  let received: NodeJS.Signals | undefined;
  let reject: (error: Interrupted) => void = () => {};
  const promise = new Promise<never>((_, rejectPromise) => {
    reject = rejectPromise;
  });
  // Nobody may be awaiting it when the signal lands (between steps); that is not an unhandled error.
  promise.catch(() => {});
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      if (received) {
        onSecondSignal(signal);
        return;
      }
      received = signal;
      reject(new Interrupted(signal));
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  return {
    promise,
    get signal() {
      return received;
    },
    dispose() {
      for (const { signal, handler } of handlers) process.off(signal, handler);
    },
  };
}

export interface StepOptions {
  check: boolean;
  /**
   * The part shows its own progress (newman, k6): no second spinner on the terminal, only the
   * closing line.
   */
  ownProgress?: boolean;
}

/** A Step that shows nothing while running and one closing line, for parts with their own progress. */
function closingLineOnly(
  label: string,
  startedAt: number,
  stream: NodeJS.WriteStream = process.stderr,
): Step {
  const close = (mark: string, detail?: string) =>
    stream.write(
      `${mark} ${label}${detail ? ` — ${detail}` : ''} (${((Date.now() - startedAt) / 1000).toFixed(1)}s)\n`,
    );
  return {
    update() {},
    succeed: (detail) => close('✔', detail),
    fail: (detail) => close('✖', detail),
  };
}

export interface StepRunner {
  readonly records: StepRecord[];
  /**
   * Runs one step: progress on stderr, a record with verdict and duration. A step that throws is
   * recorded as `error` (or `failed` for a check) and rethrown as StepError.
   */
  run<T>(
    id: StepId,
    label: string,
    options: StepOptions,
    work: (progress: Step) => Promise<StepOutcome<T>>,
  ): Promise<T>;
  /** Records a step that did not run, with the reason. */
  skip(id: StepId, label: string, options: { check: boolean }, reason: string): void;
}

export function stepRunner(interruption: Interruption): StepRunner {
  const records: StepRecord[] = [];
  return {
    records,
    async run(id, label, { check, ownProgress }, work) {
      if (interruption.signal) throw new Interrupted(interruption.signal);
      const startedAt = Date.now();
      const progress = ownProgress ? closingLineOnly(label, startedAt) : startStep(label);
      const record: StepRecord = { id, label, verdict: 'passed', durationMs: 0, detail: '', check };
      records.push(record);
      const running = work(progress);
      // When a signal wins the race, the step's own promise may still settle later: not unhandled.
      running.catch(() => {});
      try {
        const outcome = await Promise.race([running, interruption.promise]);
        record.durationMs = Date.now() - startedAt;
        record.detail = outcome.detail;
        record.verdict = outcome.passed === false ? 'failed' : 'passed';
        if (record.verdict === 'passed') progress.succeed(outcome.detail);
        else progress.fail(outcome.detail);
        return outcome.value;
      } catch (error) {
        record.durationMs = Date.now() - startedAt;
        const message = error instanceof Error ? error.message : String(error);
        record.detail = message.split('\n')[0] ?? message;
        record.verdict = error instanceof Interrupted || !check || isCannotRun(error) ? 'error' : 'failed';
        progress.fail(record.detail);
        if (error instanceof Interrupted) throw error;
        throw new StepError(record, error);
      }
    },
    skip(id, label, { check }, reason) {
      records.push({ id, label, verdict: 'skipped', durationMs: 0, detail: reason, check });
    },
  };
}
