import type { Environment } from './environment';
import type { ActiveInvocation } from './invocation';
import { endLine, reportLine, runtimeExitLine, timeoutLine } from './lambda-log';

/**
 * The lines the stage writes into an environment's log stream for an invocation the environment
 * could not finish itself (it timed out and was killed, or it exited mid-invocation): what
 * Lambda's platform writes in those cases. Every other line comes from the environment.
 */

interface Unfinished {
  env: Environment;
  active: ActiveInvocation;
  memorySizeMb: number;
}

function endAndReport(
  { env, active, memorySizeMb }: Unfinished,
  durationMs: number,
  status: { status: 'timeout' | 'error'; errorType?: string },
): void {
  const requestId = active.waiter.requestId;
  env.log.append(endLine(requestId));
  env.log.append(
    reportLine({
      requestId,
      durationMs,
      memorySizeMb,
      maxMemoryUsedMb: env.maxMemoryUsedMb,
      initDurationMs: env.pendingInitMs,
      ...status,
    }),
  );
}

/** `Task timed out after N seconds`, then END and a REPORT with `Status: timeout`. */
export function logTimedOut(unfinished: Unfinished, timeoutSeconds: number): void {
  unfinished.env.log.append(timeoutLine(unfinished.active.waiter.requestId, timeoutSeconds));
  endAndReport(unfinished, timeoutSeconds * 1000, { status: 'timeout' });
}

/** `Runtime exited with error: …`, then END and a REPORT with `Runtime.ExitError`. */
export function logExited(unfinished: Unfinished, reason: string): void {
  unfinished.env.log.append(runtimeExitLine(unfinished.active.waiter.requestId, reason));
  endAndReport(unfinished, Date.now() - unfinished.active.startedAt, {
    status: 'error',
    errorType: 'Runtime.ExitError',
  });
}
