import { checkMemoryGrowth } from '../logcheck/growth';
import { checkHygiene } from '../logcheck/hygiene';
import { type Exercised, REAL_BUNDLE, useExercisedStages, variant } from './test/exercise';

/**
 * The log checks a comparison runs beside it, on real runs of the local stage
 * (compare/test/exercise.ts): the real bundle leaves them nothing, a bundle that logs the whole
 * event is named. The regressions on real runs (slower, heavier, leaking) are
 * regression.e2e.slow.test.ts, in the slow project.
 */
const stages = useExercisedStages('compare-logs');

describe('on the real bundle', () => {
  let real: Exercised;
  beforeAll(async () => {
    real = await stages.exercise('real', REAL_BUNDLE);
  }, 120_000);

  it('the real bundle leaves nothing for log hygiene or the growth check', () => {
    expect(checkHygiene(real.parsed, real.runId).findings).toEqual([]);
    expect(checkMemoryGrowth(real.parsed, real.runId, 10_000).violations).toEqual([]);
  });
});

describe('on purpose-built bundles', () => {
  it('a bundle that logs the whole event is named by log hygiene, with the request id and the field', async () => {
    const logsEvent = await stages.exercise('logs-event', variant('logs-event'), 2);
    const { findings, violations } = checkHygiene(logsEvent.parsed, logsEvent.runId);
    expect(violations.map((violation) => violation.check)).toEqual(
      expect.arrayContaining(['log-hygiene/whole-event', 'log-hygiene/secret-header']),
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'whole-event', field: 'event', requestId: expect.any(String) }),
        expect.objectContaining({ rule: 'secret-header', field: 'event.headers.authorization' }),
      ]),
    );
  }, 120_000);
});
