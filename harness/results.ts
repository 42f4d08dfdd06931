/**
 * What one harness run produces, as one typed record: the report page, summary.json and the
 * console table are all rendered from it. The step results are the parts' own types.
 */
import type { AccessResult } from '../access/index';
import type { BaselineSection, ComparisonOutcome, MetricComparison, RunFigures } from '../compare/index';
import type { ConfigCheckResult } from '../configcheck/index';
import type { RunCost } from '../cost/index';
import type { FaultRoundResult } from '../faults/index';
import type { FuzzResult } from '../fuzz/index';
import type { LoadProfile, LoadResult } from '../load/runner/index';
import type { DynamoDbKind } from '../local/dynamodb/index';
import type { LogCheckResult } from '../logcheck/index';
import type { NewmanResult } from '../postman/newman';
import type { ShippingFigures } from '../rehearsal/index';
import type { StepId, Target } from './ids';

export type { ComparisonOutcome, LoadResult, LogCheckResult, NewmanResult };

/** passed/failed: the step ran and judged; skipped: not asked for or not reached; error: it could not run. */
export type StepVerdict = 'passed' | 'failed' | 'skipped' | 'error';
/** passed: every check passed; failed: a check failed (exit 1); error: the harness could not run (exit 2) or was stopped. */
export type RunVerdict = 'passed' | 'failed' | 'error';

export interface StepRecord {
  /** Stable id for machines: one of harness/ids.ts's STEP_IDS. */
  id: StepId;
  label: string;
  verdict: StepVerdict;
  durationMs: number;
  /** One line a person reads: what the step found or why it failed. */
  detail: string;
  /** Whether this step is a check (newman, k6, log check) rather than setup. */
  check: boolean;
}

/**
 * Where the run ran and what it ran against: the harness's host and what the setup steps found
 * (summary.json keeps the section's first name, `environment`).
 */
export interface RunFacts {
  baseUrl?: string;
  /** How DynamoDB was provided locally (endpoint, container, dynalite), and a container's image. */
  dynamoDbKind?: DynamoDbKind;
  dynamoDbImage?: string;
  dynamoDbEndpoint?: string;
  tableName?: string;
  logGroupName?: string;
  logDir?: string;
  /** The synthesized template the local stage obeyed. */
  template?: string;
  stackName?: string;
  region?: string;
  /** The AWS account the credentials belong to (STS). */
  account?: string;
  /** rehearsal: moto's endpoint, and the stage URL of the stack the local stage served at `baseUrl`. */
  awsEndpoint?: string;
  stackUrl?: string;
  nodeVersion: string;
  /** The Node the function's execution environments ran on, on the local stage. */
  functionNodeVersion?: string;
  platform: string;
}

export interface RunSummary {
  schemaVersion: 1;
  runId: string;
  target: Target;
  profile: LoadProfile;
  verdict: RunVerdict;
  exitCode: number;
  /** Labels of the checks that failed, in run order (the console names the last one last). */
  failedChecks: string[];
  /** Why the run could not run or was stopped, when verdict is `error`. */
  problem?: string;
  /** The signal that stopped the run (SIGINT, SIGTERM, SIGHUP), when one did. */
  stoppedBy?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  environment: RunFacts;
  steps: StepRecord[];
  newman?: NewmanResult;
  load?: LoadResult;
  /** Schemathesis' verdict on the contract (the fuzz step). */
  fuzz?: FuzzResult;
  /** Every route's answers while DynamoDB failed on purpose (the fault round). */
  faults?: FaultRoundResult;
  /** The function's DynamoDB calls per route, and what the rules found. */
  access?: AccessResult;
  logCheck?: LogCheckResult;
  /** The budgets the log check judged against, when the run set any (`--budget-*`). */
  budgets?: Record<string, number>;
  /** The figures the next run compares with (versioned: `figures.version`). */
  figures?: RunFigures;
  /** The run compared with, and every figure's comparison. */
  baseline?: BaselineSection;
  /** The comparisons that found a significant regression (each fails the run). */
  regressions?: MetricComparison[];
  /** What the run's traffic would cost on AWS, from the dated price table. */
  cost?: RunCost;
  /** The configuration rules' verdict on the template (the configuration step). */
  configuration?: ConfigCheckResult;
  /** rehearsal: the moto deployment, its adjustments, and what it proves and what only AWS can. */
  rehearsal?: RehearsalSection;
  /** Raw reports by name, as paths relative to the run's report directory. */
  reports: Record<string, string>;
  /** Warnings that did not fail the run (e.g. the screenshot could not be taken). */
  warnings: string[];
}

/** What the rehearsal deployed into moto, how, and what that proves. */
export interface RehearsalSection {
  /** The moto version that stood in for AWS. */
  moto: string;
  stackName: string;
  stackUrl?: string;
  /** The adjusted copy of the assembly that was deployed, and the CDK CLI's output (paths relative to the report). */
  assembly: string;
  cdkLog: string;
  /** Each adjustment moto needs: what it does, why, and what it changed in the template copy. */
  adjustments: { id: string; does: string; why: string; changed: string[] }[];
  logShipping?: ShippingFigures;
  /** The function's DynamoDB calls the deployed role denied, once per action and resource. */
  iamDenials: { action: string; resource: string; message: string; calls: number }[];
  proves: string[];
  onlyAws: string[];
}
