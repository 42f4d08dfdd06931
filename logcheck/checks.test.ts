import { inFlightLine } from '../local/stage/lambda-log';
import {
  type Budgets,
  checkCompleteness,
  checkErrors,
  checkInFlight,
  checkMetrics,
  DEFAULT_BUDGETS,
  errorSummary,
  groupByRequest,
  percentile,
} from './checks';
import { parseEvents } from './parse';
import { IDS, jsonFormatEvents, plainTextEvents, toEvents } from './test/events';

const plain = parseEvents(plainTextEvents());
const plainRequests = groupByRequest(plain);
const json = parseEvents(jsonFormatEvents());
const jsonRequests = groupByRequest(json);

describe('checkErrors', () => {
  it('finds the ERROR line, the timeout, the uncaught error and the runtime exit of the run, each with its request id', () => {
    const result = checkErrors(plain, plainRequests, 'run-1', DEFAULT_BUDGETS);
    expect(result.errors.map((error) => error.requestId)).toEqual([
      IDS.serviceUnavailable,
      IDS.timeout,
      IDS.timeout,
      IDS.invokeError,
      IDS.exitError,
      IDS.exitError,
    ]);
    expect(result.failedRequests).toBe(4);
    expect(result.violations).toEqual([
      {
        check: 'errors',
        message: expect.stringMatching(/^4 failed request\(s\) \(6 error line\(s\)\), budget 0; first: \S/u),
        requestIds: [IDS.serviceUnavailable, IDS.timeout, IDS.invokeError, IDS.exitError],
      },
    ]);
  });

  it('gives a logged error as its name and message, which for AccessDeniedException names the action and resource', () => {
    const denied =
      'User: arn:aws:sts::0:assumed-role/R/Pets is not authorized to perform: dynamodb:BatchGetItem on resource: arn:aws:dynamodb:us-east-1:0:table/pets because no identity-based policy allows the dynamodb:BatchGetItem action';
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'request failed',
      error: { name: 'AccessDeniedException', message: denied },
    });

    expect(errorSummary(line)).toBe(`AccessDeniedException: ${denied}`);
    expect(errorSummary('2026-01-01T00:00:00.000Z\tid\tERROR\tplain')).toBe(
      '2026-01-01T00:00:00.000Z\tid\tERROR\tplain',
    );
  });

  it("joins a line to the handler's correlation id through the request id", () => {
    const withTimeoutHandlerLine = parseEvents([
      ...plainTextEvents(),
      {
        logStreamName: 's',
        timestamp: 1,
        ingestionTime: 1,
        message: `{"level":"INFO","message":"fetching","function_request_id":"${IDS.timeout}","correlation_id":"corr-d","run_id":"run-1"}`,
      },
    ]);
    const result = checkErrors(
      withTimeoutHandlerLine,
      groupByRequest(withTimeoutHandlerLine),
      'run-1',
      DEFAULT_BUDGETS,
    );
    expect(result.errors.filter((error) => error.requestId === IDS.timeout)).toEqual([
      expect.objectContaining({
        correlationId: 'corr-d',
        line: expect.stringContaining('Task timed out after 10.00 seconds'),
      }),
      expect.objectContaining({ correlationId: 'corr-d', line: expect.stringContaining('Status: timeout') }),
    ]);
    expect(result.errors[0]).toMatchObject({ requestId: IDS.serviceUnavailable, correlationId: 'corr-c' });
  });

  it('leaves out the errors of another run sharing the log group', () => {
    const result = checkErrors(plain, plainRequests, 'run-1', DEFAULT_BUDGETS);
    expect(result.errors.map((error) => error.requestId)).not.toContain(IDS.otherRun);
    expect(
      checkErrors(plain, plainRequests, 'run-2', DEFAULT_BUDGETS).errors.map((e) => e.requestId),
    ).toContain(IDS.otherRun);
  });

  it('passes when the failures are within the budget', () => {
    expect(checkErrors(plain, plainRequests, 'run-1', { maxErrors: 4 }).violations).toEqual([]);
  });

  it('finds the JSON-format error and timeout records', () => {
    const result = checkErrors(json, jsonRequests, 'run-j', DEFAULT_BUDGETS);
    expect(result.violations[0]?.requestIds).toEqual([IDS.jsonError, IDS.jsonTimeout]);
    expect(result.errors.find((e) => e.requestId === IDS.jsonTimeout)?.correlationId).toBe('corr-j');
  });
});

describe('checkInFlight', () => {
  const left = (requestId: string, runId: string, work: string) => [
    `START RequestId: ${requestId} Version: $LATEST`,
    JSON.stringify({
      level: 'INFO',
      message: 'request completed',
      function_request_id: requestId,
      run_id: runId,
    }),
    inFlightLine(requestId, work),
    `END RequestId: ${requestId}`,
  ];

  it("turns each of the run's in-flight warnings into one finding naming the work and the request ids", () => {
    const parsed = parseEvents(
      toEvents([
        ...left(IDS.coldOk, 'run-1', '1 outgoing HTTP request, 3 timers, 36 unsettled promises'),
        ...left(IDS.notFound, 'run-1', '1 timer'),
        ...left(IDS.otherRun, 'run-2', '1 immediate'),
      ]),
    );
    expect(checkInFlight(parsed, groupByRequest(parsed), 'run-1')).toEqual([
      {
        check: 'in-flight work',
        message:
          '2 invocation(s) returned with work still in flight, which Lambda freezes at return (it runs on a later invocation, or never): 1 outgoing HTTP request, 3 timers, 36 unsettled promises; 1 timer',
        requestIds: [IDS.coldOk, IDS.notFound],
      },
    ]);
  });

  it('finds nothing in a run whose handler left nothing running', () => {
    expect(checkInFlight(plain, plainRequests, 'run-1')).toEqual([]);
  });
});

describe('checkCompleteness', () => {
  it('counts the run’s request completed lines by status class', () => {
    const result = checkCompleteness(plain, plainRequests, 'run-1', { expected: 3 });
    expect(result).toMatchObject({ expected: 3, found: 3, byStatusClass: { '2xx': 1, '4xx': 1, '5xx': 1 } });
    expect(result.violations).toEqual([]);
  });

  it('reports the count difference and the requests that never finished when fewer were logged than sent', () => {
    const result = checkCompleteness(plain, plainRequests, 'run-1', { expected: 6 });
    expect(result.violations).toEqual([
      {
        check: 'completeness',
        message: "3 'request completed' line(s) for run run-1, expected 6: 3 request(s) sent but not logged",
        requestIds: [IDS.timeout, IDS.invokeError, IDS.exitError],
      },
    ]);
  });

  it('names the sent correlation ids that have no line', () => {
    const result = checkCompleteness(plain, plainRequests, 'run-1', {
      sentCorrelationIds: ['corr-a', 'corr-b', 'corr-c', 'corr-lost'],
    });
    expect(result.missingCorrelationIds).toEqual(['corr-lost']);
    expect(result.violations[0]?.message).toContain('corr-lost');
  });

  it('says when more lines were logged than sent', () => {
    const result = checkCompleteness(plain, plainRequests, 'run-1', { expected: 2 });
    expect(result.violations[0]?.message).toContain('1 more logged than sent');
  });

  it('counts nothing for an unknown run id', () => {
    expect(checkCompleteness(plain, plainRequests, 'run-x', {}).found).toBe(0);
  });

  it.each([
    ['no count was given', {}],
    ['the run expected none', { expected: 0 }],
  ])(
    'fails a run none of whose requests reached the function (0/0 passes nothing) when %s',
    (_case, expectation) => {
      const result = checkCompleteness(plain, plainRequests, 'run-x', expectation);

      expect(result.violations).toEqual([
        expect.objectContaining({
          check: 'completeness',
          message: expect.stringMatching(
            /no 'request completed' line for run run-x: no request of the run reached the function/,
          ),
        }),
      ]);
    },
  );
});

describe('percentile', () => {
  it.each([
    [[5], 50, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
  ])('of %j at p%d is %d (nearest rank)', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 95)).toBeNaN();
  });
});

describe('checkMetrics', () => {
  const generous: Omit<Budgets, 'maxErrors'> = { ...DEFAULT_BUDGETS, p95Ms: 5000, p99Ms: 5000 };

  it("computes duration, billed duration, cold starts and memory from the run's REPORT lines only", () => {
    const { metrics, violations } = checkMetrics(plainRequests, 'run-1', generous);
    expect(metrics).toEqual({
      reports: 3,
      requestsWithoutReport: 0,
      durationP50Ms: 112.41,
      durationP95Ms: 1450.9,
      durationP99Ms: 1450.9,
      durationMaxMs: 1450.9,
      billedDurationP95Ms: 1451,
      billedDurationTotalMs: 1573,
      coldStarts: 1,
      initDurationP95Ms: 312.77,
      memorySizeMb: 256,
      maxMemoryUsedMb: 95,
      maxMemoryUsedPct: 37.11,
    });
    expect(violations).toEqual([]);
  });

  it.each<[string, Partial<Budgets>, string, string[]]>([
    ['p95', { p95Ms: 1000 }, 'duration p95', [IDS.serviceUnavailable]],
    ['p99', { p99Ms: 100 }, 'duration p99', [IDS.coldOk, IDS.serviceUnavailable]],
    ['cold starts', { maxColdStarts: 0 }, 'cold starts', [IDS.coldOk]],
    ['init p95', { initP95Ms: 300 }, 'init duration p95', [IDS.coldOk]],
    ['memory', { maxMemoryPct: 35 }, 'memory', [IDS.coldOk, IDS.notFound, IDS.serviceUnavailable]],
  ])('flags the %s budget and names the requests over it', (_name, budget, check, requestIds) => {
    const { violations } = checkMetrics(plainRequests, 'run-1', { ...generous, ...budget });
    expect(violations).toEqual([{ check, message: expect.any(String), requestIds }]);
  });

  it('reads the JSON-format platform.report records', () => {
    const { metrics } = checkMetrics(jsonRequests, 'run-j', generous);
    expect(metrics).toMatchObject({
      reports: 2,
      coldStarts: 1,
      initDurationP95Ms: 290.45,
      durationMaxMs: 10000,
    });
  });
});
