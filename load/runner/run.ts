import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../common/net';
import { reportsDir as defaultReportsDir, PROJECT_ROOT } from '../../common/paths';
import { trackChild } from '../../common/processes';
import { startStep } from '../../common/progress';
import { ensureK6 } from '../../tools/k6';
import { ROUTE_NAMES } from '../lib/routes';
import {
  formatValue,
  type RouteStats,
  routeStats,
  type SummaryData,
  thresholdName,
  thresholdOutcomes,
} from '../lib/summary-data';
import { explainExit, isAbortedByThreshold, k6LogMessages } from './exit-codes';

export const LOAD_PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

/** The k6 script every profile runs. */
export const LOAD_SCRIPT = join(PROJECT_ROOT, 'load', 'get-pets.ts');

export interface LoadOptions {
  baseUrl: string;
  runId: string;
  profile?: LoadProfile;
  /** Default `reports/<run-id>`. */
  reportsDir?: string;
  /** Script settings (`P95_MS`, `DURATION`, `VUS`, …) and k6 settings (`K6_*`), passed to k6 both ways. */
  env?: Record<string, string>;
  /** Capture k6's output instead of streaming it; a progress line shows the run instead. */
  quiet?: boolean;
}

export interface LoadResult {
  passed: boolean;
  exitCode: number;
  explanation: string;
  thresholdsFailed: string[];
  requests: number;
  routes: RouteStats[];
  reports: Record<string, string>;
  startedAt: string;
  finishedAt: string;
}

export const REPORT_FILES = {
  summary: 'k6-summary.json',
  text: 'k6-summary.txt',
  junit: 'k6-junit.xml',
  dashboard: 'k6-dashboard.html',
  /** Every sample k6 took (CSV, gzipped): the per-request durations a baseline comparison needs. */
  samples: 'k6-samples.csv.gz',
} as const;

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
 * quiet (programmatic) run the port is disabled (-1), so k6 never waits for a browser and two runs
 * never fight over 5665. The HTML export is written either way.
 */
async function dashboardEnv(options: LoadOptions, profile: LoadProfile, file: string) {
  const given = options.env ?? {};
  const port =
    given.K6_WEB_DASHBOARD_PORT ??
    process.env.K6_WEB_DASHBOARD_PORT ??
    (process.env.CI || options.quiet ? '-1' : String(await freePort(5665)));
  return {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_EXPORT: file,
    K6_WEB_DASHBOARD_PORT: port,
    K6_WEB_DASHBOARD_HOST: '127.0.0.1',
    K6_WEB_DASHBOARD_PERIOD: given.K6_WEB_DASHBOARD_PERIOD ?? DASHBOARD_PERIOD[profile],
  };
}

/**
 * The k6 command line: script settings only as `-e` (the shell's own variables do not leak into
 * `__ENV`, so a stray `DURATION` cannot reshape a run), no REST API (several runs may share a
 * host), no usage report (no network but the target).
 */
export function k6Arguments(options: LoadOptions, profile: LoadProfile, reportsDir: string): string[] {
  const scriptEnv: Record<string, string> = {
    ...options.env,
    BASE_URL: options.baseUrl,
    PROFILE: profile,
    RUN_ID: options.runId,
    REPORTS_DIR: reportsDir,
  };
  const args = ['run', '--address=', '--no-usage-report', '--include-system-env-vars=false'];
  args.push('--out', `csv=${join(reportsDir, REPORT_FILES.samples)}`);
  for (const [name, value] of Object.entries(scriptEnv)) args.push('-e', `${name}=${value}`);
  args.push(LOAD_SCRIPT);
  return args;
}

const PROGRESS_LINE = /running \(([^)]+)\), (\d+)\/(\d+) VUs, (\d+) complete/;

interface K6Exit {
  exitCode: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runK6(k6: string, args: string[], env: NodeJS.ProcessEnv, options: LoadOptions): Promise<K6Exit> {
  const label = `k6 ${options.profile ?? 'smoke'} → ${options.baseUrl}`;
  const step = options.quiet ? startStep(label) : undefined;
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping the harness (Ctrl-C, SIGTERM) stops k6 with it.
    const child = trackChild(
      spawn(k6, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
    );
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!options.quiet) process.stdout.write(text);
      const progress = [...text.matchAll(new RegExp(PROGRESS_LINE, 'g'))].at(-1);
      if (progress && step) step.update(`${progress[1]}, ${progress[2]} VUs, ${progress[4]} iterations`);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!options.quiet) process.stderr.write(text);
      // Keep the tail only: a soak run can log a lot, the verdict lines come last.
      stderr = (stderr + text).slice(-200_000);
    });
    child.once('error', (error) => {
      step?.fail(error.message);
      reject(error);
    });
    child.once('close', (code, signal) => {
      // Killed by a signal: report it the way a shell would (128 + signal number).
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      if (exitCode === 0) step?.succeed();
      else step?.fail(`exit ${code ?? signal}`);
      resolve({ exitCode, signal, stderr });
    });
  });
}

function readSummary(file: string): SummaryData | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SummaryData;
  } catch {
    return undefined;
  }
}

/**
 * Runs `load/get-pets.ts` with k6 against `baseUrl`: reports go to `reports/<run-id>/`
 * (`k6-summary.json`, `k6-summary.txt`, `k6-junit.xml`, `k6-dashboard.html`), every request carries
 * the run id, and the result says in plain words what k6's exit code means.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const profile = options.profile ?? 'smoke';
  const k6 = await ensureK6({ quiet: options.quiet });
  const reportsDir = options.reportsDir ?? defaultReportsDir(options.runId);
  mkdirSync(reportsDir, { recursive: true });
  const files = Object.fromEntries(
    Object.entries(REPORT_FILES).map(([key, name]) => [key, join(reportsDir, name)]),
  ) as Record<keyof typeof REPORT_FILES, string>;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    ...(await dashboardEnv(options, profile, files.dashboard)),
    K6_NO_USAGE_REPORT: 'true',
  };
  const startedAt = new Date();
  const { exitCode, signal, stderr } = await runK6(k6, k6Arguments(options, profile, reportsDir), env, {
    ...options,
    profile,
  });
  const finishedAt = new Date();

  const summary = readSummary(files.summary);
  const crossed = summary ? thresholdOutcomes(summary).filter((outcome) => !outcome.ok) : [];
  const explanation = explainExit(exitCode, {
    failedThresholds: crossed.map(
      (outcome) =>
        `${thresholdName(outcome)}${outcome.stat ? ` (${outcome.stat}=${formatValue(outcome.actual, outcome.unit)})` : ''}`,
    ),
    errors: k6LogMessages(stderr),
    abortedByThreshold: isAbortedByThreshold(stderr),
    signal,
  });
  const reports: Record<string, string> = {};
  for (const [key, file] of Object.entries(files)) if (existsSync(file)) reports[key] = file;

  return {
    passed: exitCode === 0 && signal === null,
    exitCode,
    explanation,
    thresholdsFailed: crossed.map(thresholdName),
    requests: summary?.metrics.http_reqs?.values.count ?? 0,
    routes: summary ? routeStats(summary, ROUTE_NAMES) : [],
    reports,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}
