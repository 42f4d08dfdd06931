import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { type EsbuildTarget, ensureBuilt, inputsFile, isStale } from './stale';

/** A build whose "esbuild" copies its inputs into one output, counting how often it ran. */
const names: string[] = [];

function fakeTarget(dir: string, inputs: string[]): EsbuildTarget & { builds: number } {
  const output = join(dir, 'out.js');
  const buildFile = join(dir, 'build-options.ts');
  writeFileSync(buildFile, '');
  const name = `stale-test-${process.pid}-${names.length}`;
  names.push(name);
  const target = {
    name,
    outputs: [output],
    buildFiles: [buildFile],
    builds: 0,
    async build(): Promise<Metafile> {
      target.builds += 1;
      writeFileSync(output, 'built');
      const entries = inputs.map((input) => [input, { bytes: 0, imports: [] }]);
      return { inputs: Object.fromEntries(entries), outputs: {} };
    },
  };
  return target;
}

function age(file: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, when, when);
}

describe('the stale check from esbuild’s inputs', () => {
  let dir: string;
  let input: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stale-'));
    input = join(dir, 'input.ts');
    writeFileSync(input, 'export {};');
    age(input, 60);
  });
  afterAll(() => {
    for (const name of names) rmSync(inputsFile(name), { force: true });
  });

  it('builds when nothing was built, then not again while every input is older than the output', async () => {
    const target = fakeTarget(dir, [input]);
    age(target.buildFiles[0] ?? '', 60);

    expect(await ensureBuilt(target)).toBe(true);
    expect(await ensureBuilt(target)).toBe(false);
    expect(target.builds).toBe(1);
  });

  it('is stale when an input the build read changed after it', async () => {
    const target = fakeTarget(dir, [input]);
    age(target.buildFiles[0] ?? '', 60);
    await ensureBuilt(target);
    age(target.outputs[0] ?? '', 30);

    writeFileSync(input, 'export const changed = true;');

    expect(await isStale(target)).toBe(true);
  });

  it('is stale when a file deciding how it is built changed, though esbuild never read it', async () => {
    const target = fakeTarget(dir, [input]);
    await ensureBuilt(target);
    age(target.outputs[0] ?? '', 30);

    writeFileSync(target.buildFiles[0] ?? '', '// new options');

    expect(await isStale(target)).toBe(true);
  });

  it('is stale when an input it read is gone', async () => {
    const gone = join(dir, 'gone.ts');
    const target = fakeTarget(dir, [input, gone]);
    age(target.buildFiles[0] ?? '', 60);
    writeFileSync(gone, '');
    age(gone, 60);
    await ensureBuilt(target);
    expect(await isStale(target)).toBe(false);

    rmSync(gone);

    expect(await isStale(target)).toBe(true);
  });

  it('ignores the virtual modules of plugins (namespace:path), which have no file', async () => {
    const target = fakeTarget(dir, [input, 'pets-handler:env-only-credentials']);
    age(target.buildFiles[0] ?? '', 60);
    await ensureBuilt(target);

    expect(await isStale(target)).toBe(false);
  });
});
