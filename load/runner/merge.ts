import { existsSync } from 'node:fs';
import type { SummaryCheck, SummaryData, SummaryGroup, SummaryMetric } from '../lib/summary-data';
import { type MetricDefinition, readSamples, type Sample, type SampleReader } from './samples';
import { judge, parseMetricName, Sink, type ThresholdVerdict } from './thresholds';

/**
 * Several runners' raw samples → one k6 summary, as one k6 process that had sent every request
 * would have written it: the same metrics, the same statistics and the verdict of every threshold
 * over all the samples. Gauges (`vus`, `vus_max`) are the sum of the runners' values.
 */

export interface RunnerSamples {
  name: string;
  file: string;
  /** That runner's own test run duration (from its summary), when known. */
  durationMs?: number;
}

export interface RunnerTally {
  name: string;
  samples: number;
  requests: number;
  truncated: boolean;
  /** It wrote no samples file at all. */
  missing: boolean;
  firstMs?: number;
  lastMs?: number;
}

export interface MergedRun {
  summary: SummaryData;
  verdicts: ThresholdVerdict[];
  runners: RunnerTally[];
  /** `http_req_duration` of every request, by `route` tag, in the order the runners were read. */
  durations: Record<string, number[]>;
}

/** What a threshold list (k6's `options.thresholds`) says, as metric → expressions. */
export type ThresholdSources = Record<string, string[]>;

interface Submetric {
  key: string;
  tags: [string, string][];
  sink: Sink;
}

/** A submetric k6 keeps in every summary, thresholds or not. */
const ALWAYS_KEPT = ['http_req_duration{expected_response:true}'];

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

class Merger implements SampleReader {
  readonly definitions = new Map<string, MetricDefinition>();
  readonly sinks = new Map<string, Sink>();
  /** Gauges are per runner first: a fleet's VUs are the sum of each runner's. */
  readonly gauges = new Map<string, Sink>();
  readonly submetrics = new Map<string, Submetric[]>();
  readonly checks = new Map<string, SummaryCheck & { group: string }>();
  readonly durations: Record<string, number[]> = {};
  tally!: RunnerTally;

  constructor(readonly thresholds: ThresholdSources) {}

  onMetric(definition: MetricDefinition): void {
    if (!this.definitions.has(definition.name)) this.definitions.set(definition.name, definition);
  }

  private sink(key: string, type: Sink['type']): Sink {
    const table = type === 'gauge' ? this.gauges : this.sinks;
    const name = type === 'gauge' ? `${this.tally.name}\u0000${key}` : key;
    let sink = table.get(name);
    if (!sink) {
      sink = new Sink(type);
      table.set(name, sink);
    }
    return sink;
  }

  private subsOf(metric: string, type: Sink['type']): Submetric[] {
    let subs = this.submetrics.get(metric);
    if (subs) return subs;
    subs = [...Object.keys(this.thresholds), ...ALWAYS_KEPT]
      .filter((key, index, keys) => key.startsWith(`${metric}{`) && keys.indexOf(key) === index)
      .map((key) => ({ key, tags: Object.entries(parseMetricName(key).tags), sink: new Sink(type) }));
    this.submetrics.set(metric, subs);
    return subs;
  }

  onSample(sample: Sample): void {
    const definition = this.definitions.get(sample.metric);
    if (!definition) throw new Error(`sample of '${sample.metric}' before its definition`);
    this.sink(sample.metric, definition.type).add(sample.value);
    for (const sub of this.subsOf(sample.metric, definition.type)) {
      if (sub.tags.every(([key, value]) => sample.tags[key] === value)) {
        if (definition.type === 'gauge') this.sink(sub.key, 'gauge').add(sample.value);
        else sub.sink.add(sample.value);
      }
    }
    const tally = this.tally;
    tally.firstMs = Math.min(tally.firstMs ?? sample.time, sample.time);
    tally.lastMs = Math.max(tally.lastMs ?? sample.time, sample.time);
    if (sample.metric === 'http_reqs') tally.requests += sample.value;
    if (sample.metric === 'http_req_duration') {
      const route = sample.tags.route ?? '';
      this.durations[route] ??= [];
      this.durations[route].push(sample.value);
    }
    if (sample.metric === 'checks') this.countCheck(sample);
  }

  private countCheck(sample: Sample): void {
    const group = sample.tags.group ?? '';
    const name = sample.tags.check ?? '';
    const path = `${group}::${name}`;
    let entry = this.checks.get(path);
    if (!entry) {
      entry = { name, path, group, passes: 0, fails: 0 };
      this.checks.set(path, entry);
    }
    if (sample.value !== 0) entry.passes += 1;
    else entry.fails += 1;
  }

  /** The sink a threshold key reads: the metric itself, a submetric, or (gauges) the runners' sum. */
  sinkFor(key: string): Sink | undefined {
    const { metric } = parseMetricName(key);
    const type = this.definitions.get(metric)?.type;
    if (type === 'gauge') return sumOfGauges(this.gauges, key);
    if (key === metric) return this.sinks.get(metric);
    return this.submetrics.get(metric)?.find((sub) => sub.key === key)?.sink;
  }
}

function sumOfGauges(gauges: Map<string, Sink>, key: string): Sink | undefined {
  const parts = [...gauges.entries()]
    .filter(([name]) => name.endsWith(`\u0000${key}`))
    .map(([, sink]) => sink);
  if (parts.length === 0) return undefined;
  const total = new Sink('gauge');
  total.count = parts.reduce((sum, sink) => sum + sink.count, 0);
  total.last = parts.reduce((sum, sink) => sum + sink.last, 0);
  total.min = parts.reduce((sum, sink) => sum + sink.min, 0);
  total.max = parts.reduce((sum, sink) => sum + sink.max, 0);
  return total;
}

function metricValues(sink: Sink, seconds: number, trendStats: string[]): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return { count: sink.sum, rate: seconds > 0 ? sink.sum / seconds : 0 };
    case 'gauge':
      return { value: sink.last, min: sink.min, max: sink.max };
    case 'rate':
      return {
        rate: sink.count > 0 ? sink.trues / sink.count : 0,
        passes: sink.trues,
        fails: sink.count - sink.trues,
      };
    case 'trend':
      return Object.fromEntries(trendStats.map((stat) => [stat, sink.stat(stat, seconds) ?? 0]));
  }
}

function rootGroup(checks: Iterable<SummaryCheck & { group: string }>): SummaryGroup {
  const root: SummaryGroup = { name: '', path: '', groups: [], checks: [] };
  for (const { group, ...check } of checks) {
    let node = root;
    for (const name of group.split('::').filter((part) => part !== '')) {
      const path = `${node.path}::${name}`;
      let child = node.groups.find((candidate) => candidate.path === path);
      if (!child) {
        child = { name, path, groups: [], checks: [] };
        node.groups.push(child);
      }
      node = child;
    }
    node.checks.push(check);
  }
  return root;
}

function summaryOf(
  merger: Merger,
  seconds: number,
  trendStats: string[],
): { summary: SummaryData; verdicts: ThresholdVerdict[] } {
  const metrics: Record<string, SummaryMetric> = {};
  const subKeys = [...merger.submetrics.values()]
    .flat()
    .filter((sub) => sub.sink.count > 0)
    .map((sub) => sub.key);
  const keys = new Set([...merger.sinks.keys(), ...subKeys, ...Object.keys(merger.thresholds)]);
  for (const definition of merger.definitions.values())
    if (definition.type === 'gauge') keys.add(definition.name);
  const verdicts: ThresholdVerdict[] = [];
  for (const key of keys) {
    const definition = merger.definitions.get(parseMetricName(key).metric);
    if (!definition) continue;
    const sink = merger.sinkFor(key) ?? new Sink(definition.type);
    const entry: SummaryMetric = {
      type: definition.type,
      contains: definition.contains,
      values: metricValues(sink, seconds, trendStats),
    };
    const expressions = merger.thresholds[key];
    if (expressions?.length) {
      entry.thresholds = {};
      for (const expression of expressions) {
        const verdict = judge(key, expression, sink, seconds);
        verdicts.push(verdict);
        entry.thresholds[expression] = { ok: verdict.ok };
        // A statistic a threshold reads is in the summary even when summaryTrendStats omits it.
        if (verdict.actual !== undefined)
          entry.values[verdict.stat === 'p(50)' ? 'med' : verdict.stat] ??= verdict.actual;
      }
    }
    metrics[key] = entry;
  }
  const summary: SummaryData = {
    metrics,
    root_group: rootGroup(merger.checks.values()),
    state: { testRunDurationMs: seconds * 1000 },
    options: { summaryTrendStats: trendStats },
  };
  return { summary, verdicts };
}

/**
 * Reads every runner's samples and judges `thresholds` over all of them. The test run lasted as
 * long as its longest runner (they start together); without durations, the samples' time span.
 */
export async function mergeRunners(
  runners: RunnerSamples[],
  thresholds: ThresholdSources,
  trendStats: string[] = [...TREND_STATS, 'count'],
): Promise<MergedRun> {
  const merger = new Merger(thresholds);
  const tallies: RunnerTally[] = [];
  for (const runner of runners) {
    merger.tally = {
      name: runner.name,
      samples: 0,
      requests: 0,
      truncated: false,
      missing: !existsSync(runner.file),
    };
    const read = merger.tally.missing ? undefined : await readSamples(runner.file, merger, runner.name);
    tallies.push({ ...merger.tally, samples: read?.samples ?? 0, truncated: read?.truncated ?? false });
  }
  const known = runners.map((runner) => runner.durationMs).filter((ms): ms is number => ms !== undefined);
  const firsts = tallies.map((tally) => tally.firstMs).filter((ms): ms is number => ms !== undefined);
  const lasts = tallies.map((tally) => tally.lastMs).filter((ms): ms is number => ms !== undefined);
  const spanMs = firsts.length ? Math.max(...lasts) - Math.min(...firsts) : 0;
  const seconds = (known.length === runners.length ? Math.max(...known) : spanMs) / 1000;
  const { summary, verdicts } = summaryOf(merger, seconds, trendStats);
  return { summary, verdicts, runners: tallies, durations: merger.durations };
}

/** The thresholds of a run, from its runners' own summaries (each lists every threshold of the script). */
export function thresholdsOf(summaries: SummaryData[]): ThresholdSources {
  const sources: ThresholdSources = {};
  for (const summary of summaries) {
    for (const [metric, entry] of Object.entries(summary.metrics)) {
      for (const expression of Object.keys(entry.thresholds ?? {})) {
        sources[metric] ??= [];
        if (!sources[metric].includes(expression)) sources[metric].push(expression);
      }
    }
  }
  return sources;
}
