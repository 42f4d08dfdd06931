import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, trackChild } from '../common/processes';

/**
 * Fetches one exact npm package version (`name@version`) and unpacks it into `destination`
 * (the tarball's `package/` folder becomes `destination`). `npm pack` does the fetching, so the
 * registry, proxy and integrity check are whatever npm is configured with — the same channel that
 * installed the project, and no other host is contacted.
 */
export async function unpackNpmPackage(spec: string, destination: string): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'pets-harness-npm-pack-'));
  try {
    await extractNpmTarball(await packNpmPackage(spec, scratch), destination);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `npm pack <spec>` into `dir`; resolves the tarball's path. */
export async function packNpmPackage(spec: string, dir: string): Promise<string> {
  const packed = await run('npm', ['pack', spec, '--pack-destination', dir, '--json', '--silent'], {
    cwd: dir,
  });
  const [entry] = JSON.parse(packed) as { filename: string }[];
  if (!entry) throw new Error(`npm pack ${spec} printed no tarball`);
  return join(dir, entry.filename);
}

/** Unpacks an npm tarball's `package/` folder as `destination`. */
export async function extractNpmTarball(tarball: string, destination: string): Promise<void> {
  mkdirSync(destination, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', destination, '--strip-components=1'], { cwd: destination });
}

/** Runs a command to completion; resolves with its stdout, rejects naming the command and its stderr. */
function run(command: string, args: string[], options: { cwd: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
    const output = collectOutput(child);
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(output.stdout);
      else
        reject(
          new Error(`${command} ${args.join(' ')} exited with ${code}: ${output.stderr.trim().slice(-600)}`),
        );
    });
  });
}
