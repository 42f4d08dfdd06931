import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOL_VERSIONS } from './cache';
import { ensureRuntimeNode, systemRuntimeNode } from './runtime-node';

/**
 * The runtime's Node provisioned for real: the npm registry's node package packed and unpacked into
 * an empty cache (tens of MB: the slow project). tools/runtime-node.test.ts covers every choice
 * ensureRuntimeNode makes with a fake npm in `npm test`.
 */
const PINNED = `v${TOOL_VERSIONS.runtimeNode}`;

describe('ensureRuntimeNode against the npm registry', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runtime-node-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('provisions a real Node 22 from the npm registry into an empty cache', async () => {
    const system = { ...systemRuntimeNode(), own: { path: '/usr/bin/node', version: 'v20.0.0' } };
    system.cacheRoot = join(root, 'node');
    const node = await ensureRuntimeNode('nodejs22.x', { quiet: true }, system);
    expect(node).toMatchObject({ version: PINNED, source: 'provisioned' });
    expect(execFileSync(node.path, ['-p', 'process.version'], { encoding: 'utf8' }).trim()).toBe(PINNED);
  }, 300_000);
});
