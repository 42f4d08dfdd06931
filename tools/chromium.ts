import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CannotRunError } from '../common/cli';
import { collectOutput, stopChild, trackChild } from '../common/processes';

/** Names a Chromium or Chrome binary goes by on PATH, in the order they are tried. */
export const CHROMIUM_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
] as const;

const HOW_TO_GET_CHROMIUM =
  'Chromium renders the report screenshot and runs the report test. Install it ' +
  '(Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium; macOS: brew install --cask chromium) ' +
  'or point CHROMIUM_BIN at a Chromium or Chrome binary.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` on `searchPath`, or undefined. */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The Chromium binary: `CHROMIUM_BIN` when set (it must exist), else the first of
 * {@link CHROMIUM_NAMES} on PATH. Chromium comes from the system's package manager, not the tool
 * cache, so a missing one is a CannotRunError that says how to install it.
 */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const configured = env.CHROMIUM_BIN;
  if (configured) {
    const path = resolve(configured);
    if (isExecutableFile(path)) return path;
    throw new CannotRunError(`CHROMIUM_BIN=${configured} is not an executable file. ${HOW_TO_GET_CHROMIUM}`);
  }
  for (const name of CHROMIUM_NAMES) {
    const found = findOnPath(name, env.PATH ?? '');
    if (found) return found;
  }
  throw new CannotRunError(
    `Chromium was not found on PATH (tried ${CHROMIUM_NAMES.join(', ')}). ${HOW_TO_GET_CHROMIUM}`,
  );
}

/**
 * Flags for a headless, offline, throwaway browser: no sandbox (containers and CI run as root),
 * no GPU, no background traffic (updates, sync, QUIC probing), and a fresh profile per run so
 * runs never share state or a profile lock.
 */
export function headlessArgs(userDataDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--hide-scrollbars',
    '--mute-audio',
    `--user-data-dir=${userDataDir}`,
  ];
}

interface ChromiumRun {
  stdout: string;
  stderr: string;
}

/** Runs headless Chromium once with a fresh profile, tracked so a signal stops it; rejects on a non-zero exit or timeout. */
async function runChromium(extraArgs: string[], timeoutMs: number): Promise<ChromiumRun> {
  const binary = await findChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'pets-harness-chromium-'));
  try {
    return await new Promise<ChromiumRun>((resolvePromise, reject) => {
      const child = trackChild(
        spawn(binary, [...headlessArgs(userDataDir), ...extraArgs], {
          // Its own process group: stopping it also stops its renderer and GPU helper processes.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      const output = collectOutput(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        void stopChild(child, 2000);
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) reject(new Error(`Chromium did not finish within ${timeoutMs} ms`));
        else if (code !== 0) {
          const tail = output.stderr.trim().split('\n').slice(-3).join(' | ');
          reject(new Error(`Chromium exited with ${signal ?? `code ${code}`}: ${tail}`));
        } else resolvePromise({ stdout: output.stdout, stderr: output.stderr });
      });
    });
  } finally {
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

export interface ScreenshotOptions {
  width?: number;
  height?: number;
  timeoutMs?: number;
}

/** A PNG of the page at `htmlPath` (a local file), `width` × `height` CSS pixels. */
export async function screenshotPage(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<string> {
  const { width = 1280, height = 2000, timeoutMs = 60_000 } = options;
  await runChromium(
    [
      `--screenshot=${resolve(pngPath)}`,
      `--window-size=${width},${height}`,
      pathToFileURL(resolve(htmlPath)).href,
    ],
    timeoutMs,
  );
  if (!isNonEmptyFile(pngPath)) throw new Error(`Chromium exited without writing ${pngPath}`);
  return resolve(pngPath);
}

/** The DOM of the page at `htmlPath` after Chromium rendered it (`--dump-dom`). */
export async function dumpDom(htmlPath: string, timeoutMs = 60_000): Promise<string> {
  const { stdout } = await runChromium(['--dump-dom', pathToFileURL(resolve(htmlPath)).href], timeoutMs);
  return stdout;
}

function isNonEmptyFile(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}
