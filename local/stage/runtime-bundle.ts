import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../common/paths';

const SOURCES = ['runtime.ts', 'protocol.ts', 'lambda-log.ts', 'channel.ts', 'in-flight.ts'].map((file) =>
  join(__dirname, file),
);
const OUT_DIR = join(PROJECT_ROOT, '.pets-harness', 'stage-runtime');
const OUT_FILE = join(OUT_DIR, 'runtime.js');

let pending: Promise<string> | undefined;

function upToDate(): boolean {
  if (!existsSync(OUT_FILE)) return false;
  const built = statSync(OUT_FILE).mtimeMs;
  return [...SOURCES, join(PROJECT_ROOT, 'local', 'logs', 'index.ts')].every(
    (file) => statSync(file).mtimeMs <= built,
  );
}

/**
 * The execution environment's entry as one plain CommonJS file: child processes then start with
 * bare Node (no TypeScript loader in the init time) — built once, again only when its sources change.
 */
export function ensureRuntimeBundle(): Promise<string> {
  pending ??= (async () => {
    if (upToDate()) return OUT_FILE;
    mkdirSync(OUT_DIR, { recursive: true });
    // Built beside the target and renamed, so parallel test workers never run a half-written file.
    const temp = join(OUT_DIR, `runtime.${process.pid}.${Date.now().toString(36)}.js`);
    await build({
      entryPoints: [join(__dirname, 'runtime.ts')],
      outfile: temp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
    });
    renameSync(temp, OUT_FILE);
    return OUT_FILE;
  })().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
