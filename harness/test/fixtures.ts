import type { AccessResult } from '../../access/index';
import type { FaultRoundResult, ProbeOutcome } from '../../faults/index';
import type { FuzzResult } from '../../fuzz/index';
import type { LoadResult, LogCheckResult, NewmanResult, RunSummary, StepRecord } from '../results';

/** Typed results of a run, shaped like the parts return them, for rendering tests. */

export function newmanResult(overrides: Partial<NewmanResult> = {}): NewmanResult {
  return {
    passed: true,
    requestsSent: 58,
    requestsAtFunction: 52,
    assertions: { total: 214, failed: 0 },
    folders: [
      { name: 'list pets', requests: 9, assertions: 34, failed: 0 },
      { name: 'get a pet', requests: 8, assertions: 30, failed: 0 },
      { name: 'create a pet', requests: 17, assertions: 66, failed: 0 },
      { name: 'delete a pet', requests: 10, assertions: 38, failed: 0 },
      { name: 'gateway', requests: 14, assertions: 46, failed: 0 },
    ],
    failures: [],
    reports: {
      junit: '/work/main/reports/run-1/newman-junit.xml',
      html: '/work/main/reports/run-1/newman.html',
      json: '/work/main/reports/run-1/newman-summary.json',
    },
    startedAt: '2026-11-23T22:00:03.000Z',
    finishedAt: '2026-11-23T22:00:07.400Z',
    ...overrides,
  };
}

export function fuzzResult(overrides: Partial<FuzzResult> = {}): FuzzResult {
  return {
    passed: true,
    schemathesisVersion: '4.32.5',
    seed: '1234',
    cases: { generated: 120, withFailures: 0, uniqueFailures: 0, errored: 0 },
    phases: { examples: 'skip', coverage: 'success', fuzzing: 'success', stateful: 'success' },
    failures: [],
    filtered: 3,
    warnings: [],
    requestsSent: 130,
    requestsAtFunction: 126,
    cleanup: { deleted: 2, restored: 1, requests: 3, problems: [] },
    reports: {
      junit: '/work/main/reports/run-1/fuzz-junit.xml',
      schemathesis: '/work/main/reports/run-1/fuzz-schemathesis.json',
      output: '/work/main/reports/run-1/fuzz-output.txt',
      ledger: '/work/main/reports/run-1/fuzz-ledger.ndjson',
      summary: '/work/main/reports/run-1/fuzz-summary.json',
    },
    startedAt: '2026-11-23T22:00:40.000Z',
    finishedAt: '2026-11-23T22:01:12.000Z',
    ...overrides,
  };
}

/** A fault round over two routes and two faults, every answer right unless `overrides` say. */
export function faultRoundResult(overrides: Partial<FaultRoundResult> = {}): FaultRoundResult {
  const probe = (route: string, fault: ProbeOutcome['fault']): ProbeOutcome => ({
    route,
    fault,
    group: fault === 'hang' ? 'hung call' : 'throttling',
    expected: fault === 'hang' ? "the function's own 5xx within its timeout" : '503 with Retry-After',
    status: 503,
    ms: fault === 'hang' ? 4300 : 120,
    correlationId: `run-1.faults-${route.length}${fault.length}`,
    problems: [],
  });
  return {
    passed: true,
    runId: 'run-1.faults',
    faults: ['throttling', 'hang'],
    probes: ['GET /pets', 'GET /pets/{id}'].flatMap((route) => [
      probe(route, 'throttling'),
      probe(route, 'hang'),
    ]),
    table: { petsBefore: 20, petsAfter: 20, unchanged: true, differences: [] },
    requestsSent: 6,
    durationMs: 4800,
    report: '/work/main/reports/run-1/faults.json',
    ...overrides,
  };
}

/** Two routes as the real bundle calls DynamoDB. */
export function accessResult(overrides: Partial<AccessResult> = {}): AccessResult {
  const route = { requestsWithCalls: 10, calls: 10, maxItemsRead: 20, readUnits: 5, writeUnits: 0 };
  return {
    passed: true,
    routes: [
      {
        ...route,
        route: 'GET /pets',
        keys: [],
        requests: 10,
        operations: { Scan: 10 },
        itemsRead: 200,
        itemsReturned: 200,
      },
      {
        ...route,
        route: 'GET /pets?type=',
        keys: [{ attribute: 'type', index: 'type-index' }],
        requests: 10,
        operations: { 'Query type-index': 10 },
        itemsRead: 60,
        itemsReturned: 60,
      },
    ],
    findings: [],
    ...overrides,
  };
}

export function loadResult(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    passed: true,
    exitCode: 0,
    explanation: 'all thresholds passed',
    thresholdsFailed: [],
    requests: 412,
    routes: [
      { route: 'GET /pets', count: 120, rps: 12, p50: 6.2, p95: 14.8, p99: 22.1, failedRate: 0 },
      { route: 'GET /pets?type', count: 80, rps: 8, p50: 5.1, p95: 11.3, p99: 18.4, failedRate: 0 },
      { route: 'GET /pets/{id}', count: 130, rps: 13, p50: 4.3, p95: 9.9, p99: 15.2, failedRate: 0 },
      { route: 'POST /pets', count: 41, rps: 4.1, p50: 7.9, p95: 16.5, p99: 30.3, failedRate: 0 },
      { route: 'DELETE /pets/{id}', count: 41, rps: 4.1, p50: 6.6, p95: 13.1, p99: 19.8, failedRate: 0 },
    ],
    reports: {
      'k6-summary': '/work/main/reports/run-1/k6-summary.json',
      'k6-dashboard': '/work/main/reports/run-1/k6-dashboard.html',
      'k6-junit': '/work/main/reports/run-1/k6-junit.xml',
    },
    startedAt: '2026-11-23T22:00:07.500Z',
    finishedAt: '2026-11-23T22:00:38.000Z',
    ...overrides,
  };
}

export function logCheckResult(overrides: Partial<LogCheckResult> = {}): LogCheckResult {
  return {
    passed: true,
    source: 'local',
    violations: [],
    completeness: { expected: 464, found: 464, byStatusClass: { '2xx': 400, '4xx': 64 } },
    metrics: {
      p95DurationMs: 12.4,
      maxDurationMs: 41.2,
      coldStarts: 2,
      maxInitDurationMs: 180.5,
      maxMemoryUsedMb: 92,
    },
    errors: [],
    ...overrides,
  };
}

export function steps(overrides: Partial<Record<string, Partial<StepRecord>>> = {}): StepRecord[] {
  const base: StepRecord[] = [
    { id: 'tools', label: 'tools', verdict: 'passed', durationMs: 40, detail: 'k6 v1.8.1', check: false },
    {
      id: 'dynamodb',
      label: 'DynamoDB',
      verdict: 'passed',
      durationMs: 2100,
      detail: 'container pets-harness/dynalite:0123456789ab (5c0ffee5c0ff) at http://127.0.0.1:40110',
      check: false,
    },
    { id: 'seed', label: 'seed', verdict: 'passed', durationMs: 900, detail: '20 pets', check: false },
    { id: 'bundle', label: 'bundle', verdict: 'passed', durationMs: 30, detail: 'up to date', check: false },
    {
      id: 'stage',
      label: 'stage',
      verdict: 'passed',
      durationMs: 400,
      detail: 'http://127.0.0.1:40111/default',
      check: false,
    },
    {
      id: 'newman',
      label: 'newman',
      verdict: 'passed',
      durationMs: 4400,
      detail: '214 assertions',
      check: true,
    },
    {
      id: 'load',
      label: 'k6 (smoke)',
      verdict: 'passed',
      durationMs: 30500,
      detail: '412 requests',
      check: true,
    },
    {
      id: 'fuzz',
      label: 'fuzz (Schemathesis)',
      verdict: 'passed',
      durationMs: 32000,
      detail: '120 cases, 0 failures',
      check: true,
    },
    {
      id: 'logcheck',
      label: 'log check',
      verdict: 'passed',
      durationMs: 300,
      detail: '590 of 590 lines',
      check: true,
    },
  ];
  return base.map((step) => ({ ...step, ...overrides[step.id] }));
}

export function runSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    schemaVersion: 1,
    runId: '20261123-220000-abc123',
    target: 'local',
    profile: 'smoke',
    verdict: 'passed',
    exitCode: 0,
    failedChecks: [],
    startedAt: '2026-11-23T22:00:00.000Z',
    finishedAt: '2026-11-23T22:00:39.000Z',
    durationMs: 39_000,
    environment: {
      baseUrl: 'http://127.0.0.1:40111/default',
      dynamoDbKind: 'container',
      dynamoDbImage: 'pets-harness/dynalite:0123456789ab',
      dynamoDbEndpoint: 'http://127.0.0.1:40110',
      tableName: 'pets',
      logGroupName: '/aws/lambda/Pets',
      nodeVersion: 'v20.19.0',
      functionNodeVersion: 'v22.23.5',
      platform: 'linux x64',
    },
    steps: steps(),
    newman: newmanResult(),
    load: loadResult(),
    logCheck: logCheckResult(),
    reports: {
      'newman-junit': 'newman-junit.xml',
      'newman-html': 'newman.html',
      'k6-dashboard': 'k6-dashboard.html',
      'k6-summary': 'k6-summary.json',
      logcheck: 'logcheck.json',
    },
    warnings: [],
    ...overrides,
  };
}

/** A run where newman and the log check failed. */
export function failedRunSummary(): RunSummary {
  return runSummary({
    verdict: 'failed',
    exitCode: 1,
    failedChecks: ['newman', 'log check'],
    steps: steps({
      newman: { verdict: 'failed', detail: '2 of 214 assertions failed' },
      logcheck: { verdict: 'failed', detail: '1 violation' },
    }),
    newman: newmanResult({
      passed: false,
      assertions: { total: 214, failed: 2 },
      folders: [
        { name: 'list pets', requests: 9, assertions: 34, failed: 0 },
        { name: 'create a pet', requests: 17, assertions: 66, failed: 2 },
      ],
      failures: [
        {
          folder: 'create a pet',
          request: 'POST /pets with a duplicate id',
          assertion: 'status is 409',
          message: 'expected response to have status code 409 but got 500',
        },
        {
          folder: 'create a pet',
          request: 'POST /pets with a duplicate id',
          assertion: 'body is an Error',
          message: 'data must have required property message',
        },
      ],
    }),
    logCheck: logCheckResult({
      passed: false,
      violations: [
        {
          check: 'no-errors',
          message: '1 ERROR line during the run',
          requestIds: ['5b0e6b9e-1f7c-4c53-a5b3-0a5f0d3c9a11'],
        },
      ],
      errors: [
        {
          requestId: '5b0e6b9e-1f7c-4c53-a5b3-0a5f0d3c9a11',
          line: '{"level":"ERROR","message":"unhandled error","error":{"name":"TypeError"}}',
        },
      ],
    }),
  });
}
