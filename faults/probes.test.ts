import { operations } from '../contract/spec';
import { hasStackTrace, judgeProbe, type ProbeAnswer, probeRequests } from './probes';

const request = probeRequests({ existing: { id: 1, type: 'dog' }, freeId: 1001 })[0]!;
const sent = { correlationId: 'c-1', timeoutMs: 10_000 };

function answer(fields: Partial<ProbeAnswer>): ProbeAnswer {
  return {
    status: 503,
    retryAfter: '1',
    correlationId: 'c-1',
    body: '{"message":"Service unavailable, retry later"}',
    ms: 120,
    ...fields,
  };
}

describe('the fault round’s judgement of one answer', () => {
  it('passes 503 with Retry-After from the function during throttling and an outage', () => {
    expect(judgeProbe(request, 'throughput-exceeded', sent, answer({})).problems).toEqual([]);
    expect(
      judgeProbe(request, 'reset', sent, answer({ retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' })).problems,
    ).toEqual([]);
  });

  it('names a throttle answered 500 without Retry-After', () => {
    const outcome = judgeProbe(request, 'throttling', sent, answer({ status: 500, retryAfter: undefined }));

    expect(outcome).toMatchObject({ group: 'throttling', expected: '503 with Retry-After' });
    expect(outcome.problems).toEqual(['answered 500, not 503', 'no valid Retry-After header']);
  });

  it('names an outage answered 200 [] as a success that hides the failure', () => {
    const outcome = judgeProbe(
      request,
      'internal-error',
      sent,
      answer({ status: 200, retryAfter: undefined, body: '[]' }),
    );

    expect(outcome.problems).toEqual([
      'answered 200: a success that hides the failure',
      'no valid Retry-After header',
    ]);
  });

  it('names a hung call that Lambda’s timeout ended instead of the function', () => {
    const timedOut = answer({
      status: 502,
      retryAfter: undefined,
      correlationId: undefined,
      body: '{"message":"Internal server error"}',
      ms: 10_030,
    });

    expect(judgeProbe(request, 'hang', sent, timedOut).problems).toEqual([
      'no answer from the function within its 10 s timeout (API Gateway answered 502 after 10.0 s): its SDK timeouts and retries outlive it',
    ]);
  });

  it('names a 502 of API Gateway before the timeout as the function failing', () => {
    const crashed = answer({ status: 502, retryAfter: undefined, correlationId: undefined, ms: 300 });

    expect(judgeProbe(request, 'unavailable', sent, crashed).problems).toEqual([
      '502 from API Gateway, not from the function (no x-correlation-id echoed): the function failed',
      'answered 502, not 503',
      'no valid Retry-After header',
    ]);
  });

  it('passes a hung call the function answered 503 in time, and an unexpected error answered 500', () => {
    expect(judgeProbe(request, 'hang', sent, answer({ ms: 4_300 })).problems).toEqual([]);
    expect(
      judgeProbe(
        request,
        'table-not-found',
        sent,
        answer({ status: 500, retryAfter: undefined, body: '{"message":"Internal server error"}' }),
      ).problems,
    ).toEqual([]);
  });

  it('names a 5xx whose body carries a stack trace, or is not JSON', () => {
    const stack = JSON.stringify({
      message: 'x',
      detail: 'Error: boom\n    at Object.get (/var/task/index.js:12:7)',
    });

    expect(judgeProbe(request, 'unavailable', sent, answer({ body: stack })).problems).toEqual([
      'the body carries a stack trace',
    ]);
    expect(
      judgeProbe(request, 'unavailable', sent, answer({ body: 'Service Unavailable' })).problems,
    ).toEqual(['the 5xx body is not a JSON object']);
  });
});

describe('hasStackTrace', () => {
  it.each([
    'Error: boom\n    at Object.<anonymous> (/var/task/index.js:1:2)',
    '{"stack":"TypeError: x"}',
    '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    '{"m":"at async get (file:///var/task/index.mjs:3:9)"}',
  ])('finds one in %j', (body) => {
    expect(hasStackTrace(body)).toBe(true);
  });

  it.each([
    '{"message":"Service unavailable, retry later"}',
    '{"message":"look at the pets"}',
    '[{"id":1,"type":"cat","breed":"at home: 3:4"}]',
  ])('finds none in %j', (body) => {
    expect(hasStackTrace(body)).toBe(false);
  });
});

describe('the fault round’s requests', () => {
  it('cover every operation of the contract', () => {
    const sentOperations = new Set(
      probeRequests({ existing: { id: 1, type: 'dog' }, freeId: 1001 }).map((probe) =>
        probe.route.replace(/\?.*$/u, ''),
      ),
    );

    expect([...sentOperations].sort()).toEqual(
      operations()
        .map((operation) => `${operation.method} ${operation.resource}`)
        .sort(),
    );
  });
});
