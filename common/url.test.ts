import { main as fuzzMain } from '../fuzz/cli';
import { main as loadMain } from '../load/runner/cli';
import { main as logsCheckMain } from '../logcheck/cli';
import { main as newmanMain } from '../postman/cli';
import { main as seedMain } from '../seed/cli';
import { baseUrlFlag, UsageError } from './cli';
import { parseBaseUrl, withoutTrailingSlash } from './url';

describe('a base URL', () => {
  it.each([
    ['http://127.0.0.1:3000/default', 'http://127.0.0.1:3000/default'],
    ['http://127.0.0.1:3000/default/', 'http://127.0.0.1:3000/default'],
    [
      'https://abc123.execute-api.eu-west-1.amazonaws.com/default//',
      'https://abc123.execute-api.eu-west-1.amazonaws.com/default',
    ],
    ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
    ['http://127.0.0.1:8000/', 'http://127.0.0.1:8000'],
    ['HTTPS://Pets.Example.com/v1', 'HTTPS://Pets.Example.com/v1'],
  ])('%s is kept as written without its trailing slashes: %s', (raw, expected) => {
    expect(parseBaseUrl(raw)).toEqual({ url: expected });
  });

  it.each([
    ['127.0.0.1:3000/default', 'is not a URL'],
    ['localhost:3000/default', 'is not an http(s) URL'],
    ['abc123/default', 'is not a URL'],
    ['ftp://example.com/default', 'is not an http(s) URL'],
    ['http://127.0.0.1:3000/default?stage=1', 'carries a query or fragment; a base URL has neither'],
    ['http://127.0.0.1:3000/default#top', 'carries a query or fragment; a base URL has neither'],
    ['', 'is not a URL'],
  ])('%s is refused: it %s', (raw, problem) => {
    expect(parseBaseUrl(raw)).toEqual({ problem });
  });

  it('as a flag is absent when not given, and a UsageError naming the flag when wrong', () => {
    expect(baseUrlFlag('base-url', undefined)).toBeUndefined();
    expect(baseUrlFlag('endpoint', 'http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000');
    expect(() => baseUrlFlag('endpoint', 'ftp://example.com')).toThrow(
      new UsageError("--endpoint must be an http(s) URL, got 'ftp://example.com' (it is not an http(s) URL)"),
    );
  });

  it('loses only the slashes it ends with', () => {
    expect(withoutTrailingSlash('http://h/a//b///')).toBe('http://h/a//b');
  });
});

describe('every command that takes a base URL', () => {
  it.each([
    ['newman', newmanMain, ['--base-url', 'ftp://example.com/default'], '--base-url'],
    ['load', loadMain, ['--base-url', 'ftp://example.com/default'], '--base-url'],
    ['fuzz', fuzzMain, ['--base-url', 'ftp://example.com/default'], '--base-url'],
    ['seed', seedMain, ['--endpoint', 'ftp://127.0.0.1:8000'], '--endpoint'],
    [
      'logs check',
      logsCheckMain,
      ['--run-id', 'r', '--since', '0', '--source', 'cloudwatch', '--endpoint', 'ftp://127.0.0.1:5000'],
      '--endpoint',
    ],
  ])(
    '%s refuses a URL that is not http(s) with a UsageError naming the flag',
    async (_name, main, argv, flag) => {
      await expect(main(argv)).rejects.toThrow(new RegExp(`^${flag} must be an http\\(s\\) URL`));
      await expect(main(argv)).rejects.toBeInstanceOf(UsageError);
    },
  );
});
