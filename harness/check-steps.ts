import type { Step } from '../common/progress';
import { plural } from './format';
import { parts } from './parts';
import { found, type RunContext } from './run-context';
import type { StepOutcome } from './steps';

/** The checks of a run: each judges the API and hands back the part's own result. */

export async function runNewmanStep(run: RunContext): Promise<StepOutcome<unknown>> {
  const { options, environment } = run;
  const result = await parts.newman().runNewman({
    baseUrl: found(environment.baseUrl, 'stage URL'),
    runId: options.runId,
    env: options.target,
    reportsDir: options.reportsDir,
    quiet: true,
  });
  run.newman = result;
  const passedAssertions = result.assertions.total - result.assertions.failed;
  return {
    value: result,
    passed: result.passed,
    detail: `${passedAssertions}/${plural(result.assertions.total, 'assertion')} passed, ${plural(result.requestsSent, 'request')}`,
  };
}

export async function runK6(run: RunContext): Promise<StepOutcome<unknown>> {
  const { options, environment } = run;
  const result = await parts.load().runLoad({
    baseUrl: found(environment.baseUrl, 'stage URL'),
    runId: options.runId,
    profile: options.profile,
    reportsDir: options.reportsDir,
    quiet: true,
  });
  run.load = result;
  const failed = result.thresholdsFailed.length;
  return {
    value: result,
    passed: result.passed,
    detail: `${plural(result.requests, 'request')}, ${failed === 0 ? 'thresholds held' : `${plural(failed, 'threshold')} crossed: ${result.thresholdsFailed.join(', ')}`}`,
  };
}

/**
 * Every request the run sent that reaches the function must have left its log line. When a check
 * crashed its count is unknown, and completeness cannot be judged.
 */
function expectedRequests(run: RunContext): number | undefined {
  const newmanCount = run.newman?.requestsAtFunction;
  const loadCount = run.options.skipLoad ? 0 : run.load?.requests;
  return newmanCount !== undefined && loadCount !== undefined ? newmanCount + loadCount : undefined;
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
  });
  run.logCheck = result;
  const { found: logged, expected } = result.completeness;
  const violations = result.violations;
  return {
    value: result,
    passed: result.passed,
    detail: `${expected === undefined ? logged : `${logged}/${expected}`} request lines, ${plural(violations.length, 'violation')}${violations.length ? `: ${violations.map((v) => v.check).join(', ')}` : ''}`,
  };
}
