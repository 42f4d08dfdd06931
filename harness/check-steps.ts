import { join } from 'node:path';
import { REFERENCE_WORK } from '../common/host-load';
import { PROJECT_ROOT } from '../common/paths';
import type { Step } from '../common/progress';
import { functionSettings } from '../definitions/function';
import { plural } from './format';
import { type ApiUnderTest, type CheckWork, found, type RunContext } from './run-context';

/**
 * The checks of a run: each judges the API the setup found (ApiUnderTest) and hands back the
 * part's own result.
 */

/** What every check that sends requests is told: where, as which run, where its reports go. */
function requestOptions({ options }: RunContext, api: ApiUnderTest) {
  return { baseUrl: api.baseUrl, runId: options.runId, reportsDir: options.reportsDir };
}

export const runNewmanStep: CheckWork = async (run, api) => {
  // The rehearsal runs the aws path as it is: the Postman environment of a deployed stage.
  const result = await run.parts.newman().runNewman({
    ...requestOptions(run, api),
    env: run.options.target === 'local' ? 'local' : 'aws',
    // newman's own line, not its cli reporter (the step shows only its closing line: ownProgress)
    progressLine: true,
  });
  run.newman = result;
  const passedAssertions = result.assertions.total - result.assertions.failed;
  return {
    value: result,
    passed: result.passed,
    detail: `${passedAssertions}/${plural(result.assertions.total, 'assertion')} passed, ${plural(result.requestsSent, 'request')}`,
  };
};

export const runK6: CheckWork = async (run, api) => {
  const { options } = run;
  const result = await run.parts.load().runLoad({
    ...requestOptions(run, api),
    progressLine: true,
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
};

/** The run's fuzz is short: a smoke test of the contract, not the hunt `npm run fuzz` is. */
export const RUN_FUZZ_SECONDS = 30;

export const runFuzzStep: CheckWork = async (run, api, progress) => {
  const fuzz = run.parts.fuzz();
  progress.update(`Schemathesis, every check and phase, ${RUN_FUZZ_SECONDS} s`);
  const result = await fuzz.runFuzz({
    ...requestOptions(run, api),
    // The step's own progress line shows the fuzz.
    progressLine: false,
    maxTimeSeconds: RUN_FUZZ_SECONDS,
  });
  run.fuzz = result;
  return { value: result, passed: result.passed, detail: fuzz.fuzzLine(result) };
};

/**
 * The fault round: every route while the stage fails its DynamoDB calls on request (throttling, an
 * outage, a hung call, an error that is not transient), each answer judged, the table left as it
 * was. Its requests carry `<run-id>.faults`: their ERROR lines are expected, and the log check
 * leaves them out.
 */
export const runFaultRoundStep: CheckWork = async (run, api, progress) => {
  const { options, parts } = run;
  const faults = parts.faults();
  const injection = found(api.faultInjection, 'stage that fails DynamoDB calls on request');
  const result = await faults.runFaultRound({
    baseUrl: api.baseUrl,
    runId: options.runId,
    functionTimeoutMs: injection.functionTimeoutSeconds * 1000,
    reportsDir: options.reportsDir,
    onProgress: (line) => progress.update(line),
  });
  run.faults = result;
  return { value: result, passed: result.passed, detail: faults.faultRoundLine(result) };
};

/** The function's DynamoDB calls per route, over every request of the run so far, judged by rule. */
export const checkAccessPatterns: CheckWork = async (run, api) => {
  const access = run.parts.access();
  const routes = found(api.accessPatterns, "stage's record of DynamoDB calls")();
  const result = access.judgeAccessPatterns(routes);
  run.access = result;
  return { value: result, passed: result.passed, detail: access.accessLine(result) };
};

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

export const checkLogs: CheckWork = async (run, api, progress) => {
  const { options } = run;
  const expectRequests = expectedRequests(run);
  const window = logWindow(run);
  progress.update(
    expectRequests === undefined ? 'reading the logs' : `looking for ${plural(expectRequests, 'request')}`,
  );
  const result = await run.parts.logCheck().runLogCheck({
    runId: options.runId,
    ...window,
    ...(expectRequests === undefined ? {} : { expectRequests }),
    logGroupName: api.logGroupName,
    ...(options.target === 'local'
      ? { source: 'local' as const, logDir: api.logDir }
      : {
          source: 'cloudwatch' as const,
          region: api.region,
          ...(api.standIn ? { endpoint: api.standIn.endpoint } : {}),
        }),
    budgets: options.budgets,
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    reportsDir: options.reportsDir,
    onParsed: (parsed) => {
      run.parsed = parsed;
    },
  });
  run.logCheck = result;
  const { found: logged, expected } = result.completeness;
  const violations = result.violations;
  return {
    value: result,
    passed: result.passed,
    detail: `${expected === undefined ? logged : `${logged}/${expected}`} request lines, ${plural(violations.length, 'violation')}${violations.length ? `: ${violations.map(violationLine).join(', ')}` : ''}`,
  };
};

/**
 * A violation in the step's line: the errors check's first error (an AccessDeniedException names
 * action and resource) and a hygiene rule's first lines (request or init, field, what was found)
 * say what and where; the other checks are named.
 */
function violationLine(violation: { check: string; message: string }): string {
  if (violation.check === 'errors') return violation.message;
  if (violation.check.startsWith('log-hygiene/')) return `${violation.check} (${violation.message})`;
  return violation.check;
}

/** Every request the run's checks sent through API Gateway, by check: each one is billed. */
function requestsSent(run: Pick<RunContext, 'newman' | 'load' | 'fuzz' | 'faults'>): Record<string, number> {
  return {
    ...(run.newman ? { newman: run.newman.requestsSent } : {}),
    ...(run.load ? { k6: run.load.requests } : {}),
    ...(run.fuzz ? { fuzz: run.fuzz.requestsSent } : {}),
    ...(run.faults ? { faults: run.faults.requestsSent } : {}),
  };
}

/** The request units DynamoDB reported for the run's table, when the run's path to it could ask. */
function dynamoDbUnits({ tableName: table, consumedCapacity }: ApiUnderTest): {
  dynamoDb?: { readRequestUnits: number; writeRequestUnits: number; source: string };
} {
  const units = consumedCapacity?.()[table];
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
 * Cold starts of the stage's function measured for the comparison: a run has one or two of its
 * own, too few to judge init by. Twenty find init 30% costlier on this shared machine, in ~10 s.
 */
const COLD_STARTS = 20;

async function measureColdStarts(run: RunContext, api: ApiUnderTest, progress: Step) {
  // Nothing to compare with (--baseline none): the figures are kept without them.
  if (!api.coldStarts || run.options.baseline?.kind === 'none') return undefined;
  progress.update(
    `${plural(COLD_STARTS, 'cold start')} of fresh environments, each with an empty function's`,
  );
  const { function: samples, reference } = await api.coldStarts(COLD_STARTS);
  return { source: `${plural(COLD_STARTS, 'fresh environment')} of the stage`, samples, reference };
}

/**
 * The run's figures and cost, then the comparison with its baseline (the latest passing run of
 * the same target and profile, or `--baseline`): a significant regression fails the step.
 */
export const compareWithBaseline: CheckWork = async (run, api, progress) => {
  const { options, parts } = run;
  if (!run.parsed) {
    return { value: undefined, passed: true, detail: 'no comparison: the log check did not read the logs' };
  }
  const referenceMs = (await run.hostLoad?.stop()) ?? [];
  const coldStarts = await measureColdStarts(run, api, progress);
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
    ...(api.accessPatterns ? { accessPatterns: api.accessPatterns() } : {}),
    ...(coldStarts ? { coldStarts } : {}),
    host: { work: REFERENCE_WORK, referenceMs },
    requestsSent: requestsSent(run),
    architecture: settings.architecture,
    prices: options.prices ?? parts.cost().DEFAULT_PRICES,
    ...dynamoDbUnits(api),
    baseline: options.baseline ?? { kind: 'latest-passed', explicit: false },
    settings: options.compare ?? DEFAULT_SETTINGS,
  });
  run.comparison = outcome;
  return { value: outcome, passed: outcome.regressions.length === 0, detail: comparisonDetail(outcome) };
};
