import type { ParsedEvent, ReportMetrics } from './parse';

/**
 * The checks: pure functions over parsed log events. Each returns what it found and the budget
 * violations, each violation naming the request ids behind it.
 */

export interface Budgets {
  /** Failed requests (ERROR/FATAL lines, timeouts, runtime exits, uncaught errors) allowed. */
  maxErrors: number;
  /** REPORT Duration percentiles, in ms. */
  p95Ms: number;
  p99Ms: number;
  /** Cold starts (REPORT lines with Init Duration) allowed; Infinity = not checked. */
  maxColdStarts: number;
  /** p95 of Init Duration, in ms. */
  initP95Ms: number;
  /** Max Memory Used as a % of Memory Size, per request. */
  maxMemoryPct: number;
  /** Bytes one log line may take (log hygiene). */
  maxLineBytes: number;
  /** Memory growth that reaches the memory size within this many more invocations is a finding. */
  growthHorizon: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  maxErrors: 0,
  p95Ms: 1000,
  p99Ms: 3000,
  maxColdStarts: Number.POSITIVE_INFINITY,
  initP95Ms: 3000,
  maxMemoryPct: 90,
  maxLineBytes: 8192,
  growthHorizon: 10_000,
};

export interface Violation {
  check: string;
  message: string;
  requestIds: string[];
}

export interface RequestLogs {
  requestId: string;
  /** Run ids named by this request's lines (normally one). */
  runIds: Set<string>;
  correlationId?: string;
  started: boolean;
  /** The handler's `request completed` line: its HTTP status. */
  completedStatus?: number;
  report?: ReportMetrics;
}

/** Every request id in the events, with what its lines say about it. */
export function groupByRequest(parsed: readonly ParsedEvent[]): Map<string, RequestLogs> {
  const requests = new Map<string, RequestLogs>();
  for (const line of parsed) {
    const requestId = 'requestId' in line ? line.requestId : undefined;
    if (requestId === undefined) continue;
    let request = requests.get(requestId);
    if (!request) {
      request = { requestId, runIds: new Set(), started: false };
      requests.set(requestId, request);
    }
    if (line.kind === 'start') request.started = true;
    if (line.kind === 'report') request.report = line;
    if (line.kind === 'app') {
      if (line.runId) request.runIds.add(line.runId);
      if (line.correlationId && !request.correlationId) request.correlationId = line.correlationId;
      if (isCompletedLine(line) && line.status !== undefined) request.completedStatus = line.status;
    }
  }
  return requests;
}

function isCompletedLine(line: ParsedEvent): boolean {
  return line.kind === 'app' && line.message === 'request completed';
}

/**
 * Whether a request counts for this run: it names the run id, or it names no run id at all (a
 * request that timed out or crashed before the handler logged anything). Requests of other runs
 * sharing the log group and time window are left out.
 */
export function belongsToRun(request: RequestLogs | undefined, runId: string): boolean {
  if (!request) return true;
  return request.runIds.size === 0 || request.runIds.has(runId);
}

function isTaggedWithRun(request: RequestLogs, runId: string): boolean {
  return request.runIds.has(runId);
}

// ---------------------------------------------------------------------------------------------
// errors

export interface ErrorLine {
  requestId?: string;
  correlationId?: string;
  line: string;
}

function isErrorLine(line: ParsedEvent): boolean {
  switch (line.kind) {
    case 'timeout':
    case 'runtime-exit':
    case 'invoke-error':
      return true;
    case 'report':
      return line.status !== 'success';
    case 'app':
    case 'console':
      return line.level === 'ERROR' || line.level === 'FATAL' || line.level === 'CRITICAL';
    default:
      return false;
  }
}

/** What an error line says, in a line: a logged error's `name: message` (an AccessDeniedException names the action and resource). */
export function errorSummary(line: string): string {
  try {
    const parsed = JSON.parse(line) as { message?: unknown; error?: { name?: unknown; message?: unknown } };
    if (typeof parsed.error?.message === 'string')
      return `${String(parsed.error.name ?? 'Error')}: ${parsed.error.message}`;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the runtime's own tab-separated lines.
  }
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

export interface ErrorsResult {
  errors: ErrorLine[];
  /** Distinct failed requests; an error line without a request id counts as one of its own. */
  failedRequests: number;
  violations: Violation[];
}

export function checkErrors(
  parsed: readonly ParsedEvent[],
  requests: ReadonlyMap<string, RequestLogs>,
  runId: string,
  budgets: Pick<Budgets, 'maxErrors'>,
): ErrorsResult {
  const errors: ErrorLine[] = [];
  const failedIds = new Set<string>();
  let anonymous = 0;
  for (const line of parsed) {
    if (!isErrorLine(line)) continue;
    const requestId = 'requestId' in line ? line.requestId : undefined;
    const request = requestId === undefined ? undefined : requests.get(requestId);
    if (!belongsToRun(request, runId)) continue;
    // A runtime line carries only the request id; the handler's lines of the same request carry
    // the correlation id, so the two are joined through the request id.
    const correlationId = (line.kind === 'app' ? line.correlationId : undefined) ?? request?.correlationId;
    errors.push({
      ...(requestId === undefined ? {} : { requestId }),
      ...(correlationId === undefined ? {} : { correlationId }),
      line: line.event.message.trim(),
    });
    if (requestId === undefined) anonymous += 1;
    else failedIds.add(requestId);
  }
  const failedRequests = failedIds.size + anonymous;
  const violations: Violation[] =
    failedRequests > budgets.maxErrors
      ? [
          {
            check: 'errors',
            message: `${failedRequests} failed request(s) (${errors.length} error line(s)), budget ${budgets.maxErrors}; first: ${errorSummary(errors[0]?.line ?? '')}`,
            requestIds: [...failedIds],
          },
        ]
      : [];
  return { errors, failedRequests, violations };
}

// ---------------------------------------------------------------------------------------------
// work left in flight

/**
 * Every invocation of the run that returned while work it started was still running (the local
 * stage's `Runtime.InFlightWork` warning). Lambda freezes the environment at return: that work
 * runs on a later invocation or never, so each one is a finding, whatever the budgets.
 */
export function checkInFlight(
  parsed: readonly ParsedEvent[],
  requests: ReadonlyMap<string, RequestLogs>,
  runId: string,
): Violation[] {
  const found = parsed.filter(
    (line): line is Extract<ParsedEvent, { kind: 'in-flight' }> =>
      line.kind === 'in-flight' &&
      belongsToRun(line.requestId === undefined ? undefined : requests.get(line.requestId), runId),
  );
  if (found.length === 0) return [];
  const kinds = [...new Set(found.map((line) => line.work))];
  return [
    {
      check: 'in-flight work',
      message: `${found.length} invocation(s) returned with work still in flight, which Lambda freezes at return (it runs on a later invocation, or never): ${kinds.slice(0, 3).join('; ')}`,
      requestIds: found.map((line) => line.requestId).filter((id): id is string => id !== undefined),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// completeness

export interface CompletenessResult {
  expected?: number;
  found: number;
  byStatusClass: Record<string, number>;
  /** Sent correlation ids with no `request completed` line (only when the sent ids are known). */
  missingCorrelationIds: string[];
  /** Requests of the run that started but never logged `request completed` (timeouts, crashes). */
  unfinishedRequestIds: string[];
  violations: Violation[];
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export function checkCompleteness(
  parsed: readonly ParsedEvent[],
  requests: ReadonlyMap<string, RequestLogs>,
  runId: string,
  expectation: { expected?: number; sentCorrelationIds?: readonly string[] },
): CompletenessResult {
  const byStatusClass: Record<string, number> = { '2xx': 0, '4xx': 0, '5xx': 0 };
  const loggedCorrelationIds = new Set<string>();
  let found = 0;
  for (const line of parsed) {
    if (line.kind !== 'app' || line.message !== 'request completed' || line.runId !== runId) continue;
    found += 1;
    if (line.correlationId) loggedCorrelationIds.add(line.correlationId);
    if (line.status !== undefined) {
      const key = statusClass(line.status);
      byStatusClass[key] = (byStatusClass[key] ?? 0) + 1;
    }
  }
  const missingCorrelationIds = (expectation.sentCorrelationIds ?? []).filter(
    (id) => !loggedCorrelationIds.has(id),
  );
  const unfinishedRequestIds = [...requests.values()]
    .filter((r) => r.started && r.completedStatus === undefined && belongsToRun(r, runId))
    .map((r) => r.requestId);

  const violations: Violation[] = [];
  const { expected } = expectation;
  if (expected !== undefined && found !== expected) {
    const difference =
      found < expected
        ? `${expected - found} request(s) sent but not logged`
        : `${found - expected} more logged than sent (run id reused?)`;
    violations.push({
      check: 'completeness',
      message: `${found} 'request completed' line(s) for run ${runId}, expected ${expected}: ${difference}`,
      requestIds: unfinishedRequestIds,
    });
  } else if (found === 0) {
    // A check over no request of the run judges nothing, and must not pass: it is what a wrong
    // stage URL looks like (API Gateway answers every request itself, 403, and the function never runs).
    violations.push({
      check: 'completeness',
      message: `no 'request completed' line for run ${runId}: no request of the run reached the function, so there is nothing to judge (a wrong stage URL, or a gateway that answered every request itself?)`,
      requestIds: unfinishedRequestIds,
    });
  }
  if (missingCorrelationIds.length > 0) {
    violations.push({
      check: 'completeness',
      message: `no 'request completed' line for correlation id(s) ${missingCorrelationIds.join(', ')}`,
      requestIds: unfinishedRequestIds,
    });
  }
  return {
    ...(expected === undefined ? {} : { expected }),
    found,
    byStatusClass,
    missingCorrelationIds,
    unfinishedRequestIds,
    violations,
  };
}

// ---------------------------------------------------------------------------------------------
// REPORT metrics

/** Nearest-rank percentile (the value at or below which p% of the sample falls). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export interface MetricsResult {
  metrics: Record<string, number>;
  violations: Violation[];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Duration, billed duration, cold starts and memory from the REPORT lines of the run's requests. */
export function checkMetrics(
  requests: ReadonlyMap<string, RequestLogs>,
  runId: string,
  budgets: Omit<Budgets, 'maxErrors'>,
): MetricsResult {
  const reports: { requestId: string; report: ReportMetrics }[] = [];
  let withoutReport = 0;
  for (const request of requests.values()) {
    if (!isTaggedWithRun(request, runId)) continue;
    if (request.report && Number.isFinite(request.report.durationMs)) {
      reports.push({ requestId: request.requestId, report: request.report });
    } else {
      withoutReport += 1;
    }
  }
  const durations = reports.map((r) => r.report.durationMs);
  const billed = reports.map((r) => r.report.billedDurationMs).filter(Number.isFinite);
  const cold = reports.filter((r) => r.report.initDurationMs !== undefined);
  const inits = cold.map((r) => r.report.initDurationMs as number);
  const memoryPct = (r: ReportMetrics) => (r.maxMemoryUsedMb / r.memorySizeMb) * 100;
  const memory = reports.filter((r) => Number.isFinite(memoryPct(r.report)));

  const metrics: Record<string, number> = {
    reports: reports.length,
    requestsWithoutReport: withoutReport,
    durationP50Ms: round(percentile(durations, 50)),
    durationP95Ms: round(percentile(durations, 95)),
    durationP99Ms: round(percentile(durations, 99)),
    durationMaxMs: round(durations.length ? Math.max(...durations) : Number.NaN),
    billedDurationP95Ms: round(percentile(billed, 95)),
    billedDurationTotalMs: round(billed.reduce((sum, value) => sum + value, 0)),
    coldStarts: cold.length,
    initDurationP95Ms: round(percentile(inits, 95)),
    memorySizeMb: memory.length ? Math.max(...memory.map((r) => r.report.memorySizeMb)) : Number.NaN,
    maxMemoryUsedMb: memory.length ? Math.max(...memory.map((r) => r.report.maxMemoryUsedMb)) : Number.NaN,
    maxMemoryUsedPct: round(memory.length ? Math.max(...memory.map((r) => memoryPct(r.report))) : Number.NaN),
  };

  const violations: Violation[] = [];
  const over = (limit: number, pick: (r: ReportMetrics) => number | undefined) =>
    reports.filter((r) => (pick(r.report) ?? Number.NEGATIVE_INFINITY) > limit).map((r) => r.requestId);
  const p95 = metrics.durationP95Ms as number;
  const p99 = metrics.durationP99Ms as number;
  if (p95 > budgets.p95Ms) {
    violations.push({
      check: 'duration p95',
      message: `Duration p95 ${p95} ms is over the budget of ${budgets.p95Ms} ms`,
      requestIds: over(budgets.p95Ms, (r) => r.durationMs),
    });
  }
  if (p99 > budgets.p99Ms) {
    violations.push({
      check: 'duration p99',
      message: `Duration p99 ${p99} ms is over the budget of ${budgets.p99Ms} ms`,
      requestIds: over(budgets.p99Ms, (r) => r.durationMs),
    });
  }
  if (cold.length > budgets.maxColdStarts) {
    violations.push({
      check: 'cold starts',
      message: `${cold.length} cold start(s), budget ${budgets.maxColdStarts}`,
      requestIds: cold.map((r) => r.requestId),
    });
  }
  const initP95 = metrics.initDurationP95Ms as number;
  if (initP95 > budgets.initP95Ms) {
    violations.push({
      check: 'init duration p95',
      message: `Init Duration p95 ${initP95} ms is over the budget of ${budgets.initP95Ms} ms`,
      requestIds: over(budgets.initP95Ms, (r) => r.initDurationMs),
    });
  }
  const memoryOver = memory.filter((r) => memoryPct(r.report) > budgets.maxMemoryPct);
  if (memoryOver.length > 0) {
    violations.push({
      check: 'memory',
      message: `Max Memory Used reached ${metrics.maxMemoryUsedPct}% of Memory Size, budget ${budgets.maxMemoryPct}%`,
      requestIds: memoryOver.map((r) => r.requestId),
    });
  }
  return { metrics, violations };
}
