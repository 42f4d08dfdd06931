import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import type { Step } from '../common/progress';
import { overProvisionedMemory } from '../configcheck/rules';
import { functionSettings } from '../definitions/function';
import { plural } from './format';
import { parts } from './parts';
import { found, type RunContext } from './run-context';
import type { StepOutcome } from './steps';

/** The checks of a run: each judges the API and hands back the part's own result. */

/** What every check that sends requests is told: where, as which run, where its reports go. */
function requestOptions({ options, environment }: RunContext) {
  return {
    baseUrl: found(environment.baseUrl, 'stage URL'),
    runId: options.runId,
    reportsDir: options.reportsDir,
    quiet: true,
  };
}

export async function runNewmanStep(run: RunContext): Promise<StepOutcome<unknown>> {
  const result = await parts.newman().runNewman({ ...requestOptions(run), env: run.options.target });
  run.newman = result;
  const passedAssertions = result.assertions.total - result.assertions.failed;
  return {
    value: result,
    passed: result.passed,
    detail: `${passedAssertions}/${plural(result.assertions.total, 'assertion')} passed, ${plural(result.requestsSent, 'request')}`,
  };
}

export async function runK6(run: RunContext): Promise<StepOutcome<unknown>> {
  const { options } = run;
  const result = await parts.load().runLoad({
    ...requestOptions(run),
    profile: options.profile,
    runners: options.runners ?? 1,
  });
  run.load = result;
  const failed = result.thresholdsFailed.length;
  return {
    value: result,
    passed: result.passed,
    detail: `${plural(result.requests, 'request')}, ${failed === 0 ? 'thresholds held' : `${plural(failed, 'threshold')} crossed: ${result.thresholdsFailed.join(', ')}`}`,
  };
}

/** The run's fuzz is short: a smoke test of the contract, not the hunt `npm run fuzz` is. */
export const RUN_FUZZ_SECONDS = 30;

export async function runFuzzStep(run: RunContext, progress: Step): Promise<StepOutcome<unknown>> {
  const { options, environment } = run;
  const fuzz = parts.fuzz();
  progress.update(`Schemathesis, every check and phase, ${RUN_FUZZ_SECONDS} s`);
  const result = await fuzz.runFuzz({
    baseUrl: found(environment.baseUrl, 'stage URL'),
    runId: options.runId,
    maxTimeSeconds: RUN_FUZZ_SECONDS,
    reportsDir: options.reportsDir,
    quiet: true,
  });
  run.fuzz = result;
  return { value: result, passed: result.passed, detail: fuzz.fuzzLine(result) };
}

/**
 * Every request the run sent that reaches the function must have left its log line. When a check
 * crashed its count is unknown, and completeness cannot be judged.
 */
function expectedRequests(run: RunContext): number | undefined {
  const newmanCount = run.newman?.requestsAtFunction;
  const loadCount = run.options.skipLoad ? 0 : run.load?.requests;
  const fuzzCount = run.fuzz?.requestsAtFunction;
  return newmanCount !== undefined && loadCount !== undefined && fuzzCount !== undefined
    ? newmanCount + loadCount + fuzzCount
    : undefined;
}

/**
 * The window the log check reads. The local stage's clock and ours are one clock: a second of
 * slack covers timestamp rounding. Lambda's clock is not ours: a minute either side, and the run
 * id keeps other traffic out.
 */
function logWindow(run: RunContext): { since: number; until: number } {
  const slackMs = run.options.target === 'local' ? 1000 : 60_000;
  const since = run.checksStartedAt ?? Date.now();
  return { since: since - slackMs, until: Date.now() + slackMs };
}

export async function checkLogs(run: RunContext, progress: Step): Promise<StepOutcome<unknown>> {
  const { options, environment } = run;
  const expectRequests = expectedRequests(run);
  const window = logWindow(run);
  progress.update(
    expectRequests === undefined ? 'reading the logs' : `looking for ${plural(expectRequests, 'request')}`,
  );
  const result = await parts.logCheck().runLogCheck({
    runId: options.runId,
    ...window,
    ...(expectRequests === undefined ? {} : { expectRequests }),
    logGroupName: found(environment.logGroupName, 'log group'),
    ...(options.target === 'local'
      ? { source: 'local' as const, logDir: environment.logDir }
      : { source: 'cloudwatch' as const, region: environment.region }),
    budgets: options.budgets,
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    reportsDir: options.reportsDir,
    onParsed: (parsed) => {
      run.parsed = parsed;
    },
  });
  run.logCheck = result;
  // A configuration finding only the run's REPORT lines can show (configcheck/rules.ts).
  const memory = overProvisionedMemory(
    result.metrics.memorySizeMb ?? Number.NaN,
    result.metrics.maxMemoryUsedMb ?? Number.NaN,
  );
  if (memory) run.warnings.push(`configuration: memory size ${result.metrics.memorySizeMb} MB is ${memory}`);
  const { found: logged, expected } = result.completeness;
  const violations = result.violations;
  return {
    value: result,
    passed: result.passed,
    // The errors violation carries its first error (an AccessDeniedException names action and resource).
    detail: `${expected === undefined ? logged : `${logged}/${expected}`} request lines, ${plural(violations.length, 'violation')}${violations.length ? `: ${violations.map((v) => (v.check === 'errors' ? v.message : v.check)).join(', ')}` : ''}`,
  };
}

/** The request units DynamoDB reported for the run's table, when the run's path to it could ask. */
function dynamoDbUnits(run: RunContext): {
  dynamoDb?: { readRequestUnits: number; writeRequestUnits: number; source: string };
} {
  const table = run.environment.tableName;
  const units = table ? run.consumedCapacity?.()[table] : undefined;
  if (!units) return {};
  return {
    dynamoDb: {
      readRequestUnits: units.readUnits,
      writeRequestUnits: units.writeUnits,
      source: `ConsumedCapacity DynamoDB returned for every call of the function on table ${table} (the local stage's DynamoDB gateway asks for it)`,
    },
  };
}

/**
 * The run's figures and cost, then the comparison with its baseline (the latest passing run of
 * the same target and profile, or `--baseline`): a significant regression fails the step.
 */
export async function compareWithBaseline(run: RunContext): Promise<StepOutcome<unknown>> {
  const { options } = run;
  if (!run.parsed) {
    return { value: undefined, passed: true, detail: 'no comparison: the log check did not read the logs' };
  }
  const { compareRun, comparisonDetail, DEFAULT_SETTINGS } = parts.compare();
  const settings = functionSettings();
  const outcome = compareRun({
    runId: options.runId,
    target: options.target,
    profile: options.profile,
    reportsDir: options.reportsDir,
    parsed: run.parsed,
    ...(run.load ? { samplesFile: join(options.reportsDir, parts.load().REPORT_FILES.durations) } : {}),
    // The local stage runs the project's bundle; a deployed stack's may be another build.
    ...(options.target === 'local' ? { bundleFile: join(PROJECT_ROOT, settings.bundleDir, 'index.js') } : {}),
    ...(run.newman ? { newman: run.newman } : {}),
    apiRequests: (run.newman?.requestsSent ?? 0) + (run.load?.requests ?? 0),
    architecture: settings.architecture,
    prices: options.prices ?? parts.cost().DEFAULT_PRICES,
    ...dynamoDbUnits(run),
    baseline: options.baseline ?? { kind: 'latest-passed', explicit: false },
    settings: options.compare ?? DEFAULT_SETTINGS,
  });
  run.comparison = outcome;
  return { value: outcome, passed: outcome.regressions.length === 0, detail: comparisonDetail(outcome) };
}
