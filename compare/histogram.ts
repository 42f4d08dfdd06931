/**
 * A sparse log-linear histogram of durations: buckets 1 % wide (a value is kept within ±0.5 %),
 * stored as `{ bucketIndex: count }`. Fine enough to compare two runs' distributions with a rank
 * test and a bootstrap, small enough for summary.json however many requests a run sends.
 */

/** Values below this (ms) share bucket 0. */
const FLOOR = 0.01;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface Histogram {
  /** The bucket scheme, so a future finer one can be told apart. */
  scheme: 'log1pct';
  count: number;
  min: number;
  max: number;
  /** Bucket index → how many values fell in it. */
  buckets: Record<string, number>;
}

export function bucketOf(value: number): number {
  return value <= FLOOR ? 0 : Math.round(Math.log(value / FLOOR) / LOG_GROWTH);
}

/** The value a bucket stands for (its centre on the log scale). */
export function bucketValue(index: number): number {
  return index === 0 ? FLOOR : FLOOR * GROWTH ** index;
}

export function histogramOf(values: Iterable<number>): Histogram {
  const buckets: Record<string, number> = {};
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value) || value < 0) continue;
    const key = String(bucketOf(value));
    buckets[key] = (buckets[key] ?? 0) + 1;
    count++;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { scheme: 'log1pct', count, min: count ? min : 0, max: count ? max : 0, buckets };
}

/** The histogram's values in ascending order (each bucket's value repeated by its count). */
export function sortedValues(histogram: Histogram): number[] {
  const values: number[] = [];
  const entries = Object.entries(histogram.buckets)
    .map(([index, count]) => [Number(index), count] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [index, count] of entries) {
    const value = bucketValue(index);
    for (let i = 0; i < count; i++) values.push(value);
  }
  return values;
}
