import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * Messages between the stage and an execution environment (a child process), one JSON line each
 * over the pipes of `channel.ts`. One invoke in, one answer out; the environment writes the
 * function's own log lines straight into its log stream, so no log traffic crosses the channel.
 */
export interface RuntimeConfig {
  bundleDir: string;
  /** `index.handler`: file `index.js`, export `handler`. */
  handler: string;
  functionName: string;
  memorySizeMb: number;
  region: string;
  accountId: string;
  logGroupName: string;
  logStreamName: string;
  logDir: string;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  event: APIGatewayProxyEvent;
  /** Epoch ms when the function times out, for `getRemainingTimeInMillis()`. */
  deadline: number;
  traceId: string;
}

export type EnvironmentMessage =
  | {
      type: 'ready';
      initDurationMs: number;
      /** CPU time (user + system) the process had used by then: init's work, whatever else runs on the host. */
      initCpuMs: number;
      nodeVersion: string;
    }
  | {
      type: 'result';
      requestId: string;
      /** What the function returned, after a JSON round trip (as Lambda serializes it); null for undefined. */
      result: unknown;
      durationMs: number;
      maxMemoryUsedMb: number;
    }
  | {
      type: 'error';
      requestId: string;
      /** `Function.ResponseSizeTooLarge`, `Runtime.HandlerError`, … */
      errorType: string;
      durationMs: number;
      maxMemoryUsedMb: number;
    };

/** Synchronous responses larger than this fail (Lambda quota "Invocation payload (request and response)"). */
export const MAX_RESPONSE_BYTES = 6_291_556;
