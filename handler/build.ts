import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../common/paths';
import { functionSettings } from '../definitions/function';

/** `dist/handler`: what CDK deploys and the local stage runs. */
export const BUNDLE_DIR = join(PROJECT_ROOT, functionSettings().bundleDir);
const ENTRY = join(PROJECT_ROOT, 'handler', 'index.ts');
// The bundle depends on these sources; tests and the build script itself do not go into it.
const SOURCE_DIRS = [join(PROJECT_ROOT, 'handler'), join(PROJECT_ROOT, 'definitions')];
const LOCKFILE = join(PROJECT_ROOT, 'package-lock.json');

/**
 * Builds `dist/handler/index.js` (+ `index.js.map`): one minified CommonJS file for Node 22 with the
 * AWS SDK bundled and tree-shaken (Lambda's built-in SDK is not relied on, so local and deployed
 * run the same code). Built into a temp directory beside the bundle and swapped in by rename, so a
 * stage or a deploy never reads a half-written bundle.
 */
export async function buildBundle(): Promise<{ dir: string; bytes: number }> {
  const distDir = join(BUNDLE_DIR, '..');
  await mkdir(distDir, { recursive: true });
  const tempDir = join(distDir, `.handler-build-${process.pid}-${Date.now().toString(36)}`);
  try {
    await build({
      entryPoints: [ENTRY],
      outfile: join(tempDir, 'index.js'),
      bundle: true,
      minify: true,
      sourcemap: true,
      // Source paths in the map relative to the project, not this machine.
      sourceRoot: '',
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // Prefer the ES module builds of the SDK and Powertools: they tree-shake, the CJS ones do not.
      mainFields: ['module', 'main'],
      legalComments: 'none',
      logLevel: 'silent',
    });
    const { size: bytes } = await stat(join(tempDir, 'index.js'));
    await swapInto(tempDir, BUNDLE_DIR);
    return { dir: BUNDLE_DIR, bytes };
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/** Replaces `target` with `source` by rename; the old bundle is removed after the swap. */
async function swapInto(source: string, target: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const retired = `${target}.old-${process.pid}-${Date.now().toString(36)}-${attempt}`;
    const hadTarget = await rename(target, retired).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    try {
      await rename(source, target);
      if (hadTarget) await rm(retired, { recursive: true, force: true });
      return;
    } catch (error) {
      // Another builder put its bundle in place between our two renames: try again.
      const code = (error as NodeJS.ErrnoException).code;
      if (hadTarget) await rm(retired, { recursive: true, force: true });
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || attempt >= 5) throw error;
    }
  }
}

/** Newest modification time (ms) of the bundle's sources. */
async function newestSourceMtime(): Promise<number> {
  let newest = (await stat(LOCKFILE).catch(() => undefined))?.mtimeMs ?? 0;
  for (const dir of SOURCE_DIRS) {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      const rel = relative(dir, path);
      if (!entry.isFile() || !rel.endsWith('.ts') || rel.endsWith('.test.ts')) continue;
      if (rel.startsWith(`test/`) || rel === 'build.ts') continue;
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

let pending: Promise<{ dir: string; rebuilt: boolean }> | undefined;

/** Builds the bundle only when a handler/ or definitions/ source is newer than it (or it is missing). */
export function ensureBundle(): Promise<{ dir: string; rebuilt: boolean }> {
  // One check at a time per process: concurrent callers share it.
  pending ??= (async () => {
    const bundleMtime = await Promise.all(
      ['index.js', 'index.js.map'].map((name) => stat(join(BUNDLE_DIR, name))),
    ).then(
      (stats) => Math.min(...stats.map((file) => file.mtimeMs)),
      () => -1,
    );
    if (bundleMtime >= 0 && bundleMtime >= (await newestSourceMtime())) {
      return { dir: BUNDLE_DIR, rebuilt: false };
    }
    await buildBundle();
    return { dir: BUNDLE_DIR, rebuilt: true };
  })().finally(() => {
    pending = undefined;
  });
  return pending;
}

if (require.main === module) {
  buildBundle().then(
    ({ dir, bytes }) => {
      console.log(
        `built ${relative(PROJECT_ROOT, dir)}/index.js: ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`,
      );
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
