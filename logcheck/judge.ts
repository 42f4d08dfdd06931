import {
  type Budgets,
  type CompletenessResult,
  checkCompleteness,
  checkErrors,
  checkInFlight,
  checkMetrics,
  type ErrorsResult,
  groupByRequest,
  type MetricsResult,
  type Violation,
} from './checks';
import { checkMemoryGrowth } from './growth';
import { checkHygiene } from './hygiene';
import type { ParsedEvent } from './parse';

/** Every check of one run's parsed lines, and all their violations in one list. */
export interface Judgement {
  violations: Violation[];
  errors: ErrorsResult;
  completeness: CompletenessResult;
  metrics: MetricsResult['metrics'];
  hygiene: ReturnType<typeof checkHygiene>;
  growth: ReturnType<typeof checkMemoryGrowth>;
}

/** Runs the log checks over the lines of one run: errors, in-flight work, completeness, metrics, hygiene, growth. */
export function judgeRun(
  parsed: readonly ParsedEvent[],
  runId: string,
  budgets: Budgets,
  expectation: { expected?: number; sentCorrelationIds?: readonly string[] },
): Judgement {
  const requests = groupByRequest(parsed);
  const errors = checkErrors(parsed, requests, runId, budgets);
  const completeness = checkCompleteness(parsed, requests, runId, expectation);
  const { metrics, violations: metricViolations } = checkMetrics(requests, runId, budgets);
  const hygiene = checkHygiene(parsed, runId, budgets.maxLineBytes);
  const growth = checkMemoryGrowth(parsed, runId, budgets.growthHorizon);
  const inFlight = checkInFlight(parsed, requests, runId);
  const violations = [
    ...errors.violations,
    ...inFlight,
    ...completeness.violations,
    ...metricViolations,
    ...hygiene.violations,
    ...growth.violations,
  ];
  return { violations, errors, completeness, metrics, hygiene, growth };
}
