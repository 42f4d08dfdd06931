import type { LogEvent } from '../local/logs/index';
import { checkMemoryGrowth, estimateGrowth, MIN_INVOCATIONS } from './growth';
import { parseEvents } from './parse';

const RUN = 'run-growth';

/** An environment's invocations: a request line naming the run and a REPORT line each. */
function environment(stream: string, memory: readonly number[], memorySizeMb = 256): LogEvent[] {
  return memory.flatMap((mb, i) => {
    const requestId = `${stream}-req-${i}`;
    const timestamp = 1_800_000_000_000 + i * 10;
    return [
      {
        logStreamName: stream,
        timestamp,
        ingestionTime: timestamp,
        message: JSON.stringify({
          message: 'request completed',
          function_request_id: requestId,
          run_id: RUN,
        }),
      },
      {
        logStreamName: stream,
        timestamp: timestamp + 1,
        ingestionTime: timestamp + 1,
        message: `REPORT RequestId: ${requestId}\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: ${memorySizeMb} MB\tMax Memory Used: ${mb} MB`,
      },
    ];
  });
}

/** What the real bundle does here: steps up while warming, then flat (measured 66 → 75 MB over 244 invocations). */
const warmUp = Array.from({ length: 240 }, (_, i) => Math.min(75, 66 + Math.floor(Math.sqrt(i) * 0.8)));
/** A leak of 0.25 MB per invocation. */
const leaking = Array.from({ length: 240 }, (_, i) => Math.round(66 + i * 0.25));

describe('checkMemoryGrowth', () => {
  it('finds a leak that would reach the memory size within the horizon, naming the environment', () => {
    const { violations, estimates } = checkMemoryGrowth(
      parseEvents(environment('leaky', leaking)),
      RUN,
      10_000,
    );
    expect(estimates[0]?.steady).toBe(true);
    expect(estimates[0]?.slopeMbPerInvocation).toBeCloseTo(0.25, 1);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.check).toBe('memory-growth');
    expect(violations[0]?.message).toMatch(
      /environment leaky: .*0\.25\d? MB per invocation .*would reach the 256 MB memory size in about \d{3} more invocations/,
    );
  });

  it('does not call the climb of a collected heap a leak (the real bundle over 1,500 invocations here)', () => {
    // Measured on the stage: 66, 75, 77, 81, 85, 87, 97, 110, 113, 113, 115, 121 MB at 0…1,500.
    const marks: [number, number][] = [
      [0, 66],
      [50, 75],
      [100, 77],
      [150, 81],
      [200, 85],
      [300, 87],
      [400, 97],
      [600, 110],
      [800, 113],
      [1000, 113],
      [1200, 115],
      [1500, 121],
    ];
    const measured = Array.from({ length: 1500 }, (_, i) => {
      const next = marks.findIndex(([at]) => at > i);
      const [fromAt, fromMb] = marks[next - 1] as [number, number];
      const [toAt, toMb] = marks[next] as [number, number];
      return Math.round(fromMb + ((toMb - fromMb) * (i - fromAt)) / (toAt - fromAt));
    });
    const { violations, estimates } = checkMemoryGrowth(
      parseEvents(environment('real', measured)),
      RUN,
      10_000,
    );
    expect(estimates[0]?.note).toMatch(/within the 32 MB a collected heap may climb/);
    expect(violations).toEqual([]);
  });

  it('does not call a warm-up that levels off a leak', () => {
    const { violations, estimates } = checkMemoryGrowth(
      parseEvents(environment('warm', warmUp)),
      RUN,
      10_000,
    );
    expect(estimates[0]?.steady).toBe(false);
    expect(violations).toEqual([]);
  });

  it('leaves a slow leak alone when the horizon is shorter than its reach', () => {
    // 1 MB every 40 invocations (66 → 133 MB): about 4,900 more to reach 256 MB.
    const slow = Array.from({ length: 2700 }, (_, i) => 66 + Math.floor(i / 40));
    expect(checkMemoryGrowth(parseEvents(environment('slow', slow)), RUN, 4_000).violations).toEqual([]);
    expect(checkMemoryGrowth(parseEvents(environment('slow', slow)), RUN, 10_000).violations).toHaveLength(1);
  });

  it('judges each environment on its own', () => {
    const parsed = parseEvents([...environment('a', warmUp), ...environment('b', leaking)]);
    const { estimates, violations } = checkMemoryGrowth(parsed, RUN, 10_000);
    expect(estimates.map((estimate) => estimate.logStreamName).sort()).toEqual(['a', 'b']);
    expect(violations.map((violation) => violation.message.split(':')[0])).toEqual(['environment b']);
  });

  it('says when an environment served too few invocations to judge', () => {
    const estimate = estimateGrowth({
      logStreamName: 's',
      memorySizeMb: 256,
      maxMemoryUsedMb: leaking.slice(0, MIN_INVOCATIONS - 1),
      lastRequestId: 'x',
    });
    expect(estimate.slopeMbPerInvocation).toBeUndefined();
    expect(estimate.note).toMatch(/too few/);
  });
});
