import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { TOOL_VERSIONS } from './cache';
import { ensureK6, goIsRecentEnough, type K6System, k6MajorVersion, parseGoVersion } from './k6';

/** A fake machine: which paths are executable, what `k6 version` and `go version` print. */
function fakeSystem(
  root: string,
  machine: {
    env?: NodeJS.ProcessEnv;
    executables?: string[];
    k6Versions?: Record<string, string>;
    goVersion?: string;
  } = {},
) {
  const executables = new Set(machine.executables ?? []);
  const installs: { version: string; gobin: string }[] = [];
  const logs: string[] = [];
  const system: K6System = {
    env: machine.env ?? { PATH: '' },
    cacheDir(version) {
      const dir = join(root, 'k6', version);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    isExecutable: (path) => executables.has(path) || (path.startsWith(root) && existsSync(path)),
    k6Version: async (path) => machine.k6Versions?.[path],
    goVersion: async () => machine.goVersion,
    async goInstall(version, gobin) {
      installs.push({ version, gobin });
      writeFileSync(join(gobin, 'k6'), `built ${version}`);
    },
    log: (line) => logs.push(line),
  };
  return { system, installs, logs };
}

describe('ensureK6', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'k6-tool-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const cached = () => join(root, 'k6', TOOL_VERSIONS.k6, 'k6');

  it('uses K6_BIN first, before PATH and the cache', async () => {
    const { system, installs } = fakeSystem(root, {
      env: { K6_BIN: '/opt/k6/k6', PATH: '/usr/bin' },
      executables: ['/opt/k6/k6', '/usr/bin/k6'],
      k6Versions: { '/usr/bin/k6': 'k6 v1.8.1 (go1.26.8, linux/amd64)' },
      goVersion: 'go version go1.26.8 linux/amd64',
    });

    await expect(ensureK6({ quiet: true }, system)).resolves.toBe('/opt/k6/k6');
    expect(installs).toHaveLength(0);
  });

  it('rejects a K6_BIN that is not an executable file, naming it', async () => {
    const { system } = fakeSystem(root, { env: { K6_BIN: '/nowhere/k6', PATH: '' } });

    await expect(ensureK6({ quiet: true }, system)).rejects.toThrow(CannotRunError);
    await expect(ensureK6({ quiet: true }, system)).rejects.toThrow(/K6_BIN is set to '\/nowhere\/k6'/);
  });

  it('uses a k6 v1 on PATH before the cache', async () => {
    mkdirSync(join(root, 'k6', TOOL_VERSIONS.k6), { recursive: true });
    writeFileSync(cached(), 'cached');
    const { system } = fakeSystem(root, {
      env: { PATH: ['/nope', '/usr/local/bin'].join(':') },
      executables: ['/usr/local/bin/k6'],
      k6Versions: { '/usr/local/bin/k6': 'k6 v1.2.0 (go1.24.1, linux/amd64)' },
    });

    await expect(ensureK6({ quiet: true }, system)).resolves.toBe('/usr/local/bin/k6');
  });

  it('skips a k6 older than v1 on PATH, says why, and uses the cache', async () => {
    mkdirSync(join(root, 'k6', TOOL_VERSIONS.k6), { recursive: true });
    writeFileSync(cached(), 'cached');
    const { system, logs } = fakeSystem(root, {
      env: { PATH: '/usr/bin' },
      executables: ['/usr/bin/k6'],
      k6Versions: { '/usr/bin/k6': 'k6 v0.49.0 (go1.21.6, linux/amd64)' },
    });

    await expect(ensureK6({}, system)).resolves.toBe(cached());
    expect(logs.join('\n')).toMatch(/Ignoring \/usr\/bin\/k6 .*v0\.49\.0.*need k6 v1 or later/);
  });

  it('uses the cached binary without building when it is there (idempotent)', async () => {
    mkdirSync(join(root, 'k6', TOOL_VERSIONS.k6), { recursive: true });
    writeFileSync(cached(), 'cached');
    const { system, installs } = fakeSystem(root, { goVersion: 'go version go1.26.8 linux/amd64' });

    await expect(ensureK6({ quiet: true }, system)).resolves.toBe(cached());
    await expect(ensureK6({ quiet: true }, system)).resolves.toBe(cached());
    expect(installs).toHaveLength(0);
  });

  it('builds the pinned version with go install into the cache when Go is recent enough, once', async () => {
    const { system, installs } = fakeSystem(root, { goVersion: 'go version go1.24.0 linux/arm64' });

    await expect(ensureK6({ quiet: true }, system)).resolves.toBe(cached());
    await expect(ensureK6({ quiet: true }, system)).resolves.toBe(cached());

    expect(installs).toHaveLength(1);
    expect(installs[0]?.version).toBe(TOOL_VERSIONS.k6);
    expect(readFileSync(cached(), 'utf8')).toBe(`built ${TOOL_VERSIONS.k6}`);
    // The private build folder is gone: only the binary stays in the cache.
    expect(existsSync(installs[0]?.gobin ?? '')).toBe(false);
  });

  it('turns a failed go install into a CannotRunError with the how-to, leaving no binary behind', async () => {
    const { system } = fakeSystem(root, { goVersion: 'go version go1.26.8 linux/amd64' });
    system.goInstall = async () => {
      throw new Error('go install go.k6.io/k6@v1.8.1 failed (exit 1): proxy unreachable');
    };

    await expect(ensureK6({ quiet: true }, system)).rejects.toThrow(
      /proxy unreachable[\s\S]*download the k6 v\d+\.\d+\.\d+ release binary/,
    );
    expect(existsSync(cached())).toBe(false);
  });

  it.each([
    ['there is no Go', undefined, /no Go toolchain on PATH/],
    ['Go is older than 1.24', 'go version go1.22.5 linux/amd64', /found go version go1\.22\.5.*too old/],
  ])('says exactly how to get k6 when %s', async (_case, goVersion, reason) => {
    const { system } = fakeSystem(root, { goVersion });

    const attempt = ensureK6({ quiet: true }, system);

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(ensureK6({ quiet: true }, system)).rejects.toThrow(reason);
    await expect(ensureK6({ quiet: true }, system)).rejects.toThrow(
      new RegExp(`go install go\\.k6\\.io/k6@${TOOL_VERSIONS.k6.replace(/\./g, '\\.')}[\\s\\S]*K6_BIN`),
    );
  });
});

describe('parseGoVersion', () => {
  it.each([
    ['go version go1.26.8 linux/amd64', { major: 1, minor: 26, patch: 8 }],
    ['go version go1.24 darwin/arm64', { major: 1, minor: 24, patch: 0 }],
    ['go version go1.25rc1 linux/amd64', { major: 1, minor: 25, patch: 0 }],
    ['go version devel go1.27-4b3a2c1 Tue Jan 6 linux/amd64', { major: 1, minor: 27, patch: 0 }],
  ])('reads %s', (output, expected) => {
    expect(parseGoVersion(output)).toEqual(expected);
  });

  it('returns undefined for output that is not a Go version', () => {
    expect(parseGoVersion('command not found: go')).toBeUndefined();
  });

  it.each([
    [{ major: 1, minor: 23, patch: 9 }, false],
    [{ major: 1, minor: 24, patch: 0 }, true],
    [{ major: 1, minor: 26, patch: 8 }, true],
    [{ major: 2, minor: 0, patch: 0 }, true],
  ])('judges %o recent enough to build k6: %s', (version, expected) => {
    expect(goIsRecentEnough(version)).toBe(expected);
  });
});

describe('k6MajorVersion', () => {
  it.each([
    ['k6 v1.8.1 (go1.26.8, linux/amd64)', 1],
    ['k6 v0.49.0 (go1.21.6, linux/amd64)', 0],
    ['k6 v2.0.0-rc1 (commit/abc, go1.27, linux/amd64)', 2],
  ])('reads %s as major %d', (output, major) => {
    expect(k6MajorVersion(output)).toBe(major);
  });
});
