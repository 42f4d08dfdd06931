import { UsageError } from '../common/cli';
import { formatThreshold, margin, parseThreshold } from './thresholds';

describe('parseThreshold', () => {
  it.each([
    ['+20% and +5 ms', { relative: 0.2, absolute: 5 }],
    ['+20%,+5ms', { relative: 0.2, absolute: 5 }],
    ['20 %', { relative: 0.2, absolute: 0 }],
    ['+5 ms', { relative: 0, absolute: 5 }],
    ['+0.5s', { relative: 0, absolute: 500 }],
    ['12', { relative: 0, absolute: 12 }],
  ])('reads %s', (raw, expected) => {
    expect(parseThreshold('regression-latency', raw, 'latency')).toEqual(expected);
  });

  it.each(['', 'fast', '+5 MB', '+1% and +2% and +3 ms', '-20%'])('refuses %j naming the flag', (raw) => {
    expect(() => parseThreshold('regression-latency', raw, 'latency')).toThrow(UsageError);
    expect(() => parseThreshold('regression-latency', raw, 'latency')).toThrow(/--regression-latency/);
  });

  it('reads a ratio for the DynamoDB access figures, bare or with ×', () => {
    expect(parseThreshold('regression-access', '+50% and +0.5', 'access')).toEqual({
      relative: 0.5,
      absolute: 0.5,
    });
    expect(parseThreshold('regression-access', '+1x', 'access')).toEqual({ relative: 0, absolute: 1 });
    expect(formatThreshold({ relative: 0.5, absolute: 0.5 }, 'access')).toBe('+50% and +0.5 ×');
  });

  it.each([
    ['log-lines', '+50% and +2 lines', { relative: 0.5, absolute: 2 }],
    ['log-lines', '+1 line', { relative: 0, absolute: 1 }],
    ['log-bytes', '+300 B', { relative: 0, absolute: 300 }],
  ] as const)('reads %s in its own unit: %s', (kind, raw, expected) => {
    expect(parseThreshold(`regression-${kind}`, raw, kind)).toEqual(expected);
    expect(parseThreshold(`regression-${kind}`, formatThreshold(expected, kind), kind)).toEqual(expected);
    expect(() => parseThreshold(`regression-${kind}`, '+5 ms', kind)).toThrow(UsageError);
  });

  it('reads megabytes for memory', () => {
    expect(parseThreshold('regression-memory', '+10% and +16 MB', 'memory')).toEqual({
      relative: 0.1,
      absolute: 16,
    });
  });
});

describe('margin', () => {
  it('is the larger of the two parts: both must be exceeded', () => {
    const threshold = { relative: 0.2, absolute: 5 };
    expect(margin(threshold, 10)).toBe(5);
    expect(margin(threshold, 100)).toBe(20);
    expect(formatThreshold(threshold, 'latency')).toBe('+20% and +5 ms');
  });
});
