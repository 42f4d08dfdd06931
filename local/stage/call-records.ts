import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type AccessLog, createAccessLog, itemsReturnedBy, type RouteAccess } from './access-patterns';
import type { DynamoDbFault } from './dynamodb-faults';
import type { CallerInvocation } from './dynamodb-gateway';
import type { HttpAnswer } from './response';
import type { PartitionKey } from './template';

/**
 * The stage's side of tying DynamoDB calls to invocations: an invocation is tracked from the
 * moment it is handed to the pool until its outcome; the gateway asks which invocation an
 * environment is running (the pool knows) and files each call under it. At the end, the
 * invocation's calls go to its route's access pattern — unless it asked for a fault: a failing
 * DynamoDB is not the function's access pattern.
 */
export interface CallRecords {
  /** For the gateway: the invocation the environment runs, by its id. */
  invocationOf(environmentId: string): CallerInvocation | undefined;
  /** Tracks an invocation from now on, failing its calls with `fault` when it names one. */
  begin(requestId: string, fault?: DynamoDbFault): void;
  /** Its outcome is known: what the stage answered (undefined: nothing came back). */
  end(requestId: string, event: APIGatewayProxyEvent, answer: HttpAnswer | undefined): void;
  accessPatterns(): RouteAccess[];
}

/** `runningOn` is the pool's, which is built after the gateway that asks: it is looked up per call. */
export function createCallRecords(
  partitionKeys: readonly PartitionKey[],
  runningOn: () => ((environmentId: string) => string | undefined) | undefined,
): CallRecords {
  const running = new Map<string, CallerInvocation>();
  const log: AccessLog = createAccessLog(partitionKeys);
  return {
    invocationOf(environmentId) {
      const requestId = runningOn()?.(environmentId);
      return requestId === undefined ? undefined : running.get(requestId);
    },
    begin(requestId, fault) {
      running.set(requestId, { ...(fault ? { fault } : {}), calls: [] });
    },
    end(requestId, event, answer) {
      const invocation = running.get(requestId);
      running.delete(requestId);
      if (!invocation || invocation.fault) return;
      log.record({
        method: event.httpMethod,
        resource: event.resource,
        pathParameters: Object.keys(event.pathParameters ?? {}),
        queryParameters: Object.keys(event.queryStringParameters ?? {}),
        itemsReturned: answer ? itemsReturnedBy(answer.statusCode, answer.body) : 0,
        calls: invocation.calls,
      });
    },
    accessPatterns: () => log.routes(),
  };
}
