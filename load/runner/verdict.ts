import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_NAMES } from '../lib/routes';
import { junitXml, type RunLabel, textSummary } from '../lib/summary.ts';
import {
  describeOutcome,
  routeStats,
  type SummaryData,
  thresholdName,
  thresholdOutcomes,
} from '../lib/summary-data';
import { writeDurations } from './durations';
import { explainExit, isAbortedByThreshold, k6LogMessages } from './exit-codes';
import { type K6Exit, readSummary } from './k6-process';
import { type MergedRun, mergeRunners, type RunnerTally, thresholdsOf } from './merge';
import { type LoadResult, REPORT_FILES, type RunnerShare } from './types';

/**
 * The verdict over several runners, whether they ran here (`./runners.ts`) or on Kubernetes and
 * were collected (`./collect.ts`): every threshold judged over all their samples, each runner's
 * share beside it, and a runner that died or ended early failing the run by name.
 */

export interface RunnerOutput {
  name: string;
  segment?: string;
  samplesFile: string;
  summaryFile: string;
  /** How its k6 process ended (local runners only). */
  exit?: K6Exit;
}

export interface JudgeContext {
  reportsDir: string;
  label: RunLabel;
  startedAt: string;
  finishedAt: string;
}

/** A runner whose segment holds no VU (fewer VUs than runners) runs setup() and stops at once. */
function isIdle(summary: SummaryData): boolean {
  const values = summary.metrics.vus_max?.values;
  return (values?.max ?? values?.value ?? 0) === 0;
}

/** Why a runner fails the run, if it does; checked from what is surest to what is subtlest. */
function runnerProblem(
  output: RunnerOutput,
  summary: SummaryData | undefined,
  tally: RunnerTally,
  longestMs: number,
) {
  const exit = output.exit;
  if (exit?.signal) return `killed by ${exit.signal}`;
  if (exit && exit.exitCode !== 0 && exit.exitCode !== 99) {
    return explainExit(exit.exitCode, {
      failedThresholds: [],
      errors: k6LogMessages(exit.stderr),
      abortedByThreshold: false,
    });
  }
  if (exit?.exitCode === 99 && isAbortedByThreshold(exit.stderr)) {
    return 'stopped early: a threshold with abortOnFail was crossed on its share';
  }
  if (tally.missing) return 'wrote no samples: it did not start';
  if (!summary) return 'wrote no summary: it did not finish';
  if (tally.truncated) return 'its samples end mid-line: it stopped while writing them';
  const counted = summary.metrics.http_reqs?.values.count ?? 0;
  if (counted !== tally.requests) {
    return `its samples hold ${tally.requests} requests, its own summary ${counted}: samples are missing`;
  }
  const ms = summary.state.testRunDurationMs;
  if (!isIdle(summary) && ms < longestMs - Math.max(5000, longestMs * 0.1)) {
    return `ended early: ran ${(ms / 1000).toFixed(1)}s, the longest runner ${(longestMs / 1000).toFixed(1)}s`;
  }
  return undefined;
}

function shares(
  outputs: RunnerOutput[],
  summaries: (SummaryData | undefined)[],
  merged: MergedRun,
): RunnerShare[] {
  const total = merged.runners.reduce((sum, tally) => sum + tally.requests, 0);
  const longestMs = Math.max(0, ...summaries.map((summary) => summary?.state.testRunDurationMs ?? 0));
  return outputs.map((output, index) => {
    const summary = summaries[index];
    const tally = merged.runners[index] as RunnerTally;
    const problem = runnerProblem(output, summary, tally, longestMs);
    const idle = summary && isIdle(summary);
    return {
      name: output.name,
      ...(output.segment ? { segment: output.segment } : {}),
      ...(output.exit ? { exitCode: output.exit.exitCode } : {}),
      requests: tally.requests,
      share: total > 0 ? tally.requests / total : 0,
      p95: summary?.metrics.http_req_duration?.values['p(95)'] ?? 0,
      durationMs: summary?.state.testRunDurationMs ?? 0,
      crossedAlone: summary
        ? thresholdOutcomes(summary)
            .filter((o) => !o.ok)
            .map(thresholdName)
        : [],
      ...(problem ? { problem } : {}),
      ...(idle
        ? { note: 'no VUs in its segment (fewer VUs than runners): it sent only setup requests' }
        : {}),
    };
  });
}

/** The checks threshold's own level (`rate>0.99`), which the text and JUnit reports grade checks by. */
function minChecksRate(summary: SummaryData): number {
  const expression = Object.keys(summary.metrics.checks?.thresholds ?? {}).find((e) => /^rate\s*>/.test(e));
  const level = expression ? Number(expression.replace(/^rate\s*>=?/, '')) : Number.NaN;
  return Number.isFinite(level) ? level : 0.99;
}

function writeReports(
  context: JudgeContext,
  merged: MergedRun,
  runners: RunnerShare[],
): Record<string, string> {
  const files = {
    summary: join(context.reportsDir, REPORT_FILES.summary),
    text: join(context.reportsDir, REPORT_FILES.text),
    junit: join(context.reportsDir, REPORT_FILES.junit),
    durations: join(context.reportsDir, REPORT_FILES.durations),
  };
  const level = minChecksRate(merged.summary);
  writeFileSync(files.summary, `${JSON.stringify({ ...merged.summary, runners }, null, 2)}\n`);
  writeFileSync(files.text, textSummary(merged.summary, context.label, level));
  writeFileSync(files.junit, junitXml(merged.summary, context.label, level));
  writeDurations(
    files.durations,
    merged.durations,
    runners.map((runner) => runner.name),
  );
  return files;
}

function explain(
  runners: RunnerShare[],
  crossed: string[],
  requests: number,
): { exitCode: number; explanation: string } {
  const failing = runners.filter((runner) => runner.problem);
  const count = `${runners.length} runners`;
  if (failing.length > 0) {
    const first = failing[0] as RunnerShare;
    const named = failing.map((r) => `${r.name}${r.segment ? ` (segment ${r.segment})` : ''}: ${r.problem}`);
    const exitCode = first.exitCode !== undefined && first.exitCode !== 0 ? first.exitCode : 1;
    return {
      exitCode,
      explanation: `${failing.length} of ${count} failed, so the run fails: ${named.join('; ')}`,
    };
  }
  if (crossed.length > 0) {
    return {
      exitCode: 99,
      explanation: `${count} merged, exit 99: thresholds crossed over all ${requests} requests: ${crossed.join('; ')}.`,
    };
  }
  return {
    exitCode: 0,
    explanation: `${count} merged: passed — every threshold held over all ${requests} requests.`,
  };
}

/** Judges the runners' outputs as one run and writes the merged reports into `context.reportsDir`. */
export async function judgeRunners(outputs: RunnerOutput[], context: JudgeContext): Promise<LoadResult> {
  const summaries = outputs.map((output) => readSummary(output.summaryFile));
  const thresholds = thresholdsOf(
    summaries.filter((summary): summary is SummaryData => summary !== undefined),
  );
  const merged = await mergeRunners(
    outputs.map((output, index) => ({
      name: output.name,
      file: output.samplesFile,
      durationMs: summaries[index]?.state.testRunDurationMs,
    })),
    thresholds,
  );
  const runners = shares(outputs, summaries, merged);
  const reports = writeReports(context, merged, runners);
  const crossed = thresholdOutcomes(merged.summary).filter((outcome) => !outcome.ok);
  const requests = merged.summary.metrics.http_reqs?.values.count ?? 0;
  const named = crossed.map(describeOutcome);
  const { exitCode, explanation } = explain(runners, named, requests);
  return {
    passed: exitCode === 0,
    exitCode,
    explanation,
    thresholdsFailed: crossed.map(thresholdName),
    requests,
    routes: routeStats(merged.summary, ROUTE_NAMES),
    reports,
    startedAt: context.startedAt,
    finishedAt: context.finishedAt,
    runners,
  };
}
