import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CannotRunError } from '../common/cli';
import { BASE_STACK_NAME } from '../infra/names';
import type { Budgets } from '../logcheck/index';
import { parts } from './parts';
import type {
  LoadProfile,
  LoadResult,
  LogCheckResult,
  NewmanResult,
  RunEnvironment,
  RunSummary,
  RunVerdict,
  StepRecord,
  Target,
} from './results';
import {
  Interrupted,
  type Interruption,
  isCannotRun,
  StepError,
  type StepRunner,
  signalExitCode,
  stepRunner,
} from './steps';

/**
 * The run itself: provision → DynamoDB → seed → bundle → stage (local) or stack outputs (aws) →
 * newman → k6 → log check, everything started is stopped in `finally` (on a signal too), and the
 * result is one RunSummary.
 */

export interface RunOptions {
  runId: string;
  target: Target;
  profile: LoadProfile;
  /** Local stage port; 0 = any free port. */
  port: number;
  skipLoad: boolean;
  /** aws: reset the table and load the 20 seed pets first. */
  seed: boolean;
  stackName?: string;
  region?: string;
  outputsFile?: string;
  budgets: Partial<Budgets>;
  /** Log check ingestion wait (ms); default the log check's own per source. */
  waitMs?: number;
  reportsDir: string;
}

/** Which metric of the log check each budget bounds, so the report can set them side by side. */
const BUDGET_METRICS: Record<keyof Budgets, string> = {
  maxErrors: 'failedRequests',
  p95Ms: 'durationP95Ms',
  p99Ms: 'durationP99Ms',
  maxColdStarts: 'coldStarts',
  initP95Ms: 'initDurationP95Ms',
  maxMemoryPct: 'maxMemoryUsedPct',
};

interface RunState {
  options: RunOptions;
  steps: StepRunner;
  environment: RunEnvironment;
  newman?: NewmanResult;
  load?: LoadResult;
  logCheck?: LogCheckResult;
  budgets?: Record<string, number>;
  /** Stop functions of what the run started, in start order. */
  resources: { name: string; stop: () => Promise<void> }[];
  warnings: string[];
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

function portTaken(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`
      : String(error);
  return /EADDRINUSE|address already in use|port \d+ is in use/i.test(text);
}

const CLEANUP_DEADLINE_MS = 15_000;

/** Stops everything the run started, newest first; a stop that fails or hangs is a warning. */
async function stopResources(state: RunState): Promise<void> {
  for (const resource of [...state.resources].reverse()) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        resource.stop(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`did not stop within ${CLEANUP_DEADLINE_MS / 1000} s`)),
            CLEANUP_DEADLINE_MS,
          );
        }),
      ]);
    } catch (error) {
      state.warnings.push(
        `stopping ${resource.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
  state.resources.length = 0;
}

/**
 * Registers something that must be stopped. Once cleanup has run (a signal won the race while it
 * was starting), it is stopped at once instead.
 */
function own(state: RunState, closed: { value: boolean }, name: string, stop: () => Promise<void>): void {
  if (closed.value) void stop().catch(() => {});
  else state.resources.push({ name, stop });
}

async function runChecks(
  state: RunState,
  baseUrl: string,
  logCheck: (expectRequests: number | undefined, since: number, until: number) => Promise<LogCheckResult>,
): Promise<void> {
  const { options, steps } = state;
  const since = Date.now();
  try {
    state.newman = await steps.run('newman', 'newman', { check: true, ownProgress: true }, async () => {
      const { runNewman } = parts.newman();
      const result = await runNewman({
        baseUrl,
        runId: options.runId,
        env: options.target,
        reportsDir: options.reportsDir,
        quiet: true,
      });
      const passedAssertions = result.assertions.total - result.assertions.failed;
      return {
        value: result,
        passed: result.passed,
        detail: `${passedAssertions}/${plural(result.assertions.total, 'assertion')} passed, ${plural(result.requestsSent, 'request')}`,
      };
    });
  } catch (error) {
    if (!(error instanceof StepError) || isCannotRun(error)) throw error;
  }

  if (options.skipLoad) {
    steps.skip('load', `k6 (${options.profile})`, { check: true }, '--skip-load');
  } else {
    try {
      const label = `k6 (${options.profile})`;
      state.load = await steps.run('load', label, { check: true, ownProgress: true }, async () => {
        const { runLoad } = parts.load();
        const result = await runLoad({
          baseUrl,
          runId: options.runId,
          profile: options.profile,
          reportsDir: options.reportsDir,
          quiet: true,
        });
        const failed = result.thresholdsFailed.length;
        return {
          value: result,
          passed: result.passed,
          detail: `${plural(result.requests, 'request')}, ${failed === 0 ? 'thresholds held' : `${plural(failed, 'threshold')} crossed: ${result.thresholdsFailed.join(', ')}`}`,
        };
      });
    } catch (error) {
      if (!(error instanceof StepError) || isCannotRun(error)) throw error;
    }
  }

  // Every request the run sent that reaches the function must have left its log line. When a
  // check crashed its count is unknown, and completeness cannot be judged.
  const newmanCount = state.newman?.requestsAtFunction;
  const loadCount = options.skipLoad ? 0 : state.load?.requests;
  const expectRequests =
    newmanCount !== undefined && loadCount !== undefined ? newmanCount + loadCount : undefined;
  const until = Date.now();
  try {
    state.logCheck = await steps.run('logcheck', 'log check', { check: true }, async (progress) => {
      progress.update(
        expectRequests === undefined
          ? 'reading the logs'
          : `looking for ${plural(expectRequests, 'request')}`,
      );
      const result = await logCheck(expectRequests, since, until);
      const found =
        result.completeness.expected === undefined
          ? `${result.completeness.found}`
          : `${result.completeness.found}/${result.completeness.expected}`;
      return {
        value: result,
        passed: result.passed,
        detail: `${found} request lines, ${plural(result.violations.length, 'violation')}${result.violations.length ? `: ${result.violations.map((v) => v.check).join(', ')}` : ''}`,
      };
    });
  } catch (error) {
    if (!(error instanceof StepError) || isCannotRun(error)) throw error;
  }
}

function effectiveBudgets(defaults: Budgets, overrides: Partial<Budgets>): Record<string, number> {
  const merged: Budgets = { ...defaults, ...overrides };
  const byMetric: Record<string, number> = {};
  for (const [key, metric] of Object.entries(BUDGET_METRICS) as [keyof Budgets, string][]) {
    if (Number.isFinite(merged[key])) byMetric[metric] = merged[key];
  }
  return byMetric;
}

async function runLocal(state: RunState, closed: { value: boolean }): Promise<void> {
  const { options, steps } = state;
  if (options.skipLoad) {
    steps.skip('tools', 'tools', { check: false }, 'k6 not needed (--skip-load)');
  } else {
    await steps.run('tools', 'tools', { check: false }, async (progress) => {
      const { ensureK6 } = parts.k6();
      progress.update('k6');
      const k6 = await ensureK6({ quiet: true });
      return { value: k6, detail: `k6 ${k6}` };
    });
  }

  const db = await steps.run('dynamodb', 'DynamoDB', { check: false }, async (progress) => {
    const { startDynamoDb } = parts.dynamoDb();
    const running = await startDynamoDb({ log: (line) => progress.update(line) });
    own(state, closed, `DynamoDB (${running.kind})`, () => running.stop());
    return { value: running, detail: `${running.kind} at ${running.endpoint}` };
  });
  // An endpoint the user runs (DYNAMODB_ENDPOINT) may hold their own `pets` table: the run resets
  // and seeds a table of its own there instead.
  const tableName = db.kind === 'endpoint' ? `pets-harness-${options.runId}` : 'pets';
  state.environment.dynamoDbKind = db.kind;
  state.environment.dynamoDbEndpoint = db.endpoint;
  state.environment.tableName = tableName;

  await steps.run('seed', 'seed', { check: false }, async (progress) => {
    const { seedTable } = parts.seed();
    const summary = await seedTable({
      endpoint: db.endpoint,
      tableName,
      createTable: true,
      reset: true,
      onProgress: (done, total) => progress.update(`${done}/${total} pets`),
    });
    return { value: summary, detail: `${plural(summary.written, 'pet')} into ${summary.tableName}` };
  });

  const bundle = await steps.run('bundle', 'bundle', { check: false }, async () => {
    const { ensureBundle } = parts.build();
    const result = await ensureBundle();
    return {
      value: result,
      detail: `${result.rebuilt ? 'rebuilt' : 'up to date'}: ${relative(process.cwd(), result.dir) || result.dir}`,
    };
  });

  const { LOCAL_AWS_ENV } = parts.dynamoDb();
  // One log store per run, inside the run's report folder: the log check reads this run's stage
  // only (even while another stage writes the default store), and the function's logs travel with
  // the report (a CI artifact).
  const logDir = join(options.reportsDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stage = await steps.run('stage', 'stage', { check: false }, async (progress) => {
    const { startStage } = parts.stage();
    progress.update(options.port === 0 ? 'on a free port' : `on port ${options.port}`);
    try {
      const running = await startStage({
        port: options.port,
        bundleDir: bundle.dir,
        logDir,
        env: { ...LOCAL_AWS_ENV, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: db.endpoint },
      });
      own(state, closed, 'the local stage', () => running.stop());
      return { value: running, detail: running.url };
    } catch (error) {
      if (portTaken(error)) {
        throw new CannotRunError(
          `port ${options.port} is taken (is 'npm run stage' running?). Stop whatever holds it, or run with --port 0 (any free port) or another --port.`,
        );
      }
      throw error;
    }
  });
  state.environment.baseUrl = stage.url;
  state.environment.logGroupName = stage.logGroupName;
  state.environment.logDir = stage.logDir;

  const { DEFAULT_BUDGETS, runLogCheck } = parts.logCheck();
  state.budgets = effectiveBudgets(DEFAULT_BUDGETS, options.budgets);
  await runChecks(state, stage.url, (expectRequests, since, until) =>
    runLogCheck({
      runId: options.runId,
      // The stage's clock and ours are one clock; a second of slack covers timestamp rounding.
      since: since - 1000,
      until: until + 1000,
      ...(expectRequests === undefined ? {} : { expectRequests }),
      source: 'local',
      logGroupName: stage.logGroupName,
      logDir: stage.logDir,
      budgets: options.budgets,
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
      reportsDir: options.reportsDir,
    }),
  );
}

async function runAws(state: RunState): Promise<void> {
  const { options, steps } = state;
  // Credentials first: without them nothing else is worth starting (exit 2 with how to log in).
  await steps.run('credentials', 'AWS credentials', { check: false }, async () => {
    const { CloudFormationClient } = parts.cloudFormation();
    const { checkAwsCredentials } = parts.aws();
    // Resolving credentials does not depend on the region; the client only insists on having one.
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const credentials = await checkAwsCredentials(new CloudFormationClient({ region }));
    return { value: credentials, detail: `access key …${credentials.accessKeyId.slice(-4)}` };
  });

  if (options.skipLoad) {
    steps.skip('tools', 'tools', { check: false }, 'k6 not needed (--skip-load)');
  } else {
    await steps.run('tools', 'tools', { check: false }, async () => {
      const { ensureK6 } = parts.k6();
      const k6 = await ensureK6({ quiet: true });
      return { value: k6, detail: `k6 ${k6}` };
    });
  }

  const { outputs, region } = await steps.run('outputs', 'stack outputs', { check: false }, async () => {
    if (options.outputsFile) {
      const fromFile = parts.infraOutputs().readStackOutputs(options.outputsFile, options.stackName);
      return {
        value: { outputs: fromFile, region: options.region ?? fromFile.region },
        detail: `${fromFile.stackName} from ${options.outputsFile}: ${fromFile.apiUrl}`,
      };
    }
    const { CloudFormationClient } = parts.cloudFormation();
    const { describeStackOutputs, resolveRegion } = parts.aws();
    const resolvedRegion = await resolveRegion(options.region);
    const stackName = options.stackName ?? BASE_STACK_NAME;
    const described = await describeStackOutputs(
      new CloudFormationClient({ region: resolvedRegion }),
      stackName,
    );
    return {
      value: { outputs: described, region: resolvedRegion },
      detail: `${described.stackName} (DescribeStacks in ${resolvedRegion}): ${described.apiUrl}`,
    };
  });
  state.environment.region = region;
  Object.assign(state.environment, {
    baseUrl: outputs.apiUrl,
    stackName: outputs.stackName,
    tableName: outputs.tableName,
    logGroupName: outputs.logGroupName,
  });

  if (options.seed) {
    await steps.run('seed', 'seed', { check: false }, async (progress) => {
      const { seedTable } = parts.seed();
      const summary = await seedTable({
        region,
        tableName: outputs.tableName,
        reset: true,
        onProgress: (done, total) => progress.update(`${done}/${total} pets`),
      });
      return {
        value: summary,
        detail: `${plural(summary.written, 'pet')} into ${summary.tableName} (${summary.target})`,
      };
    });
  } else {
    steps.skip('seed', 'seed', { check: false }, 'not asked (--seed resets the table to the 20 seed pets)');
  }

  const { DEFAULT_BUDGETS, runLogCheck } = parts.logCheck();
  state.budgets = effectiveBudgets(DEFAULT_BUDGETS, options.budgets);
  await runChecks(state, outputs.apiUrl, (expectRequests, since, until) =>
    runLogCheck({
      runId: options.runId,
      // Lambda's clock is not ours: a minute of slack either side; the run id keeps other traffic out.
      since: since - 60_000,
      until: until + 60_000,
      ...(expectRequests === undefined ? {} : { expectRequests }),
      source: 'cloudwatch',
      logGroupName: outputs.logGroupName,
      region,
      budgets: options.budgets,
      ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
      reportsDir: options.reportsDir,
    }),
  );
}

/** Raw report paths of every part, relative to the run's report directory (links from the page). */
function collectReports(state: RunState): Record<string, string> {
  const reports: Record<string, string> = {};
  const add = (prefix: string, entries: Record<string, string> | undefined) => {
    for (const [name, path] of Object.entries(entries ?? {})) {
      const key = name.startsWith(prefix) ? name : `${prefix}-${name}`;
      reports[key] = relative(state.options.reportsDir, path) || path;
    }
  };
  add('newman', state.newman?.reports);
  add('k6', state.load?.reports);
  if (state.logCheck) reports.logcheck = 'logcheck.json';
  return reports;
}

/** Every step a run of this target goes through, in order: the ones never reached are shown as skipped. */
export function plannedSteps(
  options: Pick<RunOptions, 'target' | 'profile'>,
): { id: string; label: string; check: boolean }[] {
  const setup =
    options.target === 'local'
      ? [
          ['tools', 'tools'],
          ['dynamodb', 'DynamoDB'],
          ['seed', 'seed'],
          ['bundle', 'bundle'],
          ['stage', 'stage'],
        ]
      : [
          ['credentials', 'AWS credentials'],
          ['tools', 'tools'],
          ['outputs', 'stack outputs'],
          ['seed', 'seed'],
        ];
  const checks = [
    ['newman', 'newman'],
    ['load', `k6 (${options.profile})`],
    ['logcheck', 'log check'],
  ];
  return [
    ...setup.map(([id, label]) => ({ id: id as string, label: label as string, check: false })),
    ...checks.map(([id, label]) => ({ id: id as string, label: label as string, check: true })),
  ];
}

function withUnreachedSteps(records: StepRecord[], options: RunOptions): StepRecord[] {
  const ran = new Map(records.map((record) => [record.id, record]));
  return plannedSteps(options).map(
    (planned) =>
      ran.get(planned.id) ?? { ...planned, verdict: 'skipped', durationMs: 0, detail: 'not reached' },
  );
}

export interface RunOutcome {
  summary: RunSummary;
  interruptedBy?: NodeJS.Signals;
}

/** Runs the harness end to end and returns its summary; never throws for a step's failure. */
export async function runHarness(options: RunOptions, interruption: Interruption): Promise<RunOutcome> {
  const startedAt = new Date();
  mkdirSync(options.reportsDir, { recursive: true });
  const state: RunState = {
    options,
    steps: stepRunner(interruption),
    environment: {
      nodeVersion: process.version,
      platform: `${process.platform} ${process.arch}`,
      ...(options.target === 'aws' && options.stackName ? { stackName: options.stackName } : {}),
    },
    resources: [],
    warnings: [],
  };
  const closed = { value: false };
  let problem: string | undefined;
  let cannotRun = false;
  let crashed = false;
  try {
    if (options.target === 'local') await runLocal(state, closed);
    else await runAws(state);
  } catch (error) {
    if (error instanceof Interrupted) {
      problem = error.message;
    } else if (isCannotRun(error)) {
      cannotRun = true;
      problem = error instanceof StepError ? `${error.step.label}: ${error.message}` : String(error);
    } else {
      crashed = true;
      problem = error instanceof StepError ? `${error.step.label} failed: ${error.message}` : String(error);
      if (!(error instanceof StepError)) console.error(error);
    }
  } finally {
    closed.value = true;
    await stopResources(state);
  }

  const records = withUnreachedSteps(state.steps.records, options);
  const failedChecks = records
    .filter((step) => step.verdict === 'failed' || step.verdict === 'error')
    .map((step) => step.label);
  const signal = interruption.signal;
  let verdict: RunVerdict;
  let exitCode: number;
  if (signal) {
    verdict = 'error';
    exitCode = signalExitCode(signal);
    problem = `stopped by ${signal}; everything the run started was stopped`;
  } else if (cannotRun || (crashed && !records.some((step) => step.check))) {
    // A setup step that could not finish means the harness could not run: exit 2.
    verdict = 'error';
    exitCode = 2;
  } else if (failedChecks.length > 0 || crashed) {
    verdict = 'failed';
    exitCode = 1;
  } else {
    verdict = 'passed';
    exitCode = 0;
  }
  const finishedAt = new Date();
  const summary: RunSummary = {
    schemaVersion: 1,
    runId: options.runId,
    target: options.target,
    profile: options.profile,
    verdict,
    exitCode,
    failedChecks: verdict === 'failed' ? failedChecks : [],
    ...(problem && verdict === 'error' ? { problem } : {}),
    ...(signal ? { stoppedBy: signal } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    environment: state.environment,
    steps: records,
    ...(state.newman ? { newman: state.newman } : {}),
    ...(state.load ? { load: state.load } : {}),
    ...(state.logCheck ? { logCheck: state.logCheck } : {}),
    ...(state.budgets ? { budgets: state.budgets } : {}),
    reports: collectReports(state),
    warnings: state.warnings,
  };
  return { summary, ...(signal ? { interruptedBy: signal } : {}) };
}
