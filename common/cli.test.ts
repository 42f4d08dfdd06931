import { runIdFlag, UsageError } from './cli';

describe('--run-id', () => {
  const neverCalled = () => {
    throw new Error('a given run id must not be replaced');
  };

  it.each(['20261130-031207-5c061a', 'ci-1234.retry_2', 'a', 'A'.repeat(128)])(
    'takes %s as given',
    (runId) => {
      expect(runIdFlag(runId, neverCalled)).toBe(runId);
    },
  );

  it('makes a new one when none is given', () => {
    expect(runIdFlag(undefined, () => 'made-1')).toBe('made-1');
  });

  it.each([
    ['..', 'climbs out of reports/'],
    ['.', 'names reports/ itself'],
    ['-rf', 'reads as a flag'],
    ['../escape', 'holds a slash'],
    ['a b', 'holds a space'],
    ['A'.repeat(129), 'is longer than the header allows'],
    ['', 'is empty'],
  ])('refuses %j, which %s, naming the flag', (runId) => {
    expect(() => runIdFlag(runId, neverCalled)).toThrow(UsageError);
    expect(() => runIdFlag(runId, neverCalled)).toThrow(/^--run-id must be 1–128 letters, digits/u);
  });
});
