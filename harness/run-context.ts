import type { BaselineChoice, CompareSettings } from '../compare/index';
import type { PriceTable } from '../cost/index';
import type { FuzzResult } from '../fuzz/index';
import type { Budgets, ParsedEvent } from '../logcheck/index';
import type {
  ComparisonOutcome,
  LoadProfile,
  LoadResult,
  LogCheckResult,
  NewmanResult,
  RunEnvironment,
  Target,
} from './results';
import type { StepRunner } from './steps';

/** What a run was asked to do: parsed from `pets-harness run`'s flags. */
export interface RunOptions {
  runId: string;
  target: Target;
  profile: LoadProfile;
  /** Local stage port; 0 = any free port. */
  port: number;
  skipLoad: boolean;
  /** k6 processes sharing the profile (execution segments), judged over all their samples. */
  runners?: number;
  /** aws: reset the table and load the 20 seed pets first. */
  seed: boolean;
  stackName?: string;
  region?: string;
  outputsFile?: string;
  budgets: Partial<Budgets>;
  /** Log check ingestion wait (ms); default the log check's own per source. */
  waitMs?: number;
  reportsDir: string;
  /** What to compare with (default: the latest passing run of the same target and profile). */
  baseline?: BaselineChoice;
  /** Regression thresholds and confidence (default compare/'s). */
  compare?: CompareSettings;
  /** The price table the cost is computed with (default cost/prices.ts). */
  prices?: PriceTable;
}

/**
 * What the steps of one run share: each step reads what earlier steps found (the stage URL, the
 * table, the log group, in `environment`) and writes what it found itself.
 */
export interface RunContext {
  readonly options: RunOptions;
  readonly steps: StepRunner;
  readonly environment: RunEnvironment;
  newman?: NewmanResult;
  load?: LoadResult;
  fuzz?: FuzzResult;
  logCheck?: LogCheckResult;
  /** The lines the log check read: the baseline step's figures come from the same lines. */
  parsed?: readonly ParsedEvent[];
  /** Read/write units the function's DynamoDB calls consumed, per table (the local stage's gateway). */
  consumedCapacity?: () => Record<string, { readUnits: number; writeUnits: number }>;
  /** The run's figures, cost and comparison with its baseline. */
  comparison?: ComparisonOutcome;
  /** The budgets the log check judges against, by metric; set when the checks begin. */
  budgets?: Record<string, number>;
  /** When the first check started: the log check reads the function's logs from then on. */
  checksStartedAt?: number;
  /**
   * Registers something the run started and must stop (newest first, in the run's `finally`);
   * once the run has cleaned up (a signal won the race while it was starting) it is stopped at once.
   */
  own(name: string, stop: () => Promise<void>): void;
  readonly warnings: string[];
}

/** A fact an earlier step must have found (the plan orders the steps so that it has). */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`no ${what}: the step that finds it did not run`);
  return value;
}
