import { exitCodeFor, UsageError } from '../common/cli';
import { runHarness } from '../harness/test/process';
import { main } from './cli';

/**
 * `pets-harness fuzz` given a wrong flag: the flag is named and it exits 2 before anything starts.
 * One real process proves the exit code reaches the shell; the flags themselves are checked on the
 * command's main in this process (a process per flag cost seconds each and proved nothing more).
 */
describe('pets-harness fuzz given a wrong flag', () => {
  it('exits 2 as a real process and names the flag', async () => {
    const result = await runHarness(['fuzz', '--bogus']);

    expect(result.stderr).toMatch(/Unknown option '--bogus'/);
    expect(result.code).toBe(2);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--time', 'forever'], /--time must be a whole number/],
    [['--time', '0'], /--time must be/],
    [['--base-url', 'localhost:3000'], /--base-url must be an http\(s\) URL, got 'localhost:3000'/],
    [['--run-id', '..'], /--run-id must be 1–128 letters/],
    [['--seed', 'lucky'], /--seed must be a whole number, got 'lucky'/],
  ])('refuses %j with a usage error (exit 2) that names the flag', async (argv, message) => {
    const refused = main(argv).catch((error: unknown) => error);

    await expect(refused).resolves.toBeInstanceOf(UsageError);
    await expect(refused).resolves.toHaveProperty('message', expect.stringMatching(message));
    expect(exitCodeFor(await refused)).toBe(2);
  });

  it('answers --help with every flag and exits 0', async () => {
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => {
      printed.push(line);
    });
    try {
      await expect(main(['--help'])).resolves.toBe(0);
    } finally {
      log.mockRestore();
    }

    for (const flag of ['--base-url', '--time', '--run-id', '--seed', '--reports-dir']) {
      expect(printed.join('\n')).toContain(flag);
    }
  });
});
