import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { freeLoopbackPort } from '../common/net';
import { ensureMoto, motoVenvDir } from '../tools/moto';

describe('ensureMoto', () => {
  const savedCache = process.env.PETS_HARNESS_CACHE;
  let cache: string;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'moto-cache-'));
  });

  afterEach(() => {
    if (savedCache === undefined) delete process.env.PETS_HARNESS_CACHE;
    else process.env.PETS_HARNESS_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
  });

  it('keeps the virtualenv in the tool cache', () => {
    process.env.PETS_HARNESS_CACHE = cache;
    expect(motoVenvDir()).toBe(join(cache, 'moto-venv'));
  });

  it('says how to get Python when there is none on a fresh machine', async () => {
    process.env.PETS_HARNESS_CACHE = cache;

    const ensuring = ensureMoto({ quiet: true, pythonCandidates: [join(cache, 'no-python3')] });

    await expect(ensuring).rejects.toBeInstanceOf(CannotRunError);
    await expect(ensuring).rejects.toThrow(/apt-get install python3 python3-venv/);
  });
});

describe('freeLoopbackPort', () => {
  it('hands out a loopback port that nothing listens on', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
