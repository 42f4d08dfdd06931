/**
 * The lines the Lambda runtime writes around each invocation, in the exact shapes CloudWatch shows
 * (the log check parses these). Pure, so the formats are unit-tested.
 */

export function startLine(requestId: string): string {
  return `START RequestId: ${requestId} Version: $LATEST`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on the first invocation of an environment. */
  initDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
}

export function reportLine(fields: ReportFields): string {
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    // Billed per millisecond, rounded up (https://aws.amazon.com/lambda/pricing/).
    `Billed Duration: ${Math.max(1, Math.ceil(fields.durationMs))} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${Math.max(1, Math.round(fields.maxMemoryUsedMb))} MB`,
  ];
  if (fields.initDurationMs !== undefined)
    parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  if (fields.status) parts.push(`Status: ${fields.status}`);
  if (fields.errorType) parts.push(`Error Type: ${fields.errorType}`);
  return parts.join('\t');
}

export function timeoutLine(requestId: string, timeoutSeconds: number, now = new Date()): string {
  return `${now.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** `exit status 1`, or `signal: killed` for a process ended by a signal, as the runtime reports it. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'signal: killed';
  if (signal) return `signal: ${signal.replace(/^SIG/u, '').toLowerCase()}`;
  return `exit status ${code ?? 0}`;
}

export function runtimeExitLine(requestId: string, reason: string): string {
  return `RequestId: ${requestId} Error: Runtime exited with error: ${reason}\nRuntime.ExitError`;
}

/** `console.*` inside the function: `<iso ts>\t<requestId>\t<LEVEL>\t<message>`. */
export function consoleLine(
  requestId: string | undefined,
  level: string,
  message: string,
  now = new Date(),
): string {
  return `${now.toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${message}`;
}

export interface ErrorShape {
  errorType: string;
  errorMessage: string;
  stack: string[];
}

function errorShape(error: unknown): ErrorShape {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, stack: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), stack: [] };
}

/** An error the handler threw or rejected with: `… ERROR\tInvoke Error \t{"errorType":…}`. */
export function invokeErrorLine(requestId: string | undefined, error: unknown, now = new Date()): string {
  return consoleLine(requestId, 'ERROR', `Invoke Error \t${JSON.stringify(errorShape(error))}`, now);
}

/** An error nobody caught (thrown in a callback, a rejected promise nobody awaited). */
export function uncaughtLine(
  requestId: string | undefined,
  kind: 'Uncaught Exception' | 'Unhandled Promise Rejection',
  error: unknown,
  now = new Date(),
): string {
  return consoleLine(requestId, 'ERROR', `${kind} \t${JSON.stringify(errorShape(error))}`, now);
}

/** How the environment's in-flight warning starts; the log check looks for it. */
export const IN_FLIGHT_LABEL = 'Runtime.InFlightWork';

/**
 * Not a line Lambda writes (Lambda freezes in silence): the local environment's warning that the
 * handler returned while work it started was still running, e.g. `2 unsettled promises, 1 timer`.
 */
export function inFlightLine(requestId: string, work: string, now = new Date()): string {
  return consoleLine(
    requestId,
    'WARN',
    `${IN_FLIGHT_LABEL}: the handler returned with work still in flight: ${work}. Lambda freezes the environment now: this work resumes when the environment is next invoked, or never if it is shut down first.`,
    now,
  );
}
