import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../common/paths';
import { functionSettings } from '../definitions/function';
import { buildAndRecord, type EsbuildTarget, ensureBuilt } from './stale';

/** `dist/handler`: what CDK deploys and the local stage runs. */
export const BUNDLE_DIR = join(PROJECT_ROOT, functionSettings().bundleDir);
const ENTRY = join(PROJECT_ROOT, 'handler', 'index.ts');

/**
 * The DynamoDB client's default credential chain (`@aws-sdk/credential-provider-node`) carries SSO,
 * STS, web identity, ini/process files, login and container/IMDS providers plus the nested SSO/STS
 * clients they use: about a third of the bundle, all of which V8 parses on every cold start. In
 * Lambda the credentials of the execution role are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN — the runtime's reserved variables), which is the
 * chain's first link and the one it takes there; the local stage, the integration tests and the
 * cold-start bench pass environment credentials too. So in the bundle only, the chain resolves to
 * an env-only provider, build/env-only-credentials.ts (the unbundled code and the unit tests keep
 * the SDK's default chain). Without those variables it fails with an error that says what is
 * missing instead of falling through to providers that are not there; the handler logs it and
 * answers 500.
 */
const envOnlyCredentials: Plugin = {
  name: 'env-only-credentials',
  setup(plugin) {
    plugin.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: join(__dirname, 'env-only-credentials.ts'),
    }));
  },
};

/**
 * Builds `dist/handler/index.js` (+ `index.js.map`): one minified CommonJS file for Node 22 with the
 * AWS SDK bundled and tree-shaken (Lambda's built-in SDK is not relied on, so local and deployed
 * run the same code), its credential chain cut to the environment (see envOnlyCredentials). Built into a temp directory
 * beside the bundle and swapped in by rename, so a
 * stage or a deploy never reads a half-written bundle.
 */
export async function buildBundle(): Promise<{ dir: string; bytes: number; metafile: Metafile }> {
  const distDir = join(BUNDLE_DIR, '..');
  await mkdir(distDir, { recursive: true });
  const tempDir = join(distDir, `.handler-build-${process.pid}-${Date.now().toString(36)}`);
  try {
    const { metafile } = await build({
      entryPoints: [ENTRY],
      absWorkingDir: PROJECT_ROOT,
      metafile: true,
      outfile: join(tempDir, 'index.js'),
      bundle: true,
      minify: true,
      sourcemap: true,
      // The deployed function runs with --enable-source-maps, which makes Node read and parse the
      // map on every cold start. Stack traces need only the mappings: without the sources' text the
      // map is a third of the size and the load ~4 ms shorter (`npm run bench:cold`).
      sourcesContent: false,
      // Source paths in the map relative to the project, not this machine.
      sourceRoot: '',
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // Prefer the ES module builds of the SDK and Powertools: they tree-shake, the CJS ones do not
      // (with `main` first the bundle is twice the size).
      mainFields: ['module', 'main'],
      // The SDK's ES builds load Node built-ins lazily with `await import('node:http')` (the HTTP
      // handler on its first request; `node:async_hooks` in Powertools' invoke store), where their
      // CJS builds use `require`. Left as `import()` in this CommonJS bundle, the first request goes
      // through Node's ES module loader for one built-in: 2–5 ms more on the first answer in
      // `npm run bench:cold` (less in Lambda, whose runtime has that loader up already). Without
      // dynamic-import support esbuild emits `Promise.resolve().then(() => require(…))`: the same
      // module, still loaded only when first needed.
      supported: { 'dynamic-import': false },
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [envOnlyCredentials],
    });
    const { size: bytes } = await stat(join(tempDir, 'index.js'));
    await swapInto(tempDir, BUNDLE_DIR);
    return { dir: BUNDLE_DIR, bytes, metafile };
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

const HANDLER_BUNDLE: EsbuildTarget = {
  name: 'handler-bundle',
  outputs: ['index.js', 'index.js.map'].map((name) => join(BUNDLE_DIR, name)),
  buildFiles: [__filename, join(PROJECT_ROOT, 'package-lock.json')],
  build: async () => (await buildBundle()).metafile,
};

/** Builds the bundle only when a file it was built from is newer than it (or it is missing). */
export async function ensureBundle(): Promise<{ dir: string; rebuilt: boolean }> {
  return { dir: BUNDLE_DIR, rebuilt: await ensureBuilt(HANDLER_BUNDLE) };
}

if (require.main === module) {
  buildAndRecord(HANDLER_BUNDLE)
    .then(() => stat(join(BUNDLE_DIR, 'index.js')))
    .then(
      ({ size: bytes }) => {
        const dir = BUNDLE_DIR;
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
