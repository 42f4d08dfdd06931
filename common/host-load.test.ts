import { startHostSampler } from './host-load';

describe('startHostSampler', () => {
  it('times the same piece of work again and again until stopped, then stops its process', async () => {
    const sampler = startHostSampler(50);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const samples = await sampler.stop();

    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const ms of samples) expect(ms).toBeGreaterThan(0);
    // Stopped: asking again gives the same samples, none added.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sampler.stop()).toEqual(samples);
  });
});
