import type { AccessResult } from '../access/index';
import type { HostSampler } from '../common/host-load';
import type { Step } from '../common/progress';
import type { BaselineChoice, CompareSettings } from '../compare/index';
import type { ConfigCheckResult } from '../configcheck/index';
import type { PriceTable } from '../cost/index';
import type { FaultRoundResult } from '../faults/index';
import type { FuzzResult } from '../fuzz/index';
import type { LoadProfile } from '../load/runner/index';
import type { DynamoDbKind } from '../local/dynamodb/index';
import type { RouteAccess } from '../local/stage/access-patterns';
import type { TableCapacity } from '../local/stage/dynamodb-gateway';
import type { ColdStarts } from '../local/stage/environment';
import type { Budgets, ParsedEvent } from '../logcheck/index';
import type { AwsStandIn, LogShipping, RehearsalDeployment } from '../rehearsal/index';
import type { Target } from './ids';
import type { HarnessParts } from './parts';
import type { ComparisonOutcome, LoadResult, LogCheckResult, NewmanResult } from './results';
import type { StepOutcome, StepRunner } from './steps';

/** What a run was asked to do: parsed from `pets-harness run`'s flags. */
export interface RunOptions {
  runId: string;
  target: Target;
  profile: LoadProfile;
  /** Local stage port; 0 = any free port. */
  port: number;
  skipLoad: boolean;
  /** local: the container image DynamoDB runs on instead of the project's own. */
  dynamoDbImage?: string;
  /** k6 processes sharing the profile (execution segments), judged over all their samples. */
  runners?: number;
  /** aws: reset the table and load the 20 seed pets first (the rehearsal always does). */
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
 * What the setup steps found, as values: each setup step returns the facts it found, the run
 * merges them in order, and each later step receives the merge.
 */
export interface SetupFacts {
  /** The stage's base URL, without a trailing slash. */
  baseUrl?: string;
  tableName?: string;
  logGroupName?: string;
  /** aws: the stack and its region. */
  stackName?: string;
  region?: string;
  /** local: the DynamoDB provider that answered (endpoint, container, dynalite), its image, and where. */
  dynamoDb?: { kind: DynamoDbKind; endpoint: string; image?: string };
  /** local: the handler bundle the stage serves. */
  bundleDir?: string;
  /** local: the log store the stage writes, and the synthesized template it obeyed. */
  logDir?: string;
  template?: string;
  /** local: the Node the function's execution environments run on. */
  functionNodeVersion?: string;
  /** local: read/write units the function's DynamoDB calls consumed so far, per table. */
  consumedCapacity?: () => Record<string, TableCapacity>;
  /** local: the function's DynamoDB calls per route so far (the stage's gateway ties each to its invocation). */
  accessPatterns?: () => RouteAccess[];
  /** local: the stage fails DynamoDB calls on request (`x-harness-fault`), and the function's timeout. */
  faultInjection?: { functionTimeoutSeconds: number };
  /** local: init figures of `count` fresh environments of the function, started one after another. */
  coldStarts?: (count: number) => Promise<ColdStarts>;
  /** The AWS account the credentials belong to (STS GetCallerIdentity). */
  account?: string;
  /** rehearsal: the AWS stand-in (moto) every SDK client of the run talks to. */
  standIn?: AwsStandIn;
  /** rehearsal: the stage URL the stack's outputs give, which the local stage serves at `baseUrl`. */
  stackUrl?: string;
  /** rehearsal: what was deployed into moto and how, and the shipping of the stage's logs. */
  rehearsal?: RehearsalFacts;
}

export interface RehearsalFacts {
  motoVersion: string;
  deployment: RehearsalDeployment;
  logShipping?: LogShipping;
  /** The function's DynamoDB calls the deployed role's policies denied so far. */
  deniedCalls?: () => { action: string; resource: string; message: string }[];
}

/** The region and endpoint an SDK client of the run is made with: the stand-in's in the rehearsal. */
export function awsClientConfig(
  facts: Readonly<SetupFacts>,
  region: string,
): { region: string; endpoint?: string; credentials?: AwsStandIn['credentials'] } {
  const { standIn } = facts;
  return standIn
    ? { region: standIn.region, endpoint: standIn.endpoint, credentials: standIn.credentials }
    : { region };
}

/** The API the checks judge: what every target's setup finds before the first check. */
export type ApiUnderTest = SetupFacts & { baseUrl: string; tableName: string; logGroupName: string };

/**
 * What the steps of one run share: the options, the parts, the step runner, and what the checks
 * found (each check writes its own result; later checks and the summary read it).
 */
export interface RunContext {
  readonly options: RunOptions;
  readonly parts: HarnessParts;
  readonly steps: StepRunner;
  newman?: NewmanResult;
  load?: LoadResult;
  fuzz?: FuzzResult;
  faults?: FaultRoundResult;
  access?: AccessResult;
  logCheck?: LogCheckResult;
  /** The lines the log check read: the baseline step's figures come from the same lines. */
  parsed?: readonly ParsedEvent[];
  /** The run's figures, cost and comparison with its baseline. */
  comparison?: ComparisonOutcome;
  /** The configuration rules' verdict on the template. */
  configuration?: ConfigCheckResult;
  /** The budgets the log check judges against, by metric; set when the checks begin. */
  budgets?: Record<string, number>;
  /** Times a fixed piece of CPU work from the first check on: how busy the host was (common/host-load.ts). */
  hostLoad?: HostSampler;
  /** When the first check started: the log check reads the function's logs from then on. */
  checksStartedAt?: number;
  /**
   * Registers something the run started and must stop (newest first, in the run's `finally`);
   * once the run has cleaned up (a signal won the race while it was starting) it is stopped at once.
   */
  own(name: string, stop: () => Promise<void>): void;
  readonly warnings: string[];
}

/** A setup step's work: given what earlier setup steps found, it returns what it found itself. */
export type SetupWork = (
  run: RunContext,
  found: Readonly<SetupFacts>,
  progress: Step,
) => Promise<StepOutcome<SetupFacts>>;

/** A check's work: it judges the API the setup found and says whether it passed. */
export type CheckWork = (run: RunContext, api: ApiUnderTest, progress: Step) => Promise<StepOutcome<unknown>>;

/** An undoing check's work (harness/step-table.ts UndoStep): it gets what the run found so far. */
export type UndoWork = (
  run: RunContext,
  found: Readonly<SetupFacts>,
  progress: Step,
) => Promise<StepOutcome<unknown>>;

/** A fact an earlier step must have found (the plan orders the steps so that it has). */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`no ${what}: the step that finds it did not run`);
  return value;
}

/** The facts as the checks receive them; a fact the setup did not find fails the check that needs it. */
export function apiUnderTest(facts: Readonly<SetupFacts>): ApiUnderTest {
  return {
    ...facts,
    baseUrl: found(facts.baseUrl, 'stage URL'),
    tableName: found(facts.tableName, 'table'),
    logGroupName: found(facts.logGroupName, 'log group'),
  };
}
