import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { ensureTestRunCrd, K6_OPERATOR } from './k6-operator';

describe('ensureTestRunCrd', () => {
  const saved = { cache: process.env.PETS_HARNESS_CACHE, proxy: process.env.GOPROXY };
  let cache: string;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'k6-operator-cache-'));
    process.env.PETS_HARNESS_CACHE = cache;
  });
  afterEach(() => {
    for (const [name, value] of [
      ['PETS_HARNESS_CACHE', saved.cache],
      ['GOPROXY', saved.proxy],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(cache, { recursive: true, force: true });
  });

  it('fails loudly, saying how to get it, when the Go module proxy cannot deliver the module', async () => {
    process.env.GOPROXY = 'off';
    const attempt = ensureTestRunCrd();

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(
      /go mod download github\.com\/grafana\/k6-operator@v0\.0\.19 failed[\s\S]*Go module proxy/,
    );
  });

  it('refuses a cached CRD whose checksum is not the pinned one', async () => {
    const dir = join(cache, 'k6-operator', K6_OPERATOR.version);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'k6.io_testruns.yaml'), 'kind: CustomResourceDefinition\n');

    await expect(ensureTestRunCrd()).rejects.toThrow(/does not have the pinned SHA-256/);
  });
});
