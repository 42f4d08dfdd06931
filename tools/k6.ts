import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { trackChild } from '../common/processes';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS, toolDir } from './cache';

/** Go needed to build the pinned k6 (its go.mod may ask for a newer toolchain; Go fetches that). */
const MIN_GO = { major: 1, minor: 24 } as const;

/** Everything `ensureK6` touches outside itself, so tests can drive each step of the order. */
export interface K6System {
  env: NodeJS.ProcessEnv;
  /** `<cache>/k6/<version>`, created on demand. */
  cacheDir(version: string): string;
  isExecutable(path: string): boolean;
  /** Output of `<path> version`, or undefined when it does not run. */
  k6Version(path: string): Promise<string | undefined>;
  /** Output of `go version`, or undefined when there is no Go. */
  goVersion(): Promise<string | undefined>;
  /** `go install go.k6.io/k6@<version>` with `GOBIN=<gobin>`. */
  goInstall(version: string, gobin: string): Promise<void>;
  log(line: string): void;
}

export interface GoVersion {
  major: number;
  minor: number;
  patch: number;
}

/** `go version go1.26.8 linux/amd64` (also `go1.24`, `go1.25rc1`, `devel go1.26-abc…`) → 1.26.8. */
export function parseGoVersion(output: string): GoVersion | undefined {
  const match = /\bgo(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

export function goIsRecentEnough(version: GoVersion): boolean {
  return version.major > MIN_GO.major || (version.major === MIN_GO.major && version.minor >= MIN_GO.minor);
}

/** `k6 v1.8.1 (go1.26.8, linux/amd64)` → 1; TypeScript scripts need k6 v1 or later. */
export function k6MajorVersion(output: string): number | undefined {
  const match = /\bk6 v(\d+)\.\d+/.exec(output);
  return match ? Number(match[1]) : undefined;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv, isExecutable: (path: string) => boolean) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function howToGetK6(version: string = TOOL_VERSIONS.k6, cacheBinary?: string): string {
  return [
    `k6 ${version} is needed and could not be found or built here. Any one of these fixes it:`,
    `  • install Go ${MIN_GO.major}.${MIN_GO.minor}+ (https://go.dev/dl/), then 'npm run tools' builds it: go install go.k6.io/k6@${version}`,
    `  • download the k6 ${version} release binary (https://github.com/grafana/k6/releases/tag/${version}) and put 'k6' on PATH`,
    '  • or install it with your package manager (https://grafana.com/docs/k6/latest/set-up/install-k6/)',
    '  • or point K6_BIN at a k6 v1.x binary',
    ...(cacheBinary ? [`  • or place the binary at ${cacheBinary}`] : []),
  ].join('\n');
}

function execOutput(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

function goInstall(version: string, gobin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = trackChild(
      spawn('go', ['install', `go.k6.io/k6@${version}`], {
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`go install go.k6.io/k6@${version} failed (${signal ?? `exit ${code}`}):\n${output}`),
        );
    });
  });
}

function systemK6(): K6System {
  return {
    env: process.env,
    cacheDir: (version) => toolDir('k6', version),
    isExecutable(path) {
      try {
        accessSync(path, constants.X_OK);
        return statSync(path).isFile();
      } catch {
        return false;
      }
    },
    k6Version: (path) => execOutput(path, ['version']),
    goVersion: () => execOutput('go', ['version']),
    goInstall,
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** Builds k6 into a private folder and moves the binary into place, so a killed build leaves nothing half-written. */
async function buildWithGo(system: K6System, version: string, target: string): Promise<void> {
  const gobin = `${system.cacheDir(version)}/.build-${process.pid}`;
  mkdirSync(gobin, { recursive: true });
  const step = startStep(`Building k6 ${version} with go install (about 3 minutes on 2 cores)`);
  const startedAt = Date.now();
  // The spinner shows time on a terminal; in CI this puts a line with the elapsed time in the log.
  const ticker = setInterval(() => {
    step.update(`compiling, ${Math.round((Date.now() - startedAt) / 1000)}s so far`);
  }, 5000);
  ticker.unref();
  try {
    await system.goInstall(version, gobin);
    renameSync(join(gobin, 'k6'), target);
    step.succeed(target);
  } catch (error) {
    step.fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
    throw new CannotRunError(
      `${error instanceof Error ? error.message : String(error)}\n\n${howToGetK6(version, target)}`,
    );
  } finally {
    clearInterval(ticker);
    rmSync(gobin, { recursive: true, force: true });
  }
}

/**
 * The k6 binary to run, in this order: `K6_BIN` → `k6` on PATH (v1 or later) → the tool cache
 * (`<cache>/k6/<version>/k6`) → built there with `go install` when Go ≥ 1.24 is present →
 * otherwise a CannotRunError that says how to get k6. Idempotent: once cached, nothing is built.
 */
export async function ensureK6(options: EnsureOptions = {}, system: K6System = systemK6()): Promise<string> {
  const version = TOOL_VERSIONS.k6;
  const say = (line: string) => {
    if (!options.quiet) system.log(line);
  };

  const explicit = system.env.K6_BIN?.trim();
  if (explicit) {
    if (system.isExecutable(explicit)) return explicit;
    throw new CannotRunError(
      `K6_BIN is set to '${explicit}', which is not an executable file.\n${howToGetK6(version)}`,
    );
  }

  const onPath = findOnPath('k6', system.env, (path) => system.isExecutable(path));
  if (onPath) {
    const output = await system.k6Version(onPath);
    const major = output === undefined ? undefined : k6MajorVersion(output);
    if (major !== undefined && major >= 1) return onPath;
    say(`Ignoring ${onPath} (${output ?? 'does not run'}): the TypeScript load scripts need k6 v1 or later.`);
  }

  const cached = join(system.cacheDir(version), 'k6');
  if (system.isExecutable(cached)) return cached;

  const goOutput = await system.goVersion();
  const go = goOutput === undefined ? undefined : parseGoVersion(goOutput);
  if (go && goIsRecentEnough(go)) {
    await buildWithGo(system, version, cached);
    return cached;
  }
  const found = goOutput === undefined ? 'no Go toolchain on PATH' : `found ${goOutput}, too old to build k6`;
  throw new CannotRunError(`${howToGetK6(version, cached)}\n(${found}.)`);
}
