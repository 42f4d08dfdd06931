import { exitCodeFor, UsageError } from '../../common/cli';
import { main, splitEmit } from './cli';

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
    [['--base-url', 'http://127.0.0.1:1/default', '--run-id', 'a b'], /--run-id must be/],
    [
      ['--base-url', 'http://127.0.0.1:1/default', '--runners', '0'],
      /--runners must be a whole number from 1 to 64/,
    ],
    [
      ['--base-url', 'http://127.0.0.1:1/default', '--emit', 'k6-operator'],
      /--emit needs a kind and a folder/,
    ],
    [
      ['--base-url', 'http://127.0.0.1:1/default', '--emit', 'helm', '/tmp/x'],
      /--emit must be one of k6-operator, got 'helm'/,
    ],
    [['--collect', '/tmp/x', '--base-url', 'http://127.0.0.1:1/default'], /--base-url does not apply/],
    [
      ['--collect', '/nonexistent-folder-of-outputs'],
      /--collect \/nonexistent-folder-of-outputs: no such folder/,
    ],
  ])('rejects %j with a message naming the problem and exit code 2', async (argv, message) => {
    expect.assertions(3);
    const attempt = main(argv);

    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
    expect(exitCodeFor(await attempt.catch((error: unknown) => error))).toBe(2);
  });
});

describe('splitEmit', () => {
  it('lifts the folder of --emit k6-operator DIR out of the flags', () => {
    expect(splitEmit(['--runners', '3', '--emit', 'k6-operator', 'k8s/', '--quiet'])).toEqual({
      argv: ['--runners', '3', '--emit', 'k6-operator', '--quiet'],
      emitDir: 'k8s/',
    });
    expect(splitEmit(['--emit=k6-operator', 'out'])).toEqual({
      argv: ['--emit=k6-operator'],
      emitDir: 'out',
    });
    expect(splitEmit(['--runners', '3'])).toEqual({ argv: ['--runners', '3'] });
  });
});
