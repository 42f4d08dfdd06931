import { linearRegression } from 'simple-statistics';
import { belongsToRun, groupByRequest, type Violation } from './checks';
import type { ParsedEvent } from './parse';

/**
 * Memory growth per execution environment: Max Memory Used against the invocation count, from
 * the REPORT lines of each log stream (one stream = one environment). A steady climb that would
 * reach the function's memory size within the horizon is a leak to fix, even when every single
 * REPORT is under the memory budget.
 */

export interface EnvironmentSeries {
  logStreamName: string;
  memorySizeMb: number;
  /** Max Memory Used of each invocation, in order. */
  maxMemoryUsedMb: number[];
  lastRequestId: string;
}

export interface GrowthEstimate {
  logStreamName: string;
  invocations: number;
  memorySizeMb: number;
  firstMb: number;
  lastMb: number;
  /** MB per invocation after the warm-up; undefined when too few invocations to judge. */
  slopeMbPerInvocation?: number;
  /** Whether the climb continued through both halves of the judged window, past the garbage allowance. */
  steady?: boolean;
  /** MB gained after the warm-up. */
  grewMb?: number;
  /** More invocations until Max Memory Used reaches the memory size, at that slope. */
  invocationsToLimit?: number;
  note: string;
}

/** Fewer invocations than this in one environment say nothing about a trend. */
export const MIN_INVOCATIONS = 30;
/** The first third of an environment's invocations is warm-up (JIT, caches, the heap finding its size). */
const WARM_UP_FRACTION = 1 / 3;
/**
 * Growth after the warm-up that a garbage-collected heap shows without leaking, as a fraction of
 * the memory size: V8 lets garbage pile up before a full collection, and Max Memory Used is a
 * peak, so it only ever climbs. Measured here on the real bundle: its peak climbs ~6 MB after the
 * warm-up of a smoke run and ~16 MB over 1,000 more invocations, while its heap after a full
 * collection grows 2 MB over 3,000 (docs/logcheck.md). A leak climbs past this allowance.
 */
const GARBAGE_ALLOWANCE_FRACTION = 0.125;

/** Each environment's REPORT lines in order, for the run's requests. */
export function environmentSeries(parsed: readonly ParsedEvent[], runId: string): EnvironmentSeries[] {
  const requests = groupByRequest(parsed);
  const byStream = new Map<string, EnvironmentSeries>();
  const ordered = [...parsed].sort((a, b) => a.event.timestamp - b.event.timestamp);
  for (const line of ordered) {
    if (line.kind !== 'report' || !Number.isFinite(line.maxMemoryUsedMb)) continue;
    if (!belongsToRun(requests.get(line.requestId), runId)) continue;
    const name = line.event.logStreamName;
    let series = byStream.get(name);
    if (!series) {
      series = {
        logStreamName: name,
        memorySizeMb: line.memorySizeMb,
        maxMemoryUsedMb: [],
        lastRequestId: '',
      };
      byStream.set(name, series);
    }
    series.maxMemoryUsedMb.push(line.maxMemoryUsedMb);
    series.lastRequestId = line.requestId;
  }
  return [...byStream.values()];
}

function rise(values: readonly number[]): number {
  return values.length < 2 ? 0 : (values.at(-1) as number) - (values[0] as number);
}

export function estimateGrowth(series: EnvironmentSeries): GrowthEstimate {
  const values = series.maxMemoryUsedMb;
  const base = {
    logStreamName: series.logStreamName,
    invocations: values.length,
    memorySizeMb: series.memorySizeMb,
    firstMb: values[0] ?? 0,
    lastMb: values.at(-1) ?? 0,
  };
  if (values.length < MIN_INVOCATIONS) {
    return {
      ...base,
      note: `${values.length} invocations: too few to judge a trend (${MIN_INVOCATIONS} needed)`,
    };
  }
  const start = Math.floor(values.length * WARM_UP_FRACTION);
  const judged = values.slice(start);
  const half = Math.floor(judged.length / 2);
  const grewMb = rise(judged);
  const allowanceMb = series.memorySizeMb * GARBAGE_ALLOWANCE_FRACTION;
  const steady = rise(judged.slice(0, half + 1)) > 0 && rise(judged.slice(half)) > 0 && grewMb > allowanceMb;
  const { m: slope } = linearRegression(judged.map((value, i) => [start + i, value]));
  const headroom = series.memorySizeMb - base.lastMb;
  const invocationsToLimit = slope > 0 ? Math.max(0, Math.round(headroom / slope)) : undefined;
  return {
    ...base,
    slopeMbPerInvocation: slope,
    steady,
    grewMb,
    ...(invocationsToLimit === undefined ? {} : { invocationsToLimit }),
    note: steady
      ? `grows ${slope.toFixed(3)} MB per invocation after the warm-up`
      : grewMb > 0
        ? `grew ${grewMb} MB after the warm-up: within the ${allowanceMb} MB a collected heap may climb, or not steadily`
        : 'no growth after the warm-up',
  };
}

/** Estimates per environment, and a violation for each that would run out of memory within the horizon. */
export function checkMemoryGrowth(
  parsed: readonly ParsedEvent[],
  runId: string,
  horizonInvocations: number,
): { estimates: GrowthEstimate[]; violations: Violation[] } {
  const series = environmentSeries(parsed, runId);
  const estimates = series.map(estimateGrowth);
  const violations: Violation[] = [];
  estimates.forEach((estimate, i) => {
    const limit = estimate.invocationsToLimit;
    if (!estimate.steady || limit === undefined || limit > horizonInvocations) return;
    violations.push({
      check: 'memory-growth',
      message: `environment ${estimate.logStreamName}: Max Memory Used grows ${(estimate.slopeMbPerInvocation ?? 0).toFixed(3)} MB per invocation (${estimate.firstMb} → ${estimate.lastMb} MB over ${estimate.invocations} invocations) and would reach the ${estimate.memorySizeMb} MB memory size in about ${limit.toLocaleString('en-US')} more invocations (horizon ${horizonInvocations.toLocaleString('en-US')})`,
      requestIds: [series[i]?.lastRequestId ?? ''].filter(Boolean),
    });
  });
  return { estimates, violations };
}
