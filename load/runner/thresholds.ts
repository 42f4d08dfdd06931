/**
 * k6's thresholds, evaluated outside k6 over samples from several runners. Each rule below is
 * k6's own (go.k6.io/k6 v1.8.1, `metrics/thresholds.go`, `metrics/thresholds_parser.go`,
 * `metrics/sink.go`, `metrics/metric.go`), so a threshold judged here over every runner's samples
 * gets the verdict one k6 process would have given over the same samples:
 *
 * - a trend keeps every value; `p(N)` sorts them and interpolates linearly between the two nearest
 *   ranks (`i = N/100 · (count − 1)`), `med` is `p(50)`, an empty trend reads 0;
 * - a rate counts non-zero values; an empty rate has no `rate`, and a threshold on a statistic
 *   that does not exist passes;
 * - a counter's `rate` is its count over the test run's duration;
 * - a submetric `name{key:value,…}` takes the samples whose tags hold every listed pair.
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

const OPERATORS = ['<=', '<', '>=', '>', '===', '==', '!='] as const;
type Operator = (typeof OPERATORS)[number];

export interface ParsedThreshold {
  /** `p(95)<500` as written. */
  source: string;
  /** The statistic it reads: `p(95)`, `rate`, `count`, `avg`, `min`, `max`, `med`, `value`. */
  stat: string;
  /** The percentile of a `p(N)` threshold. */
  percentile?: number;
  operator: Operator;
  value: number;
}

/** `http_req_duration{route:get}` → the metric and the tags its samples must carry. */
export function parseMetricName(name: string): { metric: string; tags: Record<string, string> } {
  const open = name.indexOf('{');
  if (open === -1) return { metric: name, tags: {} };
  if (!name.endsWith('}'))
    throw new Error(`metric '${name}' lacks a closing curly brace in its last position`);
  const tags: Record<string, string> = {};
  for (const pair of name.slice(open + 1, -1).split(',')) {
    if (pair === '') continue;
    const colon = pair.indexOf(':');
    const key = (colon === -1 ? pair : pair.slice(0, colon)).trim().replace(/^["']+|["']+$/g, '');
    const value =
      colon === -1
        ? ''
        : pair
            .slice(colon + 1)
            .trim()
            .replace(/^["']+|["']+$/g, '');
    tags[key] = value;
  }
  return { metric: name.slice(0, open), tags };
}

const STATS = new Set(['value', 'count', 'rate', 'avg', 'min', 'med', 'max']);

/** `p(95) < 500` → its parts, as k6's scanner reads them (the first operator found, in k6's order). */
export function parseThreshold(source: string): ParsedThreshold {
  for (const operator of OPERATORS) {
    const at = source.indexOf(operator);
    const right = at === -1 ? '' : source.slice(at + operator.length);
    if (right === '') continue;
    const stat = source.slice(0, at).trim();
    const value = Number(right.trim());
    if (right.trim() === '' || Number.isNaN(value))
      throw new Error(`threshold '${source}': '${right}' is not a number`);
    const percentile = /^p\((.+)\)$/.exec(stat)?.[1];
    if (percentile !== undefined) {
      const level = Number(percentile);
      if (Number.isNaN(level)) throw new Error(`threshold '${source}': malformed percentile`);
      return { source, stat: `p(${level})`, percentile: level, operator, value };
    }
    if (!STATS.has(stat)) throw new Error(`threshold '${source}': unknown statistic '${stat}'`);
    return { source, stat, operator, value };
  }
  throw new Error(`threshold '${source}' is malformed`);
}

function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<=':
      return actual <= value;
    case '<':
      return actual < value;
    case '>=':
      return actual >= value;
    case '>':
      return actual > value;
    case '==':
    case '===':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** A growing list of float64 values, without the boxing of a plain array. */
class Values {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** One metric's (or submetric's) accumulated samples, with k6's sink semantics. */
export class Sink {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  /** Gauge: the last value; rate: how many were non-zero. */
  last = 0;
  trues = 0;
  private readonly values?: Values;
  private sortedCache?: Float64Array;

  constructor(readonly type: MetricType) {
    if (type === 'trend') this.values = new Values();
  }

  add(value: number): void {
    if (this.count === 0 || value < this.min) this.min = value;
    if (this.count === 0 || value > this.max) this.max = value;
    this.count += 1;
    this.sum += value;
    this.last = value;
    if (value !== 0) this.trues += 1;
    if (this.values) {
      this.values.push(value);
      this.sortedCache = undefined;
    }
  }

  /** k6's `TrendSink.P`: linear interpolation between the nearest ranks. */
  percentile(level: number): number {
    if (!this.values || this.count === 0) return 0;
    this.sortedCache ??= this.values.sorted();
    const sorted = this.sortedCache;
    if (this.count === 1) return sorted[0] as number;
    const rank = (level / 100) * (this.count - 1);
    const below = sorted[Math.floor(rank)] as number;
    const above = sorted[Math.ceil(rank)] as number;
    return below + (above - below) * (rank - Math.floor(rank));
  }

  /** The value of one statistic, or undefined where k6 has none (an empty rate's `rate`). */
  stat(name: string, durationSeconds: number): number | undefined {
    switch (this.type) {
      case 'counter':
        if (name === 'count') return this.sum;
        if (name === 'rate') return this.sum / durationSeconds;
        return undefined;
      case 'gauge':
        return name === 'value' ? this.last : undefined;
      case 'rate':
        return name === 'rate' && this.count > 0 ? this.trues / this.count : undefined;
      case 'trend':
        return this.trendStat(name);
    }
  }

  private trendStat(name: string): number | undefined {
    if (name === 'min') return this.count === 0 ? 0 : this.min;
    if (name === 'max') return this.count === 0 ? 0 : this.max;
    if (name === 'avg') return this.count === 0 ? 0 : this.sum / this.count;
    if (name === 'med') return this.percentile(50);
    if (name === 'count') return this.count;
    const level = /^p\((.+)\)$/.exec(name)?.[1];
    return level === undefined ? undefined : this.percentile(Number(level));
  }
}

export interface ThresholdVerdict {
  metric: string;
  expression: string;
  ok: boolean;
  stat: string;
  actual: number | undefined;
}

/** One threshold over a sink, as k6 runs it at the end of a test (empty sinks included). */
export function judge(
  metric: string,
  expression: string,
  sink: Sink,
  durationSeconds: number,
): ThresholdVerdict {
  const parsed = parseThreshold(expression);
  const actual = sink.stat(parsed.stat, durationSeconds);
  // k6: "a missing sink entry means that no samples are available", and the threshold passes.
  const ok = actual === undefined ? true : compare(actual, parsed.operator, parsed.value);
  return { metric, expression, ok, stat: parsed.stat, actual };
}
