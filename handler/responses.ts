import type { APIGatewayProxyResult } from 'aws-lambda';
import { corsHeaders } from './cors';
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from './errors';
import { InvalidPet, PetAlreadyExists, PetNotFound } from './pet';
import { DataStoreUnavailable } from './repository';

/** What a route answers, before the headers every response carries are added. */
export interface Reply {
  status: number;
  /** JSON-serialisable; absent for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}

const INTERNAL_ERROR_BODY = { message: 'Internal server error' } as const;
/** Seconds a client should wait after DynamoDB throttled or was unreachable. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The reply for an error. Known errors carry their own message; anything else is a 500 whose body
 * says nothing more than "Internal server error" (the cause goes to the log, not to the caller).
 */
export function errorReply(error: unknown): Reply {
  if (error instanceof InvalidPet || error instanceof InvalidRequest) {
    return { status: 400, body: { message: error.message, errors: error.errors } };
  }
  if (error instanceof PetNotFound) return { status: 404, body: { message: error.message } };
  if (error instanceof PetAlreadyExists) return { status: 409, body: { message: error.message } };
  if (error instanceof PayloadTooLarge) return { status: 413, body: { message: error.message } };
  if (error instanceof UnsupportedMediaType) return { status: 415, body: { message: error.message } };
  if (error instanceof DataStoreUnavailable) {
    return {
      status: 503,
      body: { message: 'Service unavailable, retry later' },
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
    };
  }
  return { status: 500, body: INTERNAL_ERROR_BODY };
}

/** The Lambda proxy result: JSON content type, correlation id and CORS on every response. */
export function toProxyResult(
  reply: Reply,
  context: { correlationId: string; origin: string | undefined },
): APIGatewayProxyResult {
  return {
    statusCode: reply.status,
    headers: {
      'content-type': 'application/json',
      'x-correlation-id': context.correlationId,
      ...corsHeaders(context.origin),
      ...reply.headers,
    },
    body: reply.body === undefined ? '' : JSON.stringify(reply.body),
  };
}
