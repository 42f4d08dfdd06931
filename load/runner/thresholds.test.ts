import { judge, parseMetricName, parseThreshold, Sink } from './thresholds';

function trend(values: number[]): Sink {
  const sink = new Sink('trend');
  for (const value of values) sink.add(value);
  return sink;
}

describe('parseThreshold', () => {
  it.each([
    ['p(95)<500', { stat: 'p(95)', percentile: 95, operator: '<', value: 500 }],
    ['p(99.9) <= 1.5', { stat: 'p(99.9)', percentile: 99.9, operator: '<=', value: 1.5 }],
    ['rate>0.99', { stat: 'rate', operator: '>', value: 0.99 }],
    ['count>=0', { stat: 'count', operator: '>=', value: 0 }],
    ['avg===3', { stat: 'avg', operator: '===', value: 3 }],
    ['value != 2', { stat: 'value', operator: '!=', value: 2 }],
  ])('reads %s as k6 does', (source, expected) => {
    expect(parseThreshold(source)).toMatchObject({ source, ...expected });
  });

  it.each(['p(95)', 'median<3', 'p(x)<3', 'rate<abc'])('rejects %s', (source) => {
    expect(() => parseThreshold(source)).toThrow(/threshold/);
  });
});

describe('parseMetricName', () => {
  it('splits a submetric into its metric and tags, trimming spaces and quotes as k6 does', () => {
    expect(parseMetricName('http_req_duration{route:get, status:"200"}')).toEqual({
      metric: 'http_req_duration',
      tags: { route: 'get', status: '200' },
    });
    expect(parseMetricName('checks')).toEqual({ metric: 'checks', tags: {} });
  });
});

describe('Sink', () => {
  it("interpolates percentiles between the nearest ranks, as k6's TrendSink.P does", () => {
    const sink = trend([40, 10, 30, 20]);

    // rank = p · (count − 1): p(50) → 1.5 → 20 + (30 − 20) · 0.5
    expect(sink.percentile(50)).toBe(25);
    expect(sink.percentile(95)).toBeCloseTo(38.5, 10);
    expect(sink.percentile(100)).toBe(40);
    expect(sink.stat('med', 1)).toBe(25);
    expect(sink.stat('avg', 1)).toBe(25);
    expect(trend([7]).percentile(99)).toBe(7);
    expect(trend([]).percentile(95)).toBe(0);
  });

  it('keeps the count of a rate and the values that were not zero', () => {
    const sink = new Sink('rate');
    for (const value of [1, 0, 1, 1]) sink.add(value);

    expect(sink.stat('rate', 1)).toBe(0.75);
    expect(new Sink('rate').stat('rate', 1)).toBeUndefined();
  });

  it("gives a counter's rate over the test run's duration", () => {
    const sink = new Sink('counter');
    sink.add(3);
    sink.add(7);

    expect(sink.stat('count', 4)).toBe(10);
    expect(sink.stat('rate', 4)).toBe(2.5);
  });
});

describe('judge', () => {
  it('fails count>0 on a counter without samples, which k6 evaluates at the end', () => {
    expect(judge('http_reqs{route:get}', 'count>0', new Sink('counter'), 10)).toMatchObject({
      ok: false,
      actual: 0,
    });
  });

  it('passes a rate threshold on a rate without samples: k6 has no value to judge', () => {
    expect(judge('checks', 'rate>0.99', new Sink('rate'), 10)).toMatchObject({ ok: true, actual: undefined });
  });

  it('compares the statistic the expression names', () => {
    expect(judge('d', 'p(95)<39', trend([40, 10, 30, 20]), 1)).toMatchObject({ ok: true, stat: 'p(95)' });
    expect(judge('d', 'p(95)<38', trend([40, 10, 30, 20]), 1)).toMatchObject({ ok: false });
    expect(judge('d', 'max<=40', trend([40, 10, 30, 20]), 1).ok).toBe(true);
  });
});
