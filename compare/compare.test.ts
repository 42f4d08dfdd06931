import { compareFigures, DEFAULT_SETTINGS } from './compare';
import { figuresWith } from './test/figures';

const baseline = figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 200, seed: 1 });

describe('compareFigures', () => {
  it('finds nothing between two draws of the same run', () => {
    const again = figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 230, seed: 50 });
    const comparison = compareFigures(again, baseline);
    expect(comparison.regressions).toEqual([]);
    expect(comparison.comparisons.map((c) => `${c.metric} ${c.statistic}`)).toEqual([
      'k6 latency p50',
      'k6 latency p95',
      'Lambda Duration p50',
      'Lambda Duration p95',
      'Init Duration value',
      'Max Memory Used value',
      'bundle size value',
    ]);
  });

  it('names the metric, the route, both values and the confidence of a 100 ms slower route', () => {
    const slower = figuresWith({ k6Ms: 120, lambdaMs: 108, initMs: 200, seed: 7 });
    const { regressions } = compareFigures(slower, baseline);
    const k6Median = regressions.find((r) => r.metric === 'k6 latency' && r.statistic === 'p50');
    expect(k6Median).toMatchObject({ route: 'get', verdict: 'regressed' });
    expect(k6Median?.interval?.low).toBeGreaterThan(80);
    expect(k6Median?.pValue).toBeLessThan(1e-6);
    expect(k6Median?.text).toMatch(
      /^k6 latency p50 on get: \d+\.\d ms → 1\d\d ms \(\+\d+ ms, \+\d+%\); 99% CI \+[\d.]+ ms to \+[\d.]+ ms, Mann-Whitney p < 1e-6 \[threshold \+50% and \+25 ms\]$/,
    );
    expect(regressions.some((r) => r.metric === 'Lambda Duration' && r.route === 'GET /pets/{id}')).toBe(
      true,
    );
  });

  it('finds 500 ms more init with one cold start a side, saying no test was possible', () => {
    const heavier = figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 700, seed: 1 });
    const { regressions } = compareFigures(heavier, baseline);
    expect(regressions).toHaveLength(1);
    expect(regressions[0]).toMatchObject({
      metric: 'Init Duration',
      baseline: 200,
      current: 700,
      verdict: 'regressed',
    });
    expect(regressions[0]?.text).toMatch(/1 vs 1 samples: too few for a test, judged by the threshold alone/);
  });

  it('lets a user tighten a threshold: a 10 ms shift passes the default and fails +10% and +5 ms', () => {
    const slightly = figuresWith({ k6Ms: 30, lambdaMs: 8, initMs: 200, seed: 9 });
    expect(compareFigures(slightly, baseline).regressions).toEqual([]);
    const strict = {
      ...DEFAULT_SETTINGS,
      thresholds: { ...DEFAULT_SETTINGS.thresholds, latency: { relative: 0.1, absolute: 5 } },
    };
    expect(
      compareFigures(slightly, baseline, strict).regressions.map((r) => `${r.metric} ${r.statistic}`),
    ).toContain('k6 latency p50');
  });

  it('judges memory and bundle size by their thresholds', () => {
    const heavy = figuresWith({
      k6Ms: 20,
      lambdaMs: 8,
      initMs: 200,
      memoryMb: 120,
      bundleBytes: 400_000,
      seed: 1,
    });
    expect(compareFigures(heavy, baseline).regressions.map((r) => r.metric)).toEqual([
      'Max Memory Used',
      'bundle size',
    ]);
  });

  it('reports an improvement without failing', () => {
    const slowerBaseline = figuresWith({ k6Ms: 200, lambdaMs: 8, initMs: 200, seed: 3 });

    const { comparisons, regressions } = compareFigures(baseline, slowerBaseline);

    expect(regressions).toEqual([]);
    expect(
      comparisons
        .filter((c) => c.metric === 'k6 latency' && c.route === 'get')
        .map((c) => [c.statistic, c.verdict]),
    ).toEqual([
      ['p50', 'improved'],
      ['p95', 'improved'],
    ]);
  });
});
