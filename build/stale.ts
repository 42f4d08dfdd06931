import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../common/paths';

/**
 * The one "rebuild only when stale" mechanism for everything esbuild builds here (the handler
 * bundle, the stage's runtime). A build keeps the list of files esbuild read (its metafile's
 * inputs) beside its outputs; it is stale when an output or that list is missing, or when one of
 * those inputs, or of the files that decide how it is built, is newer than its oldest output.
 */

export interface EsbuildTarget {
  /** Names the build's input list: `.pets-harness/build/<name>.inputs.json`. */
  name: string;
  /** What the build writes; the oldest of them dates the build. */
  outputs: string[];
  /**
   * Files that decide how it is built without esbuild reading them: the module holding the build
   * options, and package-lock.json (npm gives installed files a fixed date, so the lock is what
   * changes when a dependency does).
   */
  buildFiles: string[];
  /** Runs esbuild (with `metafile: true`, `absWorkingDir: PROJECT_ROOT`) and puts the outputs in place. */
  build(): Promise<Metafile>;
}

const INPUTS_DIR = join(PROJECT_ROOT, '.pets-harness', 'build');

export function inputsFile(name: string): string {
  return join(INPUTS_DIR, `${name}.inputs.json`);
}

async function mtime(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.mtimeMs;
}

/**
 * Files on disk among esbuild's inputs, relative to the project (plugins' virtual modules are
 * `namespace:path` and have none).
 */
function inputPaths(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).filter((input) => !/^[a-z-]+:/.test(input));
}

export async function isStale(target: EsbuildTarget): Promise<boolean> {
  const outputTimes = await Promise.all(target.outputs.map(mtime));
  if (outputTimes.some((time) => time === undefined)) return true;
  const builtAt = Math.min(...(outputTimes as number[]));
  const recorded = await readFile(inputsFile(target.name), 'utf8').then(
    (text) => JSON.parse(text) as string[],
    () => undefined,
  );
  if (recorded === undefined) return true;
  const inputs = [...recorded.map((path) => resolve(PROJECT_ROOT, path)), ...target.buildFiles];
  const inputTimes = await Promise.all(inputs.map(mtime));
  return inputTimes.some((time) => time === undefined || time > builtAt);
}

async function recordInputs(name: string, metafile: Metafile): Promise<void> {
  await mkdir(INPUTS_DIR, { recursive: true });
  const file = inputsFile(name);
  // Written beside and renamed, so a parallel reader never sees half a list.
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}`;
  await writeFile(temp, `${JSON.stringify(inputPaths(metafile), null, 2)}\n`);
  await rename(temp, file);
}

/** Builds the target and records what it read. */
export async function buildAndRecord(target: EsbuildTarget): Promise<void> {
  const metafile = await target.build();
  await recordInputs(target.name, metafile);
}

const pending = new Map<string, Promise<boolean>>();

/**
 * Builds the target only when it is stale; resolves whether it rebuilt. Concurrent callers in one
 * process share one check.
 */
export function ensureBuilt(target: EsbuildTarget): Promise<boolean> {
  let check = pending.get(target.name);
  if (!check) {
    check = (async () => {
      if (!(await isStale(target))) return false;
      await buildAndRecord(target);
      return true;
    })().finally(() => pending.delete(target.name));
    pending.set(target.name, check);
  }
  return check;
}
