import { WaitTimeoutError, waitUntil } from './wait';

describe('waitUntil', () => {
  it('returns the first value that satisfies the condition, without waiting further', async () => {
    let reads = 0;
    const startedAt = Date.now();

    const value = await waitUntil(
      () => {
        reads += 1;
        return reads;
      },
      (count) => count === 3,
      { what: 'the third read', timeoutMs: 5_000, intervalMs: 10 },
    );

    expect(value).toBe(3);
    expect(reads).toBe(3);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('awaits an asynchronous read', async () => {
    const value = await waitUntil(
      async () => 'ready',
      (state) => state === 'ready',
      {
        what: 'ready',
        timeoutMs: 1_000,
      },
    );

    expect(value).toBe('ready');
  });

  it('fails once the deadline passes, naming what it waited for and the last value read', async () => {
    const wait = waitUntil(
      () => ({ state: 'S' }),
      (stat) => stat.state === 'T',
      {
        what: 'the environment to stop',
        timeoutMs: 60,
        intervalMs: 10,
      },
    );

    await expect(wait).rejects.toThrow(WaitTimeoutError);
    await expect(wait).rejects.toThrow('waited 60 ms for the environment to stop; last read: {"state":"S"}');
  });

  it('reads at least once even with no time left', async () => {
    await expect(waitUntil(() => true, Boolean, { what: 'true', timeoutMs: 0 })).resolves.toBe(true);
  });
});
