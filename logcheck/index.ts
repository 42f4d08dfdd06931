import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportsDir as runReportsDir } from '../common/paths';
import { functionSettings } from '../definitions/function';
import { type Budgets, DEFAULT_BUDGETS, type Violation } from './checks';
import type { GrowthEstimate } from './growth';
import type { HygieneFinding } from './hygiene';
import { judgeRun } from './judge';
import { type ParsedEvent, parseEvents } from './parse';
import {
  cloudWatchSource,
  fetchWhenIngested,
  type LogSource,
  localSource,
  type WaitOutcome,
} from './sources';

export type { Budgets, Violation } from './checks';
export { DEFAULT_BUDGETS } from './checks';
export type { EnvironmentSeries, GrowthEstimate } from './growth';
export { environmentSeries } from './growth';
export type { HygieneFinding } from './hygiene';
export type { ParsedEvent } from './parse';
export type { LogSource, TimeWindow, WaitOutcome } from './sources';
export { cloudWatchSource, localSource } from './sources';

export interface LogCheckOptions {
  runId: string;
  /** ms since the epoch; the window is [since, until]. */
  since: number;
  until?: number;
  /** Requests the run sent that reach the function (gateway-only answers leave no line). */
  expectRequests?: number;
  /** The correlation ids the run sent, when known: the missing ones are listed by id. */
  sentCorrelationIds?: string[];
  source: 'local' | 'cloudwatch';
  logGroupName?: string;
  logDir?: string;
  region?: string;
  endpoint?: string;
  budgets?: Partial<Budgets>;
  /** How long to wait for the expected lines to arrive (CloudWatch ingestion lag). */
  waitMs?: number;
  pollMs?: number;
  /** Where logcheck.json goes; default `reports/<run-id>/`. */
  reportsDir?: string;
  /** A ready source (tests); `source` then only names it. */
  logSource?: LogSource;
  /** Handed every parsed line the check read, for figures drawn from the same lines (the harness's baseline and cost). */
  onParsed?: (parsed: readonly ParsedEvent[]) => void;
}

/** Findings listed in logcheck.json and summary.json at most; the count is always whole. */
const MAX_HYGIENE_FINDINGS = 200;

export interface LogCheckResult {
  passed: boolean;
  source: string;
  violations: Violation[];
  completeness: { expected?: number; found: number; byStatusClass: Record<string, number> };
  metrics: Record<string, number>;
  errors: { requestId?: string; correlationId?: string; line: string }[];
  /** Log hygiene: each finding names the rule, the request id and the field (never the value). */
  hygiene?: { findings: number; listed: HygieneFinding[] };
  /** Max Memory Used against invocations, per execution environment (log stream). */
  memoryGrowth?: GrowthEstimate[];
  wait?: WaitOutcome;
}

/** Default ingestion wait: CloudWatch needs seconds to a minute, the local store only a moment. */
export const DEFAULT_WAIT_MS = { cloudwatch: 120_000, local: 3_000 } as const;

function buildSource(options: LogCheckOptions, logGroupName: string): LogSource {
  if (options.logSource) return options.logSource;
  if (options.source === 'cloudwatch') {
    return cloudWatchSource({
      logGroupName,
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  }
  return localSource({ logGroupName, ...(options.logDir ? { dir: options.logDir } : {}) });
}

/**
 * Reads the function's log events for one run and checks them: errors, completeness against the
 * requests sent, REPORT metrics against the budgets. Writes `logcheck.json` beside the run's other
 * reports. A source that cannot be read throws CannotRunError.
 */
export async function runLogCheck(options: LogCheckOptions): Promise<LogCheckResult> {
  const logGroupName = options.logGroupName ?? functionSettings().logGroupName;
  const source = buildSource(options, logGroupName);
  const window = { since: options.since, until: options.until ?? Date.now() };
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...options.budgets };

  let events: Awaited<ReturnType<LogSource['fetch']>>;
  let wait: WaitOutcome | undefined;
  try {
    if (options.expectRequests !== undefined) {
      const fetched = await fetchWhenIngested(source, window, {
        runId: options.runId,
        expected: options.expectRequests,
        waitMs: options.waitMs ?? DEFAULT_WAIT_MS[options.source],
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      });
      events = fetched.events;
      wait = fetched.wait;
    } else {
      events = await source.fetch(window);
    }
  } finally {
    // A source given by the caller stays theirs to close.
    if (!options.logSource) source.close?.();
  }

  const parsed = parseEvents(events);
  const { violations, errors, completeness, metrics, hygiene, growth } = judgeRun(
    parsed,
    options.runId,
    budgets,
    {
      ...(options.expectRequests === undefined ? {} : { expected: options.expectRequests }),
      ...(options.sentCorrelationIds ? { sentCorrelationIds: options.sentCorrelationIds } : {}),
    },
  );
  options.onParsed?.(parsed);

  const result: LogCheckResult = {
    passed: violations.length === 0,
    source: source.description,
    violations,
    completeness: {
      ...(completeness.expected === undefined ? {} : { expected: completeness.expected }),
      found: completeness.found,
      byStatusClass: completeness.byStatusClass,
    },
    metrics: {
      ...metrics,
      events: events.length,
      failedRequests: errors.failedRequests,
      maxLineBytes: Math.max(0, ...events.map((event) => Buffer.byteLength(event.message, 'utf8'))),
    },
    errors: errors.errors,
    hygiene: { findings: hygiene.findings.length, listed: hygiene.findings.slice(0, MAX_HYGIENE_FINDINGS) },
    memoryGrowth: growth.estimates,
    ...(wait ? { wait } : {}),
  };
  writeReport(result, options, window, budgets, completeness);
  return result;
}

function writeReport(
  result: LogCheckResult,
  options: LogCheckOptions,
  window: { since: number; until: number },
  budgets: Budgets,
  completeness: { missingCorrelationIds: string[]; unfinishedRequestIds: string[] },
): string {
  const dir = options.reportsDir ?? runReportsDir(options.runId);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'logcheck.json');
  const report = {
    runId: options.runId,
    window: { since: new Date(window.since).toISOString(), until: new Date(window.until).toISOString() },
    // JSON has no Infinity: an unchecked budget is written as null.
    budgets: Object.fromEntries(
      Object.entries(budgets).map(([key, value]) => [key, Number.isFinite(value) ? value : null]),
    ),
    ...result,
    missingCorrelationIds: completeness.missingCorrelationIds,
    unfinishedRequestIds: completeness.unfinishedRequestIds,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
