import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { findChromium, headlessArgs } from './chromium';

describe('findChromium', () => {
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

  it('uses CHROMIUM_BIN when it names an executable', async () => {
    const binary = executable('my-chrome');

    await expect(findChromium({ CHROMIUM_BIN: binary, PATH: '' })).resolves.toBe(binary);
  });

  it('refuses a CHROMIUM_BIN that is not an executable file, saying how to install Chromium', async () => {
    const attempt = findChromium({ CHROMIUM_BIN: join(dir, 'missing'), PATH: '' });

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(
      /CHROMIUM_BIN=.*missing is not an executable file.*apt-get install chromium/,
    );
  });

  it.each(['chromium', 'chromium-browser', 'google-chrome'])('finds %s on PATH', async (name) => {
    const binary = executable(name, join(dir, 'bin'));

    await expect(findChromium({ PATH: `${join(dir, 'empty')}:${join(dir, 'bin')}` })).resolves.toBe(binary);
  });

  it('prefers chromium over google-chrome when both are on PATH', async () => {
    executable('google-chrome', join(dir, 'a'));
    const chromium = executable('chromium', join(dir, 'b'));

    await expect(findChromium({ PATH: `${join(dir, 'a')}:${join(dir, 'b')}` })).resolves.toBe(chromium);
  });

  it('skips a file of the right name that is not executable', async () => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'chromium'), 'not a program');

    await expect(findChromium({ PATH: join(dir, 'bin') })).rejects.toThrow(CannotRunError);
  });

  it('says how to install Chromium when none is on PATH', async () => {
    await expect(findChromium({ PATH: join(dir, 'empty') })).rejects.toThrow(
      /not found on PATH \(tried chromium, chromium-browser, google-chrome.*apt-get install chromium.*CHROMIUM_BIN/,
    );
  });
});

describe('headless Chromium flags', () => {
  it('run headless without sandbox, GPU, QUIC or background traffic, in the given fresh profile', () => {
    const args = headlessArgs('/tmp/profile-1');

    expect(args).toEqual(
      expect.arrayContaining([
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--user-data-dir=/tmp/profile-1',
      ]),
    );
  });
});
