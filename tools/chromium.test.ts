import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { TOOL_VERSIONS } from './cache';
import { ensureBrowser, findSystemBrowser } from './chromium';

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

describe('the browser from npm, once unpacked in the tool cache', () => {
  const savedCache = process.env.PETS_HARNESS_CACHE;
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'pets-harness-browser-cache-'));
    process.env.PETS_HARNESS_CACHE = cache;
  });
  afterEach(() => {
    if (savedCache === undefined) delete process.env.PETS_HARNESS_CACHE;
    else process.env.PETS_HARNESS_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
  });

  it('is reused as it is, nothing unpacked again, with its own libraries and fonts', async () => {
    const dir = join(cache, 'browser', TOOL_VERSIONS.browser);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'chromium'), '');

    const binary = await ensureBrowser({ npmOnly: true, quiet: true });

    expect(binary).toEqual({
      executablePath: join(dir, 'chromium'),
      source: 'npm',
      env: {
        LD_LIBRARY_PATH: expect.stringMatching(new RegExp(`^${dir}/lib:${dir}/swiftshader`)),
        FONTCONFIG_PATH: join(dir, 'fonts'),
      },
    });
    // Provisioning would have unpacked lib/, fonts/ and swiftshader/ beside it.
    expect(readdirSync(dir)).toEqual(['chromium']);
  });
});
