import { useSeededFunction } from './support/fixture';
import { checkAgainstModel } from './support/model';

/**
 * The table against an in-memory model (integration/support/model.ts) over a few dozen random
 * command sequences: the shape of every step is checked on each `npm test`; the long run of 300
 * sequences is integration/model.slow.test.ts (`npm run test:slow`).
 */
const fixture = useSeededFunction('model');

it('keeps the table equal to the model after every step of 40 random command sequences', async () => {
  expect(await checkAgainstModel(fixture, 40)).toBeGreaterThanOrEqual(40);
});
