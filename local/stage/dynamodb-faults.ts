import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';

/**
 * DynamoDB failing on purpose, for one invocation at a time: the stage's DynamoDB gateway answers
 * every call of an invocation that asked for a fault (the `x-harness-fault` header on its HTTP
 * request) the way DynamoDB fails, and never passes the call on, so the table cannot change.
 * Answers as DynamoDB sends them (JSON 1.0 protocol, `__type` and message; the HTTP statuses of
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 */

/** The header a request names its fault in; the stage honours it only with fault injection on. */
export const FAULT_HEADER = 'x-harness-fault';

type DynamoDbError = { status: number; type: string; message: string };

/** What DynamoDB answers, per fault, or what happens to the connection instead. */
const FAULTS = {
  'throughput-exceeded': {
    group: 'throttling',
    answer: {
      status: 400,
      type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    },
  },
  throttling: {
    group: 'throttling',
    answer: {
      status: 400,
      type: 'com.amazon.coral.availability#ThrottlingException',
      message: 'Rate of requests exceeds the allowed throughput.',
    },
  },
  'internal-error': {
    group: 'outage',
    answer: {
      status: 500,
      type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: 'The server encountered an internal error trying to fulfill the request.',
    },
  },
  unavailable: {
    group: 'outage',
    answer: {
      status: 503,
      type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
      message: 'DynamoDB is currently unavailable. (This should be a temporary state.)',
    },
  },
  /** The connection is reset without an answer (the client sees ECONNRESET). */
  reset: { group: 'outage', answer: 'reset' },
  /** No answer ever comes: the client's own timeout is all that ends the call. */
  hang: { group: 'hung call', answer: 'hang' },
  /** A failure that is not transient: the function must answer a plain 5xx, not 503. */
  'table-not-found': {
    group: 'unexpected error',
    answer: {
      status: 400,
      type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
      message: 'Requested resource not found',
    },
  },
} as const satisfies Record<string, { group: string; answer: DynamoDbError | 'reset' | 'hang' }>;

export type DynamoDbFault = keyof typeof FAULTS;
export type FaultGroup = (typeof FAULTS)[DynamoDbFault]['group'];
export const DYNAMODB_FAULTS = Object.keys(FAULTS) as DynamoDbFault[];

export function faultGroup(fault: DynamoDbFault): FaultGroup {
  return FAULTS[fault].group;
}

/** The fault a request's header names; undefined for none; an Error naming the choices for an unknown one. */
export function parseFault(value: string | string[] | undefined): DynamoDbFault | Error | undefined {
  if (value === undefined) return undefined;
  const name = Array.isArray(value) ? value[value.length - 1] : value;
  if ((DYNAMODB_FAULTS as string[]).includes(name ?? '')) return name as DynamoDbFault;
  return new Error(`unknown ${FAULT_HEADER} '${name}': one of ${DYNAMODB_FAULTS.join(', ')}`);
}

/** Answers a JSON body the way DynamoDB does (content type, request id, CRC32 of the body). */
export function answerAsDynamoDb(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': text.byteLength,
    'x-amzn-requestid': randomUUID().replace(/-/gu, '').toUpperCase(),
    'x-amz-crc32': String(crc32(text)),
  });
  res.end(text);
}

/**
 * Fails one DynamoDB call as `fault` says (its body has been read and is dropped); gives back the
 * HTTP status answered, 0 when none is.
 */
export function failCall(fault: DynamoDbFault, req: IncomingMessage, res: ServerResponse): number {
  const answer: DynamoDbError | 'reset' | 'hang' = FAULTS[fault].answer;
  // A hung call is held until the client gives up (its socket closes) or the gateway stops.
  if (answer === 'hang') return 0;
  if (answer === 'reset') {
    req.socket.resetAndDestroy();
    return 0;
  }
  answerAsDynamoDb(res, answer.status, { __type: answer.type, message: answer.message });
  return answer.status;
}
