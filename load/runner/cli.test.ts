import { exitCodeFor, UsageError } from '../../common/cli';
import { main } from './cli';

describe('pets-harness load', () => {
  it.each([
    [['--base-url', 'http://127.0.0.1:1/default', '--bogus'], /Unknown option '--bogus'/],
    [['--profile', 'smoke'], /--base-url is required/],
    [['--base-url', 'ftp://example.com'], /--base-url must be an http\(s\) URL/],
    [
      ['--base-url', 'http://127.0.0.1:1/default', '--profile', 'marathon'],
      /--profile must be one of smoke, load, stress, spike, soak, got 'marathon'/,
    ],
    [['--base-url', 'http://127.0.0.1:1/default', '--env', 'P95_MS'], /--env must look like NAME=VALUE/],
    [['--base-url', 'http://127.0.0.1:1/default', '--run-id', 'a b'], /--run-id may hold/],
  ])('rejects %j with a message naming the problem and exit code 2', async (argv, message) => {
    expect.assertions(3);
    const attempt = main(argv);

    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
    expect(exitCodeFor(await attempt.catch((error: unknown) => error))).toBe(2);
  });
});
