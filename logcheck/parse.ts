import type { LogEvent } from '../local/logs/index';

/**
 * Parsers for what a Node.js Lambda function leaves in its log group, in both log formats:
 * plain text (`START` / `END` / `REPORT` lines, runtime-prefixed console lines, timeout and
 * runtime-exit lines) and `logFormat: JSON` (`platform.*` records and JSON application lines).
 * Pure functions: one log event in, one parsed line out.
 */

export interface ReportMetrics {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Present on the first invocation of an execution environment: a cold start. */
  initDurationMs?: number;
  /** `success` unless the platform said otherwise (`timeout`, `error`, `failure`). */
  status: string;
  errorType?: string;
}

export type ParsedLine =
  | { kind: 'start'; requestId: string; version?: string }
  | { kind: 'end'; requestId: string }
  | ({ kind: 'report'; requestId: string } & ReportMetrics)
  | { kind: 'timeout'; requestId?: string; seconds: number }
  | { kind: 'runtime-exit'; requestId?: string; errorType: string; message: string }
  | { kind: 'invoke-error'; requestId?: string; errorType: string; errorMessage: string; label: string }
  | { kind: 'console'; requestId?: string; level: string; text: string }
  /** The local stage's warning: the handler returned while work it started was still running. */
  | { kind: 'in-flight'; requestId?: string; work: string }
  | {
      kind: 'app';
      level: string;
      message: string;
      requestId?: string;
      correlationId?: string;
      runId?: string;
      status?: number;
      fields: Record<string, unknown>;
    }
  | { kind: 'other'; text: string };

export type ParsedEvent = ParsedLine & { event: LogEvent };

const UUID_OR_ID = '([0-9A-Za-z][0-9A-Za-z-]*)';
// Runtime versions differ in tabs versus spaces (and a stray space before a tab), so every
// separator between fields is "any run of whitespace".
const START_LINE = new RegExp(`^START\\s+RequestId:\\s*${UUID_OR_ID}(?:\\s+Version:\\s*(\\S+))?`);
const END_LINE = new RegExp(`^END\\s+RequestId:\\s*${UUID_OR_ID}`);
const REPORT_LINE = new RegExp(`^REPORT\\s+RequestId:\\s*${UUID_OR_ID}`);
const TIMEOUT_LINE = new RegExp(
  `^(?:\\d{4}-\\d{2}-\\d{2}T\\S+\\s+)?(?:${UUID_OR_ID}\\s+)?Task timed out after\\s+([\\d.]+)\\s+seconds`,
);
const RUNTIME_EXIT_LINE = new RegExp(`^RequestId:\\s*${UUID_OR_ID}\\s+Error:\\s*([^\\n]*)`);
const RUNTIME_ERROR_TYPE = /(Runtime\.[A-Za-z]+)/;
// `<iso ts>\t<requestId>\t<LEVEL>\t<message>`; older runtimes wrote no level field.
const CONSOLE_LINE = new RegExp(
  `^(\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z)\\s+${UUID_OR_ID}\\s+(?:(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\s+)?([\\s\\S]*)$`,
);
const UNCAUGHT_LABELS = ['Invoke Error', 'Uncaught Exception', 'Unhandled Promise Rejection'] as const;
// `Runtime.InFlightWork: the handler returned with work still in flight: 1 timer, 2 unsettled promises. …`
const IN_FLIGHT = /^Runtime\.InFlightWork: .*?in flight: (.+?)\. /u;

function reportField(line: string, label: string): number | undefined {
  const match = new RegExp(`${label}:\\s*([\\d.]+)\\s*(?:ms|MB)`).exec(line);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** One report, from the text or the JSON format: a metric the line lacks is NaN, a status `success`. */
function reportOf(
  requestId: string,
  found: { [name in keyof ReportMetrics]: ReportMetrics[name] | undefined },
): ParsedLine {
  const { initDurationMs, errorType } = found;
  return {
    kind: 'report',
    requestId,
    durationMs: found.durationMs ?? Number.NaN,
    billedDurationMs: found.billedDurationMs ?? Number.NaN,
    memorySizeMb: found.memorySizeMb ?? Number.NaN,
    maxMemoryUsedMb: found.maxMemoryUsedMb ?? Number.NaN,
    ...(initDurationMs === undefined ? {} : { initDurationMs }),
    status: found.status ?? 'success',
    ...(errorType === undefined ? {} : { errorType }),
  };
}

function parseReportLine(requestId: string, line: string): ParsedLine {
  return reportOf(requestId, {
    durationMs: reportField(line, '(?<!Init |Billed |Restore )Duration'),
    billedDurationMs: reportField(line, 'Billed Duration'),
    memorySizeMb: reportField(line, 'Memory Size'),
    maxMemoryUsedMb: reportField(line, 'Max Memory Used'),
    initDurationMs: reportField(line, 'Init Duration'),
    status: /Status:\s*([A-Za-z.]+)/.exec(line)?.[1],
    errorType: /Error Type:\s*(\S+)/.exec(line)?.[1],
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function numberField(record: Record<string, unknown>, name: string): number | undefined {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `logFormat: JSON` platform records (`platform.start`, `platform.report`, …). */
function parsePlatformRecord(type: string, record: Record<string, unknown>): ParsedLine {
  const requestId = stringField(record, 'requestId');
  if (requestId === undefined) return { kind: 'other', text: type };
  if (type === 'platform.start') {
    const version = stringField(record, 'version');
    return { kind: 'start', requestId, ...(version === undefined ? {} : { version }) };
  }
  if (type === 'platform.runtimeDone') {
    // The JSON format's counterpart of END; its status is repeated by platform.report.
    return { kind: 'end', requestId };
  }
  if (type === 'platform.report') {
    const metrics = isRecord(record.metrics) ? record.metrics : {};
    return reportOf(requestId, {
      durationMs: numberField(metrics, 'durationMs'),
      billedDurationMs: numberField(metrics, 'billedDurationMs'),
      memorySizeMb: numberField(metrics, 'memorySizeMB'),
      maxMemoryUsedMb: numberField(metrics, 'maxMemoryUsedMB'),
      initDurationMs: numberField(metrics, 'initDurationMs'),
      status: stringField(record, 'status'),
      errorType: stringField(record, 'errorType'),
    });
  }
  return { kind: 'other', text: type };
}

/** A JSON application line: the handler's Powertools lines, or the runtime's JSON-format app logs. */
function parseAppRecord(record: Record<string, unknown>, prefixRequestId?: string): ParsedLine {
  const requestId =
    stringField(record, 'function_request_id', 'requestId', 'awsRequestId') ?? prefixRequestId;
  const correlationId = stringField(record, 'correlation_id', 'correlationId');
  const runId = stringField(record, 'run_id', 'runId');
  const status = numberField(record, 'status');
  const rawMessage = record.message;
  const message = typeof rawMessage === 'string' ? rawMessage : JSON.stringify(rawMessage ?? '');
  const errorType =
    stringField(record, 'errorType') ??
    (isRecord(rawMessage) ? stringField(rawMessage, 'errorType') : undefined);
  const level = (stringField(record, 'level', 'severity') ?? (errorType ? 'ERROR' : 'INFO')).toUpperCase();
  return {
    kind: 'app',
    level,
    message,
    ...(requestId === undefined ? {} : { requestId }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(runId === undefined ? {} : { runId }),
    ...(status === undefined ? {} : { status }),
    fields: record,
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The body of a runtime-prefixed console line: an uncaught error, a JSON app line, or text. */
function parseConsoleBody(prefixRequestId: string, prefixLevel: string, body: string): ParsedLine {
  // Outside an invocation (init phase) the runtime prints the request id as `undefined`.
  const requestId = prefixRequestId === 'undefined' ? undefined : prefixRequestId;
  for (const label of UNCAUGHT_LABELS) {
    if (body.startsWith(label)) {
      const payload = parseJson(body.slice(label.length).trim()) ?? {};
      return {
        kind: 'invoke-error',
        ...(requestId === undefined ? {} : { requestId }),
        label,
        errorType: stringField(payload, 'errorType') ?? 'Error',
        errorMessage: stringField(payload, 'errorMessage') ?? body.slice(label.length).trim(),
      };
    }
  }
  const inFlight = IN_FLIGHT.exec(body);
  if (inFlight?.[1])
    return { kind: 'in-flight', ...(requestId === undefined ? {} : { requestId }), work: inFlight[1] };
  const json = parseJson(body);
  if (json) return parseAppRecord(json, requestId);
  return {
    kind: 'console',
    ...(requestId === undefined ? {} : { requestId }),
    level: prefixLevel,
    text: body,
  };
}

export function parseLine(message: string): ParsedLine {
  const text = message.trim();
  let match = START_LINE.exec(text);
  if (match?.[1]) return { kind: 'start', requestId: match[1], ...(match[2] ? { version: match[2] } : {}) };
  match = END_LINE.exec(text);
  if (match?.[1]) return { kind: 'end', requestId: match[1] };
  match = REPORT_LINE.exec(text);
  if (match?.[1]) return parseReportLine(match[1], text);
  match = TIMEOUT_LINE.exec(text);
  if (match?.[2])
    return { kind: 'timeout', ...(match[1] ? { requestId: match[1] } : {}), seconds: Number(match[2]) };
  match = RUNTIME_EXIT_LINE.exec(text);
  if (match?.[1]) {
    return {
      kind: 'runtime-exit',
      requestId: match[1],
      errorType: RUNTIME_ERROR_TYPE.exec(text)?.[1] ?? 'Runtime.Unknown',
      message: match[2] ?? text,
    };
  }
  match = CONSOLE_LINE.exec(text);
  if (match?.[2]) return parseConsoleBody(match[2], match[3] ?? 'INFO', (match[4] ?? '').trim());
  const json = parseJson(text);
  if (json) {
    const type = stringField(json, 'type');
    if (type?.startsWith('platform.') && isRecord(json.record)) return parsePlatformRecord(type, json.record);
    return parseAppRecord(json);
  }
  // A bare `Runtime.ExitError` / `Runtime.Unknown` line without the `RequestId:` preamble.
  const runtimeError = RUNTIME_ERROR_TYPE.exec(text);
  if (runtimeError?.[1] && text.startsWith(runtimeError[1])) {
    return { kind: 'runtime-exit', errorType: runtimeError[1], message: text };
  }
  return { kind: 'other', text };
}

export function parseEvents(events: readonly LogEvent[]): ParsedEvent[] {
  return events.map((event) => ({ ...parseLine(event.message), event }));
}
