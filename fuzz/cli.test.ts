import { runHarness } from '../harness/test/process';

/** `pets-harness fuzz` as a real process: a wrong flag is named and exits 2 before anything starts. */
describe('pets-harness fuzz given a wrong flag', () => {
  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--time', 'forever'], /--time must be a whole number/],
    [['--time', '0'], /--time must be/],
    [['--base-url', 'localhost:3000'], /--base-url must be an http\(s\) URL, got 'localhost:3000'/],
    [['--run-id', '..'], /--run-id must be 1–128 letters/],
    [['--seed', 'lucky'], /--seed must be a whole number, got 'lucky'/],
  ])('exits 2 for %j and names the flag', async (argv, message) => {
    const result = await runHarness(['fuzz', ...argv]);

    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('answers --help with every flag and exits 0', async () => {
    const result = await runHarness(['fuzz', '--help']);

    expect(result.code).toBe(0);
    for (const flag of ['--base-url', '--time', '--run-id', '--seed', '--reports-dir']) {
      expect(result.stdout).toContain(flag);
    }
  });
});
