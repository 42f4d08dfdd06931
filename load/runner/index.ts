import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { reportsDir as defaultReportsDir } from '../../common/paths';
import { startStep } from '../../common/progress';
import { ensureK6 } from '../../tools/k6';
import { ROUTE_NAMES } from '../lib/routes';
import { describeOutcome, routeStats, thresholdName, thresholdOutcomes } from '../lib/summary-data';
import { writeDurations } from './durations';
import { explainExit, isAbortedByThreshold, k6LogMessages } from './exit-codes';
import { dashboardEnv, k6Arguments, readSummary, spawnK6 } from './k6-process';
import { mergeRunners, thresholdsOf } from './merge';
import { runRunners } from './runners';
import { type LoadOptions, type LoadProfile, type LoadResult, REPORT_FILES } from './types';

/**
 * The load runner's public face: `runLoad` runs `load/get-pets.ts` with k6 against a stage, as
 * one k6 process or as several runners whose samples are judged together.
 */
export { type RequestDurations, readDurations } from './durations';
export {
  LOAD_PROFILES,
  type LoadOptions,
  type LoadProfile,
  type LoadResult,
  MAX_RUNNERS,
  REPORT_FILES,
  type RunnerShare,
} from './types';

type ReportFiles = Record<keyof typeof REPORT_FILES, string>;

/** k6's own verdict of one process, with every request's duration written beside it. */
async function runSingle(k6: string, options: LoadOptions, profile: LoadProfile, reportsDir: string) {
  const files = Object.fromEntries(
    Object.entries(REPORT_FILES).map(([key, name]) => [key, join(reportsDir, name)]),
  ) as ReportFiles;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    ...(await dashboardEnv(options, profile, files.dashboard)),
    K6_NO_USAGE_REPORT: 'true',
  };
  const step = options.progressLine ? startStep(`k6 ${profile} → ${options.baseUrl}`) : undefined;
  const startedAt = new Date();
  const k6Process = spawnK6(k6, k6Arguments(options, profile, reportsDir), env, {
    echo: !options.progressLine,
    onProgress: (p) => step?.update(`${p.elapsed}, ${p.vus} VUs, ${p.iterations} iterations`),
  });
  const exit = await k6Process.exited.catch((error: unknown) => {
    step?.fail(error instanceof Error ? error.message : String(error));
    throw error;
  });
  if (exit.exitCode === 0) step?.succeed();
  else step?.fail(`exit ${exit.signal ?? exit.exitCode}`);
  const summary = readSummary(files.summary);
  if (summary && existsSync(files.samples)) {
    const merged = await mergeRunners([{ name: 'k6', file: files.samples }], thresholdsOf([summary]));
    writeDurations(files.durations, merged.durations, ['k6']);
  }
  return { exit, summary, files, startedAt, finishedAt: new Date() };
}

/**
 * Runs `load/get-pets.ts` with k6 against `baseUrl`: reports go to `reports/<run-id>/`
 * (`k6-summary.json`, `k6-summary.txt`, `k6-junit.xml`, `k6-dashboard.html`, `k6-samples.json`,
 * `k6-durations.json`), every request carries the run id, and the result says in plain words what
 * k6's exit code means. With `runners` > 1, see `./runners.ts`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const profile = options.profile ?? 'smoke';
  const k6 = await ensureK6({ quiet: options.progressLine });
  const reportsDir = options.reportsDir ?? defaultReportsDir(options.runId);
  mkdirSync(reportsDir, { recursive: true });
  if ((options.runners ?? 1) > 1) {
    const env = { ...process.env, ...options.env, K6_NO_USAGE_REPORT: 'true' };
    return runRunners(k6, { ...options, profile }, profile, reportsDir, env);
  }
  const { exit, summary, files, startedAt, finishedAt } = await runSingle(k6, options, profile, reportsDir);
  const crossed = summary ? thresholdOutcomes(summary).filter((outcome) => !outcome.ok) : [];
  const explanation = explainExit(exit.exitCode, {
    failedThresholds: crossed.map(describeOutcome),
    errors: k6LogMessages(exit.stderr),
    abortedByThreshold: isAbortedByThreshold(exit.stderr),
    signal: exit.signal,
  });
  const reports: Record<string, string> = {};
  for (const [key, file] of Object.entries(files)) if (existsSync(file)) reports[key] = file;
  return {
    passed: exit.exitCode === 0 && exit.signal === null,
    exitCode: exit.exitCode,
    explanation,
    thresholdsFailed: crossed.map(thresholdName),
    requests: summary?.metrics.http_reqs?.values.count ?? 0,
    routes: summary ? routeStats(summary, ROUTE_NAMES) : [],
    reports,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}
