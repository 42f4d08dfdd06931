import {
  formatValue,
  routeStats,
  type SummaryData,
  thresholdName,
  thresholdOutcomes,
} from '../lib/summary-data';

/** The parts of a k6 handleSummary object these functions read, shaped as k6 v1.8 writes them. */
function summary(): SummaryData {
  return {
    state: { testRunDurationMs: 10_000 },
    root_group: { name: '', path: '', groups: [], checks: [] },
    metrics: {
      http_reqs: { type: 'counter', contains: 'default', values: { count: 62, rate: 6.2 } },
      'http_req_duration{route:get}': {
        type: 'trend',
        contains: 'time',
        values: { med: 4, 'p(95)': 9.5, 'p(99)': 12.25, count: 20 },
        thresholds: { 'p(95)<500': { ok: true }, 'p(99)<0.001': { ok: false } },
      },
      'http_reqs{route:get}': {
        type: 'counter',
        contains: 'default',
        values: { count: 20, rate: 2 },
        thresholds: { 'count>0': { ok: true } },
      },
      'http_req_failed{route:get}': {
        type: 'rate',
        contains: 'default',
        values: { rate: 0.05, passes: 1, fails: 19 },
        thresholds: { 'rate<0.01': { ok: false } },
      },
      'http_req_duration{route:list}': {
        type: 'trend',
        contains: 'time',
        values: { med: 3, 'p(95)': 5, 'p(99)': 6, count: 40 },
      },
      'http_req_duration{expected_response:true}': {
        type: 'trend',
        contains: 'time',
        values: { med: 3, 'p(95)': 5, 'p(99)': 6, count: 60 },
      },
    },
  };
}

describe('routeStats', () => {
  it('reads count, rate, percentiles and failures per route, in the order asked for', () => {
    expect(routeStats(summary(), ['list', 'get'])).toEqual([
      { route: 'list', count: 40, rps: 4, p50: 3, p95: 5, p99: 6, failedRate: 0 },
      { route: 'get', count: 20, rps: 2, p50: 4, p95: 9.5, p99: 12.25, failedRate: 0.05 },
    ]);
  });
});

describe('thresholdOutcomes', () => {
  it('lists every threshold with the value it tested', () => {
    const crossed = thresholdOutcomes(summary()).filter((outcome) => !outcome.ok);

    expect(crossed.map(thresholdName)).toEqual([
      'http_req_duration{route:get} p(99)<0.001',
      'http_req_failed{route:get} rate<0.01',
    ]);
    expect(crossed.map((outcome) => formatValue(outcome.actual, outcome.unit))).toEqual(['12.25ms', '5.00%']);
  });
});
