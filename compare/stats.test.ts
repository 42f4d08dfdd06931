import { seededRandom } from '../common/random';
import { bucketOf, bucketValue, histogramOf, sortedValues } from './histogram';
import { bootstrapQuantileDelta, mannWhitneyGreater } from './stats';

function normalish(count: number, centre: number, spread: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    // Sum of uniforms: bell-shaped enough, and reproducible.
    const u = random() + random() + random() + random() - 2;
    return Math.max(0.1, centre + u * spread);
  }).sort((a, b) => a - b);
}

describe('mannWhitneyGreater', () => {
  it('gives U and a one-sided p-value that match a hand computation', () => {
    // current [4, 5, 6] against baseline [1, 2, 3]: every pair favours current, U = 9.
    // mean 4.5, variance 3·3·7/12 = 5.25, z = (9 − 4.5 − 0.5)/√5.25 = 1.7457, p = 0.0404.
    const test = mannWhitneyGreater([4, 5, 6], [1, 2, 3]);
    expect(test.u).toBe(9);
    expect(test.z).toBeCloseTo(1.7457, 3);
    expect(test.pValue).toBeCloseTo(0.0404, 3);
  });

  it('corrects for ties: identical samples are not significant', () => {
    const test = mannWhitneyGreater([5, 5, 5, 5], [5, 5, 5, 5]);
    expect(test.pValue).toBe(1);
  });

  it('finds a 10 ms shift in noisy samples and no shift in two draws of one distribution', () => {
    const baseline = normalish(60, 20, 6, 1);
    expect(mannWhitneyGreater(normalish(60, 30, 6, 2), baseline).pValue).toBeLessThan(1e-6);
    expect(mannWhitneyGreater(normalish(60, 20, 6, 3), baseline).pValue).toBeGreaterThan(0.01);
  });
});

describe('bootstrapQuantileDelta', () => {
  it('brackets the true shift of the median and is reproducible for the same data', () => {
    const baseline = normalish(80, 20, 6, 4);
    const current = normalish(80, 120, 6, 5);
    const interval = bootstrapQuantileDelta(current, baseline, 0.5, 0.99);
    expect(interval.low).toBeGreaterThan(90);
    expect(interval.high).toBeLessThan(110);
    expect(interval.low).toBeLessThanOrEqual(interval.estimate);
    expect(interval.high).toBeGreaterThanOrEqual(interval.estimate);
    expect(bootstrapQuantileDelta(current, baseline, 0.5, 0.99)).toEqual(interval);
  });

  it('spans zero when nothing changed', () => {
    const interval = bootstrapQuantileDelta(normalish(80, 20, 6, 6), normalish(80, 20, 6, 7), 0.95, 0.99);
    expect(interval.low).toBeLessThan(0);
    expect(interval.high).toBeGreaterThan(0);
  });
});

describe('histogram', () => {
  it('keeps every value within half a percent and counts them all', () => {
    const values = [0.005, 0.31, 1, 7.25, 42, 999.9, 30_000];
    const histogram = histogramOf(values);
    expect(histogram.count).toBe(values.length);
    expect(histogram.min).toBe(0.005);
    expect(histogram.max).toBe(30_000);
    sortedValues(histogram).forEach((kept, i) => {
      const original = values[i] as number;
      if (original > 0.01) expect(Math.abs(kept - original) / original).toBeLessThan(0.005);
    });
  });

  it('maps a bucket back onto the value it came from', () => {
    expect(bucketValue(bucketOf(12.5))).toBeCloseTo(12.5, 1);
    expect(bucketOf(0)).toBe(0);
  });

  it('ignores values that are not durations', () => {
    expect(histogramOf([Number.NaN, -1, 3]).count).toBe(1);
  });
});
