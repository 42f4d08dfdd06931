import { compareFigures, DEFAULT_SETTINGS } from './compare';
import { buildFigures, type RunFigures } from './figures';
import { histogramOf } from './histogram';
import { durations, figuresWith } from './test/figures';

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

  it('reads peak memory at the invocation count both runs reached: more requests served is no regression, more memory per request is', () => {
    // An environment's Max Memory Used climbs with the requests it served (V8 collects lazily):
    // the unchanged project's were 82 MB after 358 invocations and 114 MB after 1,095.
    const served = (points: [number, number][], invocations: number, seed: number): RunFigures => {
      const figures = figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 200, seed });
      const lambda = { ...figures.lambda, maxMemoryUsedMb: Math.max(...points.map(([, mb]) => mb)) };
      const environment = {
        logStreamName: 'stream',
        memorySizeMb: 256,
        invocations,
        maxMemoryUsedMb: points,
      };
      return { ...figures, lambda: { ...lambda, environments: [environment] } };
    };
    const shortRun = served(
      [
        [1, 66],
        [143, 78],
        [358, 82],
      ],
      358,
      1,
    );
    const longRun = served(
      [
        [1, 66],
        [144, 83],
        [350, 87],
        [700, 100],
        [1095, 114],
      ],
      1095,
      50,
    );
    const memory = (current: RunFigures, before: RunFigures) =>
      compareFigures(current, before).comparisons.find((c) => c.kind === 'memory');

    expect(memory(longRun, shortRun)).toMatchObject({
      metric: 'Max Memory Used within 358 invocations of an environment',
      baseline: 82,
      current: 87,
      verdict: 'unchanged',
    });
    // The same count of requests served, 40 MB more from the first.
    const heavier = served(
      [
        [1, 106],
        [358, 122],
        [1095, 154],
      ],
      1095,
      50,
    );
    expect(memory(heavier, shortRun)).toMatchObject({ current: 122, verdict: 'regressed' });
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

describe('init measured apart from the run, the bundle and log volume per route', () => {
  // Figures of a run with nothing else in them: each test judges only what it is about.
  const bare = (): RunFigures => buildFigures({ runId: 'bare', parsed: [] });

  /** Ten cold starts of fresh environments: CPU time within a few percent, wall time all over. */
  function withInit(cpuMs: number, seed: number, wallMs = 600, emptyCpuMs = 45): RunFigures {
    return {
      ...bare(),
      init: {
        source: 'fresh environments',
        durationMs: durations(10, wallMs, seed + 2, wallMs * 0.3),
        cpuMs: durations(10, cpuMs, seed + 3, cpuMs * 0.05),
        referenceCpuMs: durations(10, emptyCpuMs, seed + 4, emptyCpuMs * 0.05),
      },
    };
  }
  const judged = (current: RunFigures, before: RunFigures) =>
    compareFigures(current, before).regressions.map(
      (r) => `${r.metric} ${r.statistic}${r.route ? ` on ${r.route}` : ''}`,
    );

  it('finds init 40% more CPU-costly, and nothing between two draws of the same however busy the host', () => {
    const before = withInit(210, 1);
    expect(judged(withInit(294, 5), before)).toEqual([
      'Init CPU time (fresh environments) p50',
      'Init CPU time (fresh environments) p95',
    ]);
    // Twice the wall time from a busy host, the same CPU time: nothing to judge.
    expect(judged(withInit(215, 9, 1300), before)).toEqual([]);
  });

  it('lets a host that makes every init 40% costlier pass, the empty function’s beside it too', () => {
    const before = withInit(210, 1);
    const costlierHost = withInit(294, 5, 600, 63);
    expect(judged(costlierHost, before)).toEqual([]);
    expect(compareFigures(costlierHost, before).comparisons.at(-1)?.text).toMatch(
      /; baseline ×1\.4\d, the host being/,
    );
  });

  it('fails a bundle twice the size, or one an SDK client bigger, and passes one a few KB bigger', () => {
    const sized = (bundleBytes: number): RunFigures => ({ ...bare(), bundleBytes });
    expect(judged(sized(480_000), sized(240_000))).toEqual(['bundle size value']);
    expect(judged(sized(277_000), sized(240_000))).toEqual(['bundle size value']);
    // The project's bundle with a CloudWatch Logs client built at init, as measured.
    expect(judged(sized(258_568), sized(240_443))).toEqual(['bundle size value']);
    expect(judged(sized(244_000), sized(240_000))).toEqual([]);
  });

  it('fails a route whose requests log many more lines and bytes, naming it; the others pass', () => {
    const volume = (lines: number, bytes: number) => ({ requests: 40, lines: 40 * lines, bytes: 40 * bytes });
    const before: RunFigures = {
      ...bare(),
      logsPerRoute: { 'GET /pets': volume(4, 800), 'GET /pets/{id}': volume(4, 805) },
    };
    const chatty: RunFigures = {
      ...before,
      logsPerRoute: { 'GET /pets': volume(24, 6200), 'GET /pets/{id}': volume(4, 812) },
    };
    expect(judged(chatty, before)).toEqual([
      'log lines per request value on GET /pets',
      'log bytes per request value on GET /pets',
    ]);
    expect(compareFigures(chatty, before).regressions[0]?.text).toMatch(
      /^log lines per request value on GET \/pets: 4\.00 lines → 24\.0 lines \(\+20\.0 lines, \+500%\)/,
    );
    expect(judged(before, chatty)).toEqual([]);
  });
});

describe('on a busier host', () => {
  const bare = (): RunFigures => buildFigures({ runId: 'bare', parsed: [] });
  /** A run whose route took around `ms`, on a host where the reference work took around `hostMs`. */
  const run = (ms: number, hostMs: number, seed: number): RunFigures => ({
    ...bare(),
    routes: { get: histogramOf(durations(60, ms, seed)) },
    host: { work: 'the same work', referenceMs: durations(30, hostMs, seed + 1, hostMs * 0.2) },
  });
  const regressed = (current: RunFigures, before: RunFigures) =>
    compareFigures(current, before).regressions.map((r) => `${r.metric} ${r.statistic}`);

  it('stretches the baseline’s latencies by how much busier: three times the load, three times the latency passes', () => {
    const before = run(20, 50, 1);
    const busier = run(60, 150, 2);

    expect(regressed(busier, before)).toEqual([]);
    expect(compareFigures(busier, before).host?.factor).toBeCloseTo(3, 0);
    // The same latency on a host as busy as the baseline's: a regression.
    expect(regressed(run(60, 50, 3), before)).toEqual(['k6 latency p50', 'k6 latency p95']);
  });

  it('still finds a route 100 ms slower on the busier host, saying the baseline was stretched', () => {
    const before = run(20, 50, 1);
    const { regressions } = compareFigures(run(160, 150, 4), before);

    expect(regressions.map((r) => `${r.metric} ${r.statistic}`)).toEqual([
      'k6 latency p50',
      'k6 latency p95',
    ]);
    expect(regressions[0]?.text).toMatch(/; baseline ×\d\.\d\d, the host being that much busier \[threshold/);
  });

  it('credits no quieter host: the baseline is never shrunk', () => {
    expect(compareFigures(run(20, 25, 5), run(20, 50, 1)).host?.factor).toBe(1);
  });
});
