import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { PROJECT_ROOT } from '../common/paths';
import { functionSettings } from '../definitions/function';

/** `dist/handler`: what CDK deploys and the local stage runs. */
export const BUNDLE_DIR = join(PROJECT_ROOT, functionSettings().bundleDir);
const ENTRY = join(PROJECT_ROOT, 'handler', 'index.ts');
// The bundle depends on these sources (tests do not go into it) and on this file's build options
// (the credential plugin below), so a change to either rebuilds it.
const SOURCE_DIRS = [join(PROJECT_ROOT, 'handler'), join(PROJECT_ROOT, 'definitions')];
const LOCKFILE = join(PROJECT_ROOT, 'package-lock.json');

/**
 * The DynamoDB client's default credential chain (`@aws-sdk/credential-provider-node`) carries SSO,
 * STS, web identity, ini/process files, login and container/IMDS providers plus the nested SSO/STS
 * clients they use: about a third of the bundle, all of which V8 parses on every cold start. In
 * Lambda the credentials of the execution role are always in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN — the runtime's reserved variables), which is the
 * chain's first link and the one it takes there; the local stage, the integration tests and the
 * cold-start bench pass environment credentials too. So in the bundle only, the chain resolves to
 * this env-only provider (the unbundled code and the unit tests keep the SDK's default chain).
 * Without those variables it fails with an error that says what is missing instead of falling
 * through to providers that are not there; the handler logs it and answers 500.
 */
const ENV_ONLY_CREDENTIALS = `
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { CredentialsProviderError } from '@smithy/core/config';
export const defaultProvider = (init = {}) => {
  const fromEnvironment = fromEnv(init);
  return async () => {
    try {
      return await fromEnvironment();
    } catch {
      throw new CredentialsProviderError(
        'No AWS credentials: this function reads them only from the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), which the Lambda runtime sets from the execution role; set them when running the bundle elsewhere',
        { tryNextLink: false, logger: init.logger },
      );
    }
  };
};
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;
`;

const envOnlyCredentials: Plugin = {
  name: 'env-only-credentials',
  setup(plugin) {
    plugin.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: 'env-only-credentials',
      namespace: 'pets-handler',
    }));
    plugin.onLoad({ filter: /^env-only-credentials$/, namespace: 'pets-handler' }, () => ({
      contents: ENV_ONLY_CREDENTIALS,
      loader: 'js',
      // Its imports resolve from the project's node_modules like the SDK's own.
      resolveDir: PROJECT_ROOT,
    }));
  },
};

/**
 * Builds `dist/handler/index.js` (+ `index.js.map`): one minified CommonJS file for Node 22 with the
 * AWS SDK bundled and tree-shaken (Lambda's built-in SDK is not relied on, so local and deployed
 * run the same code), its credential chain cut to the environment (see ENV_ONLY_CREDENTIALS). Built into a temp directory beside the bundle and swapped in by rename, so a
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
      if (rel.startsWith(`test/`)) continue;
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
