/// <reference lib="dom" />
// The functions passed to evaluate() run in the browser, where the DOM is.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { ensureBrowser, findSystemBrowser, launchBrowser } from './chromium';

describe('findSystemBrowser', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'find-chromium-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function executable(name: string, folder = dir): string {
    mkdirSync(folder, { recursive: true });
    const path = join(folder, name);
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, 0o755);
    return path;
  }

  it('uses CHROMIUM_BIN when it names an executable', () => {
    const binary = executable('my-chrome');

    expect(findSystemBrowser({ CHROMIUM_BIN: binary, PATH: '' })).toEqual({
      executablePath: binary,
      source: 'CHROMIUM_BIN',
      env: {},
    });
  });

  it('refuses a CHROMIUM_BIN that is not an executable file, saying what else would do', () => {
    const attempt = () => findSystemBrowser({ CHROMIUM_BIN: join(dir, 'missing'), PATH: '' });

    expect(attempt).toThrow(CannotRunError);
    expect(attempt).toThrow(/CHROMIUM_BIN=.*missing is not an executable file.*@sparticuz\/chromium/);
  });

  it.each(['chromium', 'chromium-browser', 'google-chrome'])('finds %s on PATH', (name) => {
    const binary = executable(name, join(dir, 'bin'));

    expect(findSystemBrowser({ PATH: `${join(dir, 'empty')}:${join(dir, 'bin')}` })?.executablePath).toBe(
      binary,
    );
  });

  it('prefers chromium over google-chrome when both are on PATH', () => {
    executable('google-chrome', join(dir, 'a'));
    const chromium = executable('chromium', join(dir, 'b'));

    expect(findSystemBrowser({ PATH: `${join(dir, 'a')}:${join(dir, 'b')}` })?.executablePath).toBe(chromium);
  });

  it('skips a file of the right name that is not executable, and finds none', () => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'chromium'), 'not a program');

    expect(findSystemBrowser({ PATH: join(dir, 'bin') })).toBeUndefined();
  });
});

describe('the browser from npm, on a machine without one', () => {
  const savedCache = process.env.PETS_HARNESS_CACHE;
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'pets-harness-browser-cache-'));
    process.env.PETS_HARNESS_CACHE = cache;
  });
  afterAll(() => {
    if (savedCache === undefined) delete process.env.PETS_HARNESS_CACHE;
    else process.env.PETS_HARNESS_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
  });

  it('is unpacked into an empty tool cache from the npm registry and renders a page', async () => {
    const binary = await ensureBrowser({ npmOnly: true, quiet: true });

    expect(binary.source).toBe('npm');
    expect(binary.executablePath.startsWith(join(cache, 'browser'))).toBe(true);
    expect(existsSync(join(cache, 'browser', '153.0.0', 'fonts', 'fonts.conf'))).toBe(true);
    const browser = await launchBrowser(binary);
    try {
      const page = await browser.newPage();
      await page.setContent('<h1 style="color: rgb(1, 2, 3)">pets</h1>');
      expect(await page.locator('h1').evaluate((h1) => getComputedStyle(h1).color)).toBe('rgb(1, 2, 3)');
      expect(browser.version()).toMatch(/^\d+\./);
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('is reused from the cache once unpacked (no second download)', async () => {
    const first = await ensureBrowser({ npmOnly: true, quiet: true });
    const marker = join(cache, 'browser', '153.0.0', 'chromium');

    const second = await ensureBrowser({ npmOnly: true, quiet: true });

    expect(second).toEqual(first);
    expect(existsSync(marker)).toBe(true);
  }, 300_000);
});
