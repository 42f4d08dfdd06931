import { startHostSampler } from './host-load';
import { waitUntil } from './wait';

/** Whether a process with this id still runs (signal 0 only asks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startHostSampler', () => {
  it('times the same piece of work again and again until stopped, then stops its process', async () => {
    const sampler = startHostSampler(50);
    const pid = sampler.pid ?? Number.NaN;
    expect(running(pid)).toBe(true);
    const seen = await waitUntil(sampler.samplesSoFar, (samples) => samples.length >= 2, {
      what: 'two samples of the reference work',
      timeoutMs: 20_000,
    });

    const samples = await sampler.stop();

    expect(samples.slice(0, seen.length)).toEqual(seen);
    for (const ms of samples) expect(ms).toBeGreaterThan(0);
    expect(running(pid)).toBe(false);
    // Stopped: its samples are final, and asking again gives them.
    expect(sampler.samplesSoFar()).toEqual(samples);
    expect(await sampler.stop()).toEqual(samples);
  });
});
