import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { freeLoopbackPort } from '../common/net';
import { toolCacheDir } from '../common/paths';
import { stopChild, trackChild } from '../common/processes';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS } from './cache';

/**
 * moto's server mode (PyPI `moto[server]`): the CloudWatch Logs stand-in the log check's wire
 * tests talk to. It lives in its own virtualenv in the tool cache, pinned to TOOL_VERSIONS.moto.
 */

export function motoVenvDir(): string {
  return join(toolCacheDir(), 'moto-venv');
}

function motoServerPath(venv = motoVenvDir()): string {
  return join(venv, 'bin', 'moto_server');
}

/** Whether the venv holds exactly the pinned moto (its dist-info folder names the version). */
function hasPinnedMoto(venv: string): boolean {
  const lib = join(venv, 'lib');
  if (!existsSync(motoServerPath(venv)) || !existsSync(lib)) return false;
  return readdirSync(lib).some((python) =>
    existsSync(join(lib, python, 'site-packages', `moto-${TOOL_VERSIONS.moto}.dist-info`)),
  );
}

function findPython(candidates: readonly string[]): string {
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version_info[0])'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === '3') return candidate;
  }
  throw new CannotRunError(
    'moto server needs Python 3 with the venv module, and none was found.\n' +
      'Install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python), ' +
      'or point PYTHON at a python3 binary, then run: npm run tools -- --only moto',
  );
}

function run(command: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onLine(line.trim());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

/**
 * Makes `<cache>/moto-venv` with the pinned `moto[server]` and returns the `moto_server` path.
 * Idempotent: a venv that already holds the pinned version is used as is (no network).
 */
export async function ensureMoto(
  options: EnsureOptions & { /** Pythons to try, first that works wins. */ pythonCandidates?: string[] } = {},
): Promise<string> {
  const venv = motoVenvDir();
  if (hasPinnedMoto(venv)) return motoServerPath(venv);
  const python = findPython(
    options.pythonCandidates ?? ([process.env.PYTHON, 'python3', 'python'].filter(Boolean) as string[]),
  );
  const step = options.quiet
    ? undefined
    : startStep(`Installing moto[server]==${TOOL_VERSIONS.moto} into ${venv}`);
  try {
    if (!existsSync(join(venv, 'bin', 'pip'))) {
      step?.update('creating the virtualenv');
      await run(python, ['-m', 'venv', venv], () => {});
    }
    const pip = join(venv, 'bin', 'pip');
    await run(
      pip,
      [
        'install',
        '--disable-pip-version-check',
        '--progress-bar',
        'off',
        `moto[server]==${TOOL_VERSIONS.moto}`,
      ],
      (line) => {
        if (/^(Collecting|Downloading|Installing|Successfully)/.test(line)) step?.update(line.slice(0, 100));
      },
    );
  } catch (error) {
    step?.fail();
    throw new CannotRunError(
      `Installing moto[server]==${TOOL_VERSIONS.moto} failed: ${error instanceof Error ? error.message : String(error)}\n` +
        `It needs PyPI to be reachable (pip honours PIP_INDEX_URL). Remove ${venv} and run: npm run tools -- --only moto`,
    );
  }
  if (!hasPinnedMoto(venv)) {
    step?.fail();
    throw new CannotRunError(
      `pip finished but ${motoServerPath(venv)} is missing. Remove ${venv} and try again.`,
    );
  }
  step?.succeed();
  return motoServerPath(venv);
}

export interface RunningMoto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `moto_server` on a free loopback port, waits until it answers, and returns how to stop
 * it. The child is tracked, so it dies with us even if `stop()` is never called.
 */
export async function startMotoServer(options: { readyTimeoutMs?: number } = {}): Promise<RunningMoto> {
  const server = await ensureMoto({ quiet: true });
  const port = await freeLoopbackPort();
  const child = trackChild(
    spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new CannotRunError(`moto_server exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new CannotRunError(`moto_server did not answer on ${endpoint} within the timeout:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, port, stop: () => stopChild(child) };
}
