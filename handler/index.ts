import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyHandler,
  APIGatewayProxyResult,
  Context,
} from 'aws-lambda';
import { MisconfiguredFunction } from './errors';
import { checkTraceHeaders, header, traceHeader } from './http';
import { logger } from './logger';
import { createDocumentClient, petRepository } from './repository';
import { errorReply, type Reply, toProxyResult } from './responses';
import { route } from './routes';

/**
 * The Lambda entry (API Gateway REST API, proxy integration, v1 events): turns an event into a
 * route call and a thrown error into a status, and logs exactly one `request completed` line.
 */

// Built once per execution environment: the cold start pays, warm invocations reuse connections.
const documentClient = createDocumentClient();

async function answer(event: APIGatewayProxyEvent): Promise<Reply> {
  checkTraceHeaders(event);
  const tableName = process.env.TABLE_NAME;
  if (!tableName)
    throw new MisconfiguredFunction('TABLE_NAME is not set; the function cannot reach its table');
  return route(event, petRepository(documentClient, tableName));
}

export const handler: APIGatewayProxyHandler = async (
  event,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  const started = performance.now();
  const correlationId =
    traceHeader(event, 'x-correlation-id') || event.requestContext?.requestId || randomUUID();
  logger.addContext(context);
  logger.appendKeys({ correlation_id: correlationId, run_id: traceHeader(event, 'x-harness-run-id') });
  let reply: Reply;
  try {
    reply = await answer(event);
  } catch (error) {
    reply = errorReply(error);
    if (reply.status >= 500) logger.error('request failed', error as Error);
  }
  logger.info('request completed', {
    method: event.httpMethod,
    resource: event.resource,
    path: event.path,
    status: reply.status,
    duration_ms: Math.round(performance.now() - started),
  });
  logger.resetKeys();
  // Stryker disable next-line StringLiteral: equivalent while the spec's x-cors allows '*' (the origin is not read then); cors.test.ts covers named origins
  return toProxyResult(reply, { correlationId, origin: header(event, 'origin') });
};
