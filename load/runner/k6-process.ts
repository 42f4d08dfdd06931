import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../common/net';
import { PROJECT_ROOT } from '../../common/paths';
import { trackChild } from '../../common/processes';
import type { SummaryData } from '../lib/summary-data';
import type { LoadOptions, LoadProfile } from './types';

/**
 * One k6 process: its command line, its environment, and its exit read back. A run of one runner
 * is one of these; a run of several starts one per execution segment (`./runners.ts`).
 */

/** The k6 script every profile runs. */
export const LOAD_SCRIPT = join(PROJECT_ROOT, 'load', 'get-pets.ts');

/** Dashboard snapshots per profile: the HTML export needs at least two, so short runs sample often. */
const DASHBOARD_PERIOD: Record<LoadProfile, string> = {
  smoke: '1s',
  load: '2s',
  stress: '3s',
  spike: '2s',
  soak: '10s',
};

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePort(preferred: number): Promise<number> {
  if (await portIsFree(preferred)) return preferred;
  return freeLoopbackPort();
}

/**
 * The web dashboard's settings. Its live page is only useful to a person watching: in CI or a
 * programmatic run (a progress line instead of k6's output) the port is disabled (-1), so k6 never waits for a browser and two runs
 * never fight over 5665. The HTML export is written either way.
 */
export async function dashboardEnv(options: LoadOptions, profile: LoadProfile, file: string) {
  const given = options.env ?? {};
  const port =
    given.K6_WEB_DASHBOARD_PORT ??
    process.env.K6_WEB_DASHBOARD_PORT ??
    (process.env.CI || options.progressLine ? '-1' : String(await freePort(5665)));
  return {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_EXPORT: file,
    K6_WEB_DASHBOARD_PORT: port,
    K6_WEB_DASHBOARD_HOST: '127.0.0.1',
    K6_WEB_DASHBOARD_PERIOD: given.K6_WEB_DASHBOARD_PERIOD ?? DASHBOARD_PERIOD[profile],
  };
}

/** What sets one runner of several apart: its name, segment, samples file and REST API port. */
export interface RunnerArguments {
  samplesFile: string;
  /** `RUNNER`: the script prefixes its report files with it. */
  name?: string;
  segment?: { segment: string; sequence: string };
  /** Start paused with the REST API on this loopback port, to be resumed together with the others. */
  pausedOnPort?: number;
}

/**
 * The k6 command line: script settings only as `-e` (the shell's own variables do not leak into
 * `__ENV`, so a stray `DURATION` cannot reshape a run), no REST API unless the runner is started
 * paused (several runs may share a host), no usage report (no network but the target), and the raw
 * samples written as JSON for an exact merge and for the per-request durations.
 */
export function k6Arguments(
  options: LoadOptions,
  profile: LoadProfile,
  reportsDir: string,
  runner: RunnerArguments = { samplesFile: join(reportsDir, 'k6-samples.json') },
): string[] {
  const scriptEnv: Record<string, string> = {
    ...options.env,
    BASE_URL: options.baseUrl,
    PROFILE: profile,
    RUN_ID: options.runId,
    REPORTS_DIR: reportsDir,
    ...(runner.name ? { RUNNER: runner.name } : {}),
  };
  const address = runner.pausedOnPort === undefined ? [] : [`127.0.0.1:${runner.pausedOnPort}`];
  const args = [
    'run',
    `--address=${address.join('')}`,
    '--no-usage-report',
    '--include-system-env-vars=false',
  ];
  if (runner.pausedOnPort !== undefined) args.push('--paused');
  if (runner.segment) {
    args.push(`--execution-segment=${runner.segment.segment}`);
    args.push(`--execution-segment-sequence=${runner.segment.sequence}`);
  }
  args.push('--out', `json=${runner.samplesFile}`);
  for (const [name, value] of Object.entries(scriptEnv)) args.push('-e', `${name}=${value}`);
  args.push(LOAD_SCRIPT);
  return args;
}

const PROGRESS_LINE = /running \(([^)]+)\), (\d+)\/(\d+) VUs, (\d+) complete/;

export interface K6Progress {
  elapsed: string;
  vus: number;
  iterations: number;
}

export interface K6Exit {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

export interface K6Process {
  exited: Promise<K6Exit>;
  /** Whether it has exited yet. */
  done: () => boolean;
  kill: () => void;
}

export interface SpawnOptions {
  /** Pass k6's own output through to ours. */
  echo: boolean;
  onProgress?: (progress: K6Progress) => void;
}

export function spawnK6(
  k6: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: SpawnOptions,
): K6Process {
  // Its own process group, so stopping the harness (Ctrl-C, SIGTERM) stops k6 with it.
  const child = trackChild(
    spawn(k6, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
  );
  let stderr = '';
  let finished = false;
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (options.echo) process.stdout.write(text);
    const progress = [...text.matchAll(new RegExp(PROGRESS_LINE, 'g'))].at(-1);
    if (progress && options.onProgress) {
      options.onProgress({
        elapsed: progress[1] ?? '',
        vus: Number(progress[2]),
        iterations: Number(progress[4]),
      });
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (options.echo) process.stderr.write(text);
    // Keep the tail only: a soak run can log a lot, the verdict lines come last.
    stderr = (stderr + text).slice(-200_000);
  });
  const exited = new Promise<K6Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      finished = true;
      // Killed by a signal: report it the way a shell would (128 + signal number).
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      resolve({ exitCode, signal, stderr });
    });
  });
  return {
    exited,
    done: () => finished,
    kill: () => {
      if (!finished && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}

export function readSummary(file: string): SummaryData | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SummaryData;
  } catch {
    return undefined;
  }
}
