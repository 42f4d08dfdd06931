import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../common/paths';
import { type EsbuildTarget, ensureBuilt } from './stale';

const ENTRY = join(PROJECT_ROOT, 'local', 'stage', 'runtime.ts');
const OUT_DIR = join(PROJECT_ROOT, '.pets-harness', 'stage-runtime');
const OUT_FILE = join(OUT_DIR, 'runtime.js');

const STAGE_RUNTIME: EsbuildTarget = {
  name: 'stage-runtime',
  outputs: [OUT_FILE],
  buildFiles: [__filename, join(PROJECT_ROOT, 'package-lock.json')],
  async build() {
    mkdirSync(OUT_DIR, { recursive: true });
    // Built beside the target and renamed, so parallel test workers never run a half-written file.
    const temp = join(OUT_DIR, `runtime.${process.pid}.${Date.now().toString(36)}.js`);
    const { metafile } = await build({
      entryPoints: [ENTRY],
      absWorkingDir: PROJECT_ROOT,
      metafile: true,
      outfile: temp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
    });
    renameSync(temp, OUT_FILE);
    return metafile;
  },
};

/**
 * The execution environment's entry (local/stage/runtime.ts) as one plain CommonJS file: child
 * processes then start with bare Node (no TypeScript loader in the init time) — rebuilt only when
 * a file it was built from changes.
 */
export async function ensureRuntimeBundle(): Promise<string> {
  await ensureBuilt(STAGE_RUNTIME);
  return OUT_FILE;
}
