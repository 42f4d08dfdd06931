import { errorFunction, quantileSorted, quickselect, wilcoxonRankSum } from 'simple-statistics';
import { seededRandom } from '../common/random';

/**
 * The two statistics the comparison rests on, built on simple-statistics: a one-sided
 * Mann-Whitney U test (is the current run's distribution shifted above the baseline's?) and a
 * percentile-bootstrap confidence interval for the difference of one quantile.
 */

export interface RankTest {
  /** Mann-Whitney U of the current sample against the baseline. */
  u: number;
  z: number;
  /** One-sided: the chance of a shift this large upwards if both came from one distribution. */
  pValue: number;
}

/** Σ(t³ − t) over groups of equal values in an ascending array: the tie correction's term. */
function tieTerm(sortedPooled: readonly number[]): number {
  let term = 0;
  let run = 1;
  for (let i = 1; i <= sortedPooled.length; i++) {
    if (i < sortedPooled.length && sortedPooled[i] === sortedPooled[i - 1]) run++;
    else {
      term += run ** 3 - run;
      run = 1;
    }
  }
  return term;
}

/** Upper tail of the standard normal. */
function upperTail(z: number): number {
  return Math.max(0, 0.5 * (1 - errorFunction(z / Math.SQRT2)));
}

/**
 * Mann-Whitney U, normal approximation with tie and continuity corrections (the samples here are
 * tens to thousands of durations, where the approximation is standard).
 */
export function mannWhitneyGreater(current: readonly number[], baseline: readonly number[]): RankTest {
  const n1 = current.length;
  const n2 = baseline.length;
  const rankSum = wilcoxonRankSum([...current], [...baseline]);
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const total = n1 + n2;
  const pooled = [...current, ...baseline].sort((a, b) => a - b);
  const variance = ((n1 * n2) / 12) * (total + 1 - tieTerm(pooled) / (total * (total - 1)));
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const z = (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u, z, pValue: upperTail(z) };
}

/** The q-quantile of a resample (with replacement) of an ascending array, in O(n). */
function resampledQuantile(
  sorted: readonly number[],
  q: number,
  random: () => number,
  scratch: number[],
): number {
  const n = sorted.length;
  for (let i = 0; i < n; i++) scratch[i] = Math.floor(random() * n);
  const k = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  quickselect(scratch, k, 0, n - 1);
  // The k-th smallest drawn index is the k-th smallest drawn value: the array is sorted.
  return sorted[scratch[k] as number] as number;
}

export interface DeltaInterval {
  /** current − baseline, of the q-quantile. */
  estimate: number;
  low: number;
  high: number;
  confidence: number;
  iterations: number;
}

/** Percentile-bootstrap interval of quantile(current) − quantile(baseline); inputs ascending. */
export function bootstrapQuantileDelta(
  current: readonly number[],
  baseline: readonly number[],
  q: number,
  confidence: number,
  seed = 16,
): DeltaInterval {
  const random = seededRandom(seed);
  // Fewer resamples for very large runs keep the step in seconds; 200 still gives a stable 95–99 % interval.
  const iterations = Math.max(
    200,
    Math.min(1000, Math.floor(20_000_000 / (current.length + baseline.length))),
  );
  const deltas: number[] = new Array(iterations);
  const scratchCurrent: number[] = new Array(current.length);
  const scratchBaseline: number[] = new Array(baseline.length);
  for (let b = 0; b < iterations; b++) {
    deltas[b] =
      resampledQuantile(current, q, random, scratchCurrent) -
      resampledQuantile(baseline, q, random, scratchBaseline);
  }
  deltas.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    estimate: quantileSorted(current as number[], q) - quantileSorted(baseline as number[], q),
    low: quantileSorted(deltas, tail),
    high: quantileSorted(deltas, 1 - tail),
    confidence,
    iterations,
  };
}
