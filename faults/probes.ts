import type { Pet } from '../handler/types';
import { type DynamoDbFault, type FaultGroup, faultGroup } from '../local/stage/dynamodb-faults';

/**
 * One request of the fault round: a route, sent while DynamoDB fails in one way, and what the
 * answer must be. Throttling and an outage are "retry later": 503 with Retry-After. A hung call
 * must end in the function's own 5xx, so within its timeout (an SDK timeout or retry policy that
 * outlives the function ends in Lambda's timeout instead, and API Gateway answers 502; the time
 * the client waited is no measure, as it includes cold starts and queueing). A failure that is not
 * transient is a plain 5xx. Never a 2xx that hides the failure, never a
 * stack trace in a body, every 5xx JSON.
 */

export interface ProbeRequest {
  /** As the report names it: `GET /pets?type=`. */
  route: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the stage, with the query. */
  path: string;
  body?: string;
}

/** What came back. */
export interface ProbeAnswer {
  status: number;
  /** The headers the checks read, lower-case names. */
  retryAfter?: string;
  correlationId?: string;
  contentType?: string;
  body: string;
  ms: number;
}

export interface ProbeOutcome {
  route: string;
  fault: DynamoDbFault;
  group: FaultGroup;
  expected: string;
  status: number;
  ms: number;
  correlationId: string;
  /** What was wrong with the answer; empty when it was right. */
  problems: string[];
}

/** What the probes ask for: a pet that is there, its type, and an id that is free. */
export interface ProbeData {
  existing: Pick<Pet, 'id' | 'type'>;
  freeId: number;
}

/** Every route the API has (a test holds this list to the contract), with values from the table. */
export function probeRequests(data: ProbeData): ProbeRequest[] {
  const { existing, freeId } = data;
  const pet: Pet = { id: freeId, type: existing.type, breed: 'fault round', price: 1 };
  return [
    { route: 'GET /pets', method: 'GET', path: '/pets' },
    { route: 'GET /pets?type=', method: 'GET', path: `/pets?type=${encodeURIComponent(existing.type)}` },
    { route: 'GET /pets/{id}', method: 'GET', path: `/pets/${existing.id}` },
    { route: 'POST /pets', method: 'POST', path: '/pets', body: JSON.stringify(pet) },
    { route: 'DELETE /pets/{id}', method: 'DELETE', path: `/pets/${existing.id}` },
  ];
}

const EXPECTED: Record<FaultGroup, string> = {
  throttling: '503 with Retry-After',
  outage: '503 with Retry-After',
  'hung call': "the function's own 5xx within its timeout",
  'unexpected error': "the function's own 5xx",
};

/** `at fn (file.js:12:34)`, `at async fn (file:///…:1:2)`, `at node:internal/…`: a line of a JavaScript stack. */
const STACK_LINE =
  /(^|\n|\\n|")\s*at\s+(?:async\s+)?(?:[^\s()]+\s+\()?(?:[^\s()]+:\d+:\d+|node:[^\s)]+|native|<anonymous>)\)?/u;

/** Whether a body shows a stack trace: stack lines, or a `stack` field. */
export function hasStackTrace(body: string): boolean {
  if (STACK_LINE.test(body)) return true;
  try {
    return JSON.stringify(JSON.parse(body)).includes('"stack":');
  } catch {
    return false;
  }
}

function isJsonObject(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  return /^\d+$/u.test(value.trim()) || !Number.isNaN(Date.parse(value));
}

/** What every answer to a failing DynamoDB must be, whatever the fault. */
function commonProblems(answer: ProbeAnswer, sent: { correlationId: string; timeoutMs: number }): string[] {
  const problems: string[] = [];
  if (answer.status >= 200 && answer.status < 300) {
    problems.push(`answered ${answer.status}: a success that hides the failure`);
  }
  if (hasStackTrace(answer.body)) problems.push('the body carries a stack trace');
  if (answer.status >= 500 && !isJsonObject(answer.body)) problems.push('the 5xx body is not a JSON object');
  if (answer.status >= 500 && answer.correlationId !== sent.correlationId) {
    // API Gateway's own 502/504: Lambda's timeout ended the function, or it failed outright.
    problems.push(
      answer.ms >= sent.timeoutMs
        ? `no answer from the function within its ${sent.timeoutMs / 1000} s timeout (API Gateway answered ${answer.status} after ${(answer.ms / 1000).toFixed(1)} s): its SDK timeouts and retries outlive it`
        : `${answer.status} from API Gateway, not from the function (no x-correlation-id echoed): the function failed`,
    );
  }
  return problems;
}

/** What the answer must be for this kind of fault; a 2xx is already named. */
function groupProblems(group: FaultGroup, answer: ProbeAnswer): string[] {
  const success = answer.status >= 200 && answer.status < 300;
  if (group === 'throttling' || group === 'outage') {
    const problems = success || answer.status === 503 ? [] : [`answered ${answer.status}, not 503`];
    if (!validRetryAfter(answer.retryAfter)) problems.push('no valid Retry-After header');
    return problems;
  }
  return success || (answer.status >= 500 && answer.status <= 599)
    ? []
    : [`answered ${answer.status}, not a 5xx`];
}

/** Judges one answer: the problems it has, given the fault and the function's timeout. */
export function judgeProbe(
  request: ProbeRequest,
  fault: DynamoDbFault,
  sent: { correlationId: string; timeoutMs: number },
  answer: ProbeAnswer,
): ProbeOutcome {
  const group = faultGroup(fault);
  return {
    route: request.route,
    fault,
    group,
    expected: EXPECTED[group],
    status: answer.status,
    ms: answer.ms,
    correlationId: sent.correlationId,
    problems: [...commonProblems(answer, sent), ...groupProblems(group, answer)],
  };
}
