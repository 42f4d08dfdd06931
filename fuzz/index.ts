import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { reportsDir as defaultReportsDir, PROJECT_ROOT } from '../common/paths';
import { stopChild, trackChild } from '../common/processes';
import { type Step, startStep } from '../common/progress';
import { OPENAPI_PATH } from '../contract/spec';
import { loadSeedPets } from '../seed/load';
import { TOOL_VERSIONS } from '../tools/cache';
import { ensureSchemathesis } from '../tools/python-venv';
import { type CleanupResult, cleanUp } from './cleanup';
import { readLedger, stateChanges } from './ledger';

/**
 * Schemathesis against a stage: every check, every phase (examples, coverage, fuzzing, stateful)
 * within a time budget, the run's x-harness-run-id on every request, JUnit and a summary in the
 * run's report folder, and the table put back afterwards (fuzz/cleanup.ts).
 */
export const FUZZ_CONFIG_PATH = join(PROJECT_ROOT, 'fuzz', 'schemathesis.toml');
/** Checks that do not apply to an API Gateway REST API; the reason is in fuzz/schemathesis.toml. */
export const EXCLUDED_CHECKS = ['unsupported_method', 'allow_header_conformance'] as const;
export const FUZZ_PHASES = ['examples', 'coverage', 'fuzzing', 'stateful'] as const;

export interface FuzzOptions {
  baseUrl: string;
  runId: string;
  /** Schemathesis' --max-time: the whole run, every phase, stops within it. */
  maxTimeSeconds: number;
  reportsDir?: string;
  /** Reproduce a run: Schemathesis' --seed. */
  seed?: string;
  /**
   * A progress line of its own (default true; Schemathesis' output goes to its reports either way);
   * the harness turns it off and shows its step instead.
   */
  progressLine?: boolean;
}

/** One kind of failure, as Schemathesis groups them: a code (`ST204`), its title, where it happened. */
export interface FuzzFailure {
  code: string;
  title: string;
  count: number;
  /** e.g. `GET /pets/{id}` */
  operations: string[];
}

export interface FuzzResult {
  passed: boolean;
  schemathesisVersion: string;
  seed: string;
  /** Test cases Schemathesis generated, and how many of them failed a check. */
  cases: { generated: number; withFailures: number; uniqueFailures: number; errored: number };
  phases: Record<string, string>;
  failures: FuzzFailure[];
  /** Failures dropped by fuzz/hooks.py's filter_failure, each for its stated reason. */
  filtered: number;
  warnings: string[];
  requestsSent: number;
  /** Requests whose answer came from the function (each leaves one handler log line). */
  requestsAtFunction: number;
  cleanup: CleanupResult;
  reports: { junit: string; schemathesis: string; output: string; ledger: string; summary: string };
  startedAt: string;
  finishedAt: string;
}

interface SchemathesisReport {
  schemathesis_version: string;
  seed: string;
  exit_code: number;
  phases: Record<string, { status: string }>;
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: { code?: string; title?: string; count?: number; operations?: string[] }[];
  errors: unknown[];
  filtered: number;
  warnings: Record<string, string[]>;
}

function reportPaths(dir: string): FuzzResult['reports'] {
  return {
    junit: join(dir, 'fuzz-junit.xml'),
    schemathesis: join(dir, 'fuzz-schemathesis.json'),
    output: join(dir, 'fuzz-output.txt'),
    ledger: join(dir, 'fuzz-ledger.ndjson'),
    summary: join(dir, 'fuzz-summary.json'),
  };
}

export function schemathesisArgs(options: FuzzOptions, reports: FuzzResult['reports']): string[] {
  return [
    '--config-file',
    FUZZ_CONFIG_PATH,
    'run',
    OPENAPI_PATH,
    '--url',
    options.baseUrl,
    '--checks',
    'all',
    // `--checks all` overrides the config file's `enabled = false`: the two checks that do not
    // apply (reasons in fuzz/schemathesis.toml) are excluded here as well.
    '--exclude-checks',
    EXCLUDED_CHECKS.join(','),
    '--phases',
    FUZZ_PHASES.join(','),
    '--max-time',
    String(options.maxTimeSeconds),
    '--header',
    `x-harness-run-id: ${options.runId}`,
    '--report',
    'junit,json',
    '--report-junit-path',
    reports.junit,
    '--report-json-path',
    reports.schemathesis,
    '--no-color',
    ...(options.seed === undefined ? [] : ['--seed', options.seed]),
  ];
}

const PHASE_LINE = /^\s*[^\sA-Za-z]*\s*(Examples|Coverage|Fuzzing|Stateful)\b(.*)$/u;
/** Past the budget, Schemathesis finishes the test case in flight and writes its reports. */
const GRACE_SECONDS = 180;

/** Runs `st`, writing its output to the report folder; resolves with its exit code. */
async function runSchemathesis(
  st: string,
  options: FuzzOptions,
  reports: FuzzResult['reports'],
  step: Step | undefined,
): Promise<number> {
  const child = trackChild(
    spawn(st, schemathesisArgs(options, reports), {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PETS_FUZZ_LEDGER: reports.ledger, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    for (const line of text.split('\n')) {
      const phase = PHASE_LINE.exec(line);
      if (phase) step?.update(`${phase[1]}${phase[2]?.trim() ? ` ${phase[2].trim()}` : ''}`);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = setTimeout(() => void stopChild(child), (options.maxTimeSeconds + GRACE_SECONDS) * 1000);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  } finally {
    clearTimeout(deadline);
    writeFileSync(reports.output, output.join(''));
  }
}

function readReport(reports: FuzzResult['reports'], exitCode: number): SchemathesisReport {
  if (!existsSync(reports.schemathesis)) {
    const tail = existsSync(reports.output) ? readFileSync(reports.output, 'utf8').slice(-2000) : '';
    throw new CannotRunError(`Schemathesis exited with ${exitCode} and wrote no report:\n${tail}`);
  }
  const text = readFileSync(reports.schemathesis, 'utf8');
  // The seed is a 128-bit integer: JSON.parse would round it, so it is read as written.
  const seed = /"seed":\s*(\d+)/u.exec(text)?.[1] ?? '';
  return { ...(JSON.parse(text) as SchemathesisReport), seed };
}

function failuresOf(report: SchemathesisReport): FuzzFailure[] {
  return report.failures.map((failure) => ({
    code: failure.code ?? '',
    title: failure.title ?? 'failure',
    count: failure.count ?? 1,
    operations: failure.operations ?? [],
  }));
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const dir = options.reportsDir ?? defaultReportsDir(options.runId);
  mkdirSync(dir, { recursive: true });
  const reports = reportPaths(dir);
  rmSync(reports.ledger, { force: true });
  const progressLine = options.progressLine ?? true;
  const st = await ensureSchemathesis({ quiet: !progressLine });
  const startedAt = new Date();
  const step = progressLine
    ? startStep(
        `Schemathesis ${TOOL_VERSIONS.schemathesis}, ${options.maxTimeSeconds} s against ${options.baseUrl}`,
      )
    : undefined;
  let exitCode: number;
  try {
    exitCode = await runSchemathesis(st, options, reports, step);
  } catch (error) {
    step?.fail();
    throw error;
  }
  const report = readReport(reports, exitCode);
  const ledger = readLedger(reports.ledger);
  step?.update('putting the table back');
  const cleanup = await cleanUp(options.baseUrl, options.runId, stateChanges(ledger, loadSeedPets()));
  const failures = failuresOf(report);
  const result: FuzzResult = {
    passed:
      exitCode === 0 && failures.length === 0 && report.errors.length === 0 && cleanup.problems.length === 0,
    schemathesisVersion: report.schemathesis_version,
    seed: report.seed,
    cases: {
      generated: report.test_cases.generated,
      withFailures: report.test_cases.with_failures,
      uniqueFailures: report.test_cases.unique_failures,
      errored: report.test_cases.errored,
    },
    phases: Object.fromEntries(Object.entries(report.phases).map(([name, phase]) => [name, phase.status])),
    failures,
    filtered: report.filtered,
    warnings: Object.entries(report.warnings).flatMap(([kind, labels]) =>
      labels.map((label) => `${kind}: ${label}`),
    ),
    requestsSent: ledger.length + cleanup.requests,
    requestsAtFunction: ledger.filter((entry) => entry.atFunction).length + cleanup.requests,
    cleanup,
    reports,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  writeFileSync(
    reports.summary,
    `${JSON.stringify({ runId: options.runId, baseUrl: options.baseUrl, ...result }, null, 2)}\n`,
  );
  const line = fuzzLine(result);
  if (result.passed) step?.succeed(line);
  else step?.fail(line);
  return result;
}

/** One line for people: cases, failures, requests, cleanup. */
export function fuzzLine(result: FuzzResult): string {
  const failures = result.cases.uniqueFailures + result.cleanup.problems.length;
  return `${result.cases.generated.toLocaleString('en-US')} cases, ${failures} failure${failures === 1 ? '' : 's'}, ${result.requestsSent} requests (${result.requestsAtFunction} at the function), cleanup: ${result.cleanup.deleted} deleted, ${result.cleanup.restored} restored`;
}
