import { useSeededFunction } from './support/fixture';
import { checkAgainstModel } from './support/model';

// 300 sequences plus shrinking a counterexample can outlast the default 120 s on a busy machine.
jest.setTimeout(600_000);

/**
 * The long run of integration/support/model.ts: 300 random command sequences, the table compared
 * against the model after every step (model.test.ts runs 40 of them in `npm test`).
 */
const fixture = useSeededFunction('model-long');

it('keeps the table equal to the model after every step of 300 random command sequences', async () => {
  expect(await checkAgainstModel(fixture, 300)).toBeGreaterThanOrEqual(300);
});
