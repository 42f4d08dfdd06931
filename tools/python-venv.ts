import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { toolCacheDir } from '../common/paths';
import { startStep } from '../common/progress';
import { type EnsureOptions, TOOL_VERSIONS } from './cache';

/**
 * A Python tool from PyPI in its own virtualenv in the tool cache, pinned to one version (moto,
 * Schemathesis). Provisioning is idempotent: a venv that holds the pinned version is used as is.
 */
export interface PythonTool {
  /** `npm run tools -- --only <name>` */
  name: string;
  /** Folder under the tool cache. */
  venv: string;
  /** What pip installs, without the version: `moto[server]`, `schemathesis`. */
  requirement: string;
  /** The distribution's name in its `<name>-<version>.dist-info` folder. */
  distribution: string;
  version: string;
  /** The console script the tool is run by, under `<venv>/bin`. */
  entry: string;
}

/** The Python tools the harness provisions, each pinned in TOOL_VERSIONS. */
export const PYTHON_TOOLS = {
  /** moto's server mode: the CloudWatch Logs stand-in the log check's wire tests talk to. */
  moto: {
    name: 'moto',
    venv: 'moto-venv',
    requirement: 'moto[server]',
    distribution: 'moto',
    version: TOOL_VERSIONS.moto,
    entry: 'moto_server',
  },
  /** The property-based API fuzzer `npm run fuzz` and the run's fuzz step drive. */
  schemathesis: {
    name: 'schemathesis',
    venv: 'schemathesis-venv',
    requirement: 'schemathesis',
    distribution: 'schemathesis',
    version: TOOL_VERSIONS.schemathesis,
    entry: 'st',
  },
} as const satisfies Record<string, PythonTool>;

export function pythonToolVenv(tool: PythonTool): string {
  return join(toolCacheDir(), tool.venv);
}

function pythonToolEntry(tool: PythonTool): string {
  return join(pythonToolVenv(tool), 'bin', tool.entry);
}

/** Whether the venv holds exactly the pinned version (its dist-info folder names the version). */
function hasPinnedVersion(tool: PythonTool): boolean {
  const lib = join(pythonToolVenv(tool), 'lib');
  if (!existsSync(pythonToolEntry(tool)) || !existsSync(lib)) return false;
  return readdirSync(lib).some((python) =>
    existsSync(join(lib, python, 'site-packages', `${tool.distribution}-${tool.version}.dist-info`)),
  );
}

function findPython(tool: PythonTool, candidates: readonly string[]): string {
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import sys, venv; print(sys.version_info[0])'], {
      encoding: 'utf8',
    });
    if (probe.status === 0 && probe.stdout.trim() === '3') return candidate;
  }
  throw new CannotRunError(
    `${tool.requirement} needs Python 3 with the venv module, and none was found.\n` +
      'Install it (Debian/Ubuntu: sudo apt-get install python3 python3-venv; macOS: brew install python), ' +
      `or point PYTHON at a python3 binary, then run: npm run tools -- --only ${tool.name}`,
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

export interface EnsurePythonToolOptions extends EnsureOptions {
  /** Pythons to try, first that works wins. */
  pythonCandidates?: string[];
}

/** Makes the tool's venv with the pinned version and returns its entry script's path. */
export async function ensurePythonTool(
  tool: PythonTool,
  options: EnsurePythonToolOptions = {},
): Promise<string> {
  const venv = pythonToolVenv(tool);
  if (hasPinnedVersion(tool)) return pythonToolEntry(tool);
  const python = findPython(
    tool,
    options.pythonCandidates ?? ([process.env.PYTHON, 'python3', 'python'].filter(Boolean) as string[]),
  );
  const pinned = `${tool.requirement}==${tool.version}`;
  const step = options.quiet ? undefined : startStep(`Installing ${pinned} into ${venv}`);
  try {
    if (!existsSync(join(venv, 'bin', 'pip'))) {
      step?.update('creating the virtualenv');
      await run(python, ['-m', 'venv', venv], () => {});
    }
    await run(
      join(venv, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', '--progress-bar', 'off', pinned],
      (line) => {
        if (/^(Collecting|Downloading|Installing|Successfully)/.test(line)) step?.update(line.slice(0, 100));
      },
    );
  } catch (error) {
    step?.fail();
    throw new CannotRunError(
      `Installing ${pinned} failed: ${error instanceof Error ? error.message : String(error)}\n` +
        `It needs PyPI to be reachable (pip honours PIP_INDEX_URL). Remove ${venv} and run: npm run tools -- --only ${tool.name}`,
    );
  }
  if (!hasPinnedVersion(tool)) {
    step?.fail();
    throw new CannotRunError(
      `pip finished but ${pythonToolEntry(tool)} is missing. Remove ${venv} and try again.`,
    );
  }
  step?.succeed();
  return pythonToolEntry(tool);
}

/** Makes `<cache>/schemathesis-venv` with the pinned Schemathesis and returns the `st` path. */
export function ensureSchemathesis(options: EnsurePythonToolOptions = {}): Promise<string> {
  return ensurePythonTool(PYTHON_TOOLS.schemathesis, options);
}
