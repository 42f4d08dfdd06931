import { checkMemoryGrowth } from '../logcheck/growth';
import { compareFigures, DEFAULT_SETTINGS } from './compare';
import { buildFigures, type RunFigures } from './figures';
import { type Exercised, REAL_BUNDLE, useExercisedStages, variant } from './test/exercise';

/**
 * The comparison and the growth check on real runs of the local stage (compare/test/exercise.ts):
 * each purpose-built variant fails against a baseline of the real bundle and passes against itself,
 * with this machine's noise. Hundreds of requests and 24 cold starts, and judged on timing: the
 * slow project, run alone (`npm run test:slow`). logs.e2e.test.ts keeps the log checks on a
 * real run in `npm test`, compare.test.ts the comparison on synthetic figures.
 */
const stages = useExercisedStages('compare');

const COLD_STARTS = 8;

/** Init Duration of `COLD_STARTS` fresh stages on `bundleDir`, one request each. */
async function coldStarts(name: string, bundleDir: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++)
    samples.push(...(await stages.exercise(`${name}-${i}`, bundleDir, 1)).figures.lambda.initDurationMs);
  return samples;
}

function initRegressions(current: number[], baseline: number[]): string[] {
  const only = (initDurationMs: number[]): RunFigures => ({
    ...buildFigures({ runId: 'none', parsed: [] }),
    lambda: { ...buildFigures({ runId: 'none', parsed: [] }).lambda, initDurationMs },
  });
  // With a distribution a side the test handles the noise; the threshold says what size matters.
  const settings = {
    ...DEFAULT_SETTINGS,
    thresholds: { ...DEFAULT_SETTINGS.thresholds, init: { relative: 0.2, absolute: 150 } },
  };
  return compareFigures(only(current), only(baseline), settings).regressions.map(
    (r) => `${r.metric} ${r.statistic}`,
  );
}

function regressed(current: Exercised, baseline: Exercised): string[] {
  return compareFigures(current.figures, baseline.figures).regressions.map(
    (r) => `${r.metric} ${r.statistic}${r.route ? ` on ${r.route}` : ''}`,
  );
}

describe('against a baseline from the real bundle', () => {
  let real: Exercised;
  beforeAll(async () => {
    real = await stages.exercise('real', REAL_BUNDLE);
  }, 120_000);

  it('the real bundle again passes', async () => {
    expect(regressed(await stages.exercise('real-again', REAL_BUNDLE), real)).toEqual([]);
  }, 120_000);

  it('a bundle 100 ms slower on GET /pets/{id} fails, naming the metric and the route; against itself it passes', async () => {
    const slower = await stages.exercise('slower', variant('slower'));
    expect(regressed(slower, real)).toEqual(
      expect.arrayContaining(['Lambda Duration p50 on GET /pets/{id}']),
    );
    expect(regressed(slower, real).some((name) => name.includes('GET /pets '))).toBe(false);
    expect(regressed(await stages.exercise('slower-again', variant('slower')), slower)).toEqual([]);
  }, 180_000);

  it('a bundle 500 ms heavier at init fails on Init Duration; against itself it passes', async () => {
    // One cold start a stage says little on a shared machine: eight a side make it a distribution.
    const realInit = await coldStarts('real-cold', REAL_BUNDLE);
    const heavier = await coldStarts('heavier', variant('heavier-init'));
    expect(initRegressions(heavier, realInit)).toEqual(expect.arrayContaining(['Init Duration p50']));
    expect(initRegressions(await coldStarts('heavier-again', variant('heavier-init')), heavier)).toEqual([]);
  }, 300_000);
});

describe('on a purpose-built bundle', () => {
  it('a bundle that keeps 512 KiB per invocation is found by the growth check', async () => {
    const leaking = await stages.exercise('leaking', variant('leaking'), 100);
    const { violations } = checkMemoryGrowth(leaking.parsed, leaking.runId, 10_000);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(
      /Max Memory Used grows 0\.\d+ MB per invocation .* would reach the 256 MB memory size in about [\d,]+ more invocations/,
    );
  }, 180_000);
});
