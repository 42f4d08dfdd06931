import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { EnvironmentMessage, InvokeMessage } from './protocol';

/**
 * One invocation on one environment: delivered with the function's timeout armed, ended by the
 * environment's answer, the timeout, or the environment's exit — whichever comes first.
 */

export type InvokeOutcome =
  | { kind: 'result'; result: unknown }
  | { kind: 'function-error'; errorType: string }
  | { kind: 'timeout' }
  | { kind: 'crash'; reason: string }
  | { kind: 'throttled' };

/** A request waiting for (or holding) an environment. */
export interface Waiter {
  requestId: string;
  event: APIGatewayProxyEvent;
  traceId: string;
  resolve(outcome: InvokeOutcome): void;
  /** The caller gave up (integration timeout): drop it if it is still queued. */
  cancelled: boolean;
}

export interface ActiveInvocation {
  waiter: Waiter;
  startedAt: number;
  timer: NodeJS.Timeout;
}

/**
 * What an invocation needs of an execution environment (environment.ts's Environment has it):
 * where its invocation is held, and the way to hand it one.
 */
export interface InvocationTarget {
  active?: ActiveInvocation;
  pendingInitMs?: number;
  maxMemoryUsedMb: number;
  deliver(message: InvokeMessage): void;
}

/** Hands the waiter's event to a ready environment; `onTimeout` fires if no answer comes in time. */
export function deliverInvocation<Env extends InvocationTarget>(
  env: Env,
  waiter: Waiter,
  timeoutSeconds: number,
  onTimeout: (env: Env) => void,
): void {
  const startedAt = Date.now();
  const timeoutMs = timeoutSeconds * 1000;
  const timer = setTimeout(() => onTimeout(env), timeoutMs);
  timer.unref();
  env.active = { waiter, startedAt, timer };
  const message: InvokeMessage = {
    type: 'invoke',
    requestId: waiter.requestId,
    event: waiter.event,
    deadline: startedAt + timeoutMs,
    traceId: waiter.traceId,
  };
  env.deliver(message);
}

/** Ends the environment's invocation, if it has one, with this outcome; gives back what it was. */
export function endInvocation(env: InvocationTarget, outcome: InvokeOutcome): ActiveInvocation | undefined {
  const active = env.active;
  if (!active) return undefined;
  clearTimeout(active.timer);
  env.active = undefined;
  env.pendingInitMs = undefined;
  active.waiter.resolve(outcome);
  return active;
}

/** The environment's own answer ends its invocation; false for an answer to an invocation already over. */
export function answerInvocation(
  env: InvocationTarget,
  message: Exclude<EnvironmentMessage, { type: 'ready' }>,
): boolean {
  if (env.active?.waiter.requestId !== message.requestId) return false;
  env.maxMemoryUsedMb = message.maxMemoryUsedMb;
  endInvocation(
    env,
    message.type === 'result'
      ? { kind: 'result', result: message.result }
      : { kind: 'function-error', errorType: message.errorType },
  );
  return true;
}
