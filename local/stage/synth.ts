import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { CannotRunError } from '../../common/cli';
import { PROJECT_ROOT } from '../../common/paths';
import { collectOutput, trackChild } from '../../common/processes';
import { functionSettings } from '../../definitions/function';
import { BASE_STACK_NAME } from '../../infra/names';

/** Where `npm run synth` and the stage find the stack's template. */
export const CDK_OUT = join(PROJECT_ROOT, 'cdk.out');
export const TEMPLATE_PATH = join(CDK_OUT, `${BASE_STACK_NAME}.template.json`);

// What the template is made from: the CDK app and what it reads, the bundle it packages, the CDK setup.
const SOURCE_DIRS = ['infra', 'definitions', 'contract'].map((dir) => join(PROJECT_ROOT, dir));
const SOURCE_FILES = [
  join(PROJECT_ROOT, functionSettings().bundleDir, 'index.js'),
  join(PROJECT_ROOT, 'cdk.json'),
  join(PROJECT_ROOT, 'package-lock.json'),
];

async function newestSourceMtime(): Promise<number> {
  let newest = 0;
  for (const file of SOURCE_FILES)
    newest = Math.max(newest, (await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
  for (const dir of SOURCE_DIRS) {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || path.endsWith('.test.ts') || relative(dir, path).startsWith('test/')) continue;
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}

/** Why the template must be synthesized, or undefined when it is up to date. */
export async function templateStaleness(path = TEMPLATE_PATH): Promise<string | undefined> {
  const built = (await stat(path).catch(() => undefined))?.mtimeMs;
  if (built === undefined) return 'missing';
  return built >= (await newestSourceMtime()) ? undefined : 'older than its sources';
}

/** `cdk synth --quiet` into `outDir` (offline: an environment-agnostic stack needs no account). */
async function cdkSynth(outDir: string): Promise<void> {
  const child = trackChild(
    spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk'), 'synth', '--quiet', '-o', outDir],
      {
        cwd: PROJECT_ROOT,
        // The app runs with `npx tsx`: on this Node, whatever else is first on PATH.
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) {
    const text = (output.stderr || output.stdout).trim();
    throw new CannotRunError(`cdk synth failed (exit ${code}): ${synthGist(text)}\n${text}`);
  }
}

/**
 * What stopped `cdk synth`, in one line for the step's line: a cdk-nag finding is its rule, the
 * resource and the finding's first sentence (its output starts with the source location, then
 * `WARNING <text>`, the construct path and `Acknowledge with '<pack>::<rule>'`); anything else,
 * its first line that is not a source location.
 */
export function synthGist(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  const finding = lines.findIndex((line) => /^(?:WARNING|ERROR)\s/.test(line));
  if (finding >= 0) {
    const sentence = (lines[finding] ?? '').replace(/^(?:WARNING|ERROR)\s+/, '').split(/(?<=\.)\s/)[0];
    const after = lines.slice(finding + 1, finding + 4);
    const path = after.find((line) => /^\S+\/\S+\s/.test(line) || /^\S+\/\S+$/.test(line))?.split(/\s/)[0];
    const rule = after.map((line) => /Acknowledge with '[^:]+::([^']+)'/.exec(line)?.[1]).find(Boolean);
    return `${rule ?? 'cdk-nag'}${path ? ` on ${path}` : ''}: ${sentence}`;
  }
  return lines.find((line) => line !== '' && !/^[\w./-]+:\d+(?::\d+)?$/.test(line)) ?? 'no output';
}

let pending: Promise<string> | undefined;

/**
 * `cdk.out/<stack>.template.json`, synthesized first when it is missing or older than what it is
 * made from (the bundle must exist: callers build it first). Synthesized into a directory beside
 * `cdk.out` and swapped in by rename, so concurrent stages never read a half-written template.
 */
export function ensureTemplate(log: (line: string) => void = () => undefined): Promise<string> {
  pending ??= (async () => {
    const stale = await templateStaleness();
    if (!stale) return TEMPLATE_PATH;
    log(`synthesizing ${relative(process.cwd(), TEMPLATE_PATH)} (${stale}): cdk synth, ~10 s`);
    const temp = `${CDK_OUT}.synth-${process.pid}-${Date.now().toString(36)}`;
    try {
      await cdkSynth(temp);
      const retired = `${CDK_OUT}.old-${process.pid}-${Date.now().toString(36)}`;
      if (existsSync(CDK_OUT)) await rename(CDK_OUT, retired).catch(() => undefined);
      // Another process may have swapped its fresh template in meanwhile: theirs serves as well.
      await rename(temp, CDK_OUT).catch(() => undefined);
      await rm(retired, { recursive: true, force: true });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    if (!existsSync(TEMPLATE_PATH)) throw new CannotRunError(`cdk synth wrote no ${TEMPLATE_PATH}`);
    return TEMPLATE_PATH;
  })().finally(() => {
    pending = undefined;
  });
  return pending;
}
