import { quantileSorted } from 'simple-statistics';
import { accessRatios } from './access';
import type { RouteLogVolume, RunFigures } from './figures';
import { type Histogram, sortedValues } from './histogram';
import { type HostFactor, hostFactor, initReferenceFactor, WALL_TIME_KINDS } from './host';
import { bootstrapQuantileDelta, mannWhitneyGreater } from './stats';
import {
  DEFAULT_THRESHOLDS,
  formatThreshold,
  KIND_UNITS,
  type MetricKind,
  type MetricUnit,
  margin,
  type Threshold,
} from './thresholds';

/**
 * Compares a run's figures with a baseline's. Distributions (latency per route, Lambda Duration
 * per route) are judged on their median and p95: a regression is a shift whose whole confidence
 * interval lies beyond the threshold and that a one-sided Mann-Whitney test finds significant
 * (Bonferroni over all the distributions compared). Figures with too few samples for a test
 * (Init Duration: one cold start a run) and single figures (peak memory, bundle size) are judged
 * by the threshold alone, and say so.
 */

export interface CompareSettings {
  thresholds: Record<MetricKind, Threshold>;
  /** Confidence of the intervals; 1 − confidence is the family-wise significance level. */
  confidence: number;
}

export const DEFAULT_SETTINGS: CompareSettings = { thresholds: DEFAULT_THRESHOLDS, confidence: 0.99 };

/** Fewer samples than this on either side: no test, the threshold alone. */
const MIN_SAMPLES = 8;

export type ComparisonVerdict = 'regressed' | 'improved' | 'unchanged';

export interface MetricComparison {
  /** e.g. `k6 latency`, `Lambda Duration`, `Init Duration`, `Max Memory Used`, `bundle size`. */
  metric: string;
  route?: string;
  kind: MetricKind;
  /** `p50`, `p95`, `min vs max` (few samples) or `value`. */
  statistic: string;
  unit: MetricUnit;
  baseline: number;
  current: number;
  delta: number;
  deltaPct: number;
  samples: { baseline: number; current: number };
  /** The interval of the delta at `confidence`, for distributions. */
  interval?: { low: number; high: number; confidence: number };
  pValue?: number;
  threshold: string;
  /** The baseline's values were stretched by this much: the host was busier in this run. */
  hostFactor?: number;
  verdict: ComparisonVerdict;
  /** One line a person reads. */
  text: string;
}

export interface Comparison {
  comparisons: MetricComparison[];
  regressions: MetricComparison[];
  /** How much busier the host was than in the baseline's run, when both measured it. */
  host?: HostFactor;
  settings: { confidence: number; thresholds: Record<MetricKind, string> };
}

function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

function signed(value: number, unit: string): string {
  return `${value >= 0 ? '+' : '−'}${formatValue(Math.abs(value), unit)}`;
}

function formatP(p: number): string {
  return p < 1e-6 ? 'p < 1e-6' : `p = ${p.toPrecision(2)}`;
}

function describe(c: Omit<MetricComparison, 'text'>): string {
  const where = c.route ? ` on ${c.route}` : '';
  const change = `${formatValue(c.baseline, c.unit)} → ${formatValue(c.current, c.unit)} (${signed(c.delta, c.unit)}, ${c.deltaPct >= 0 ? '+' : '−'}${Math.abs(c.deltaPct).toFixed(0)}%)`;
  const confidence = c.interval
    ? `; ${Math.round(c.interval.confidence * 100)}% CI ${signed(c.interval.low, c.unit)} to ${signed(c.interval.high, c.unit)}, Mann-Whitney ${formatP(c.pValue ?? 1)}`
    : c.kind === 'latency' || c.kind === 'init' || c.kind === 'init-cpu'
      ? `; ${c.samples.current} vs ${c.samples.baseline} samples: too few for a test, judged by the threshold alone`
      : '';
  const host = c.hostFactor ? `; baseline ×${c.hostFactor.toFixed(2)}, the host being that much busier` : '';
  return `${c.metric} ${c.statistic}${where}: ${change}${confidence}${host} [threshold ${c.threshold}]`;
}

function finish(partial: Omit<MetricComparison, 'text'>): MetricComparison {
  return { ...partial, text: describe(partial) };
}

interface Subject {
  metric: string;
  route?: string;
  kind: MetricKind;
  hostFactor?: number;
}

function compareDistributions(
  subject: Subject,
  current: readonly number[],
  baseline: readonly number[],
  settings: CompareSettings,
  tests: number,
): MetricComparison[] {
  const threshold = settings.thresholds[subject.kind];
  const unit = KIND_UNITS[subject.kind];
  const { pValue } = mannWhitneyGreater(current, baseline);
  const alpha = (1 - settings.confidence) / Math.max(1, tests);
  return [
    ['p50', 0.5],
    ['p95', 0.95],
  ].map(([statistic, q]) => {
    const interval = bootstrapQuantileDelta(current, baseline, q as number, settings.confidence);
    const base = quantileSorted(baseline as number[], q as number);
    const now = quantileSorted(current as number[], q as number);
    const needed = margin(threshold, base);
    const verdict: ComparisonVerdict =
      interval.low > needed && pValue < alpha
        ? 'regressed'
        : interval.high < -needed
          ? 'improved'
          : 'unchanged';
    return finish({
      ...subject,
      statistic: statistic as string,
      unit,
      baseline: base,
      current: now,
      delta: now - base,
      deltaPct: base === 0 ? 0 : ((now - base) / base) * 100,
      samples: { baseline: baseline.length, current: current.length },
      interval: { low: interval.low, high: interval.high, confidence: interval.confidence },
      pValue,
      threshold: formatThreshold(threshold, subject.kind),
      verdict,
    });
  });
}

/** Few samples: every current value must be worse than every baseline value by more than the threshold. */
function compareFew(
  subject: Subject,
  current: readonly number[],
  baseline: readonly number[],
  settings: CompareSettings,
): MetricComparison {
  const threshold = settings.thresholds[subject.kind];
  const single = current.length === 1 && baseline.length === 1;
  const now = Math.min(...current);
  const base = Math.max(...baseline);
  const needed = margin(threshold, base);
  const delta = now - base;
  return finish({
    ...subject,
    statistic: single ? 'value' : 'min vs max',
    unit: KIND_UNITS[subject.kind],
    baseline: base,
    current: now,
    delta,
    deltaPct: base === 0 ? 0 : (delta / base) * 100,
    samples: { baseline: baseline.length, current: current.length },
    threshold: formatThreshold(threshold, subject.kind),
    verdict:
      delta > needed
        ? 'regressed'
        : Math.max(...current) - Math.min(...baseline) < -needed
          ? 'improved'
          : 'unchanged',
  });
}

function pairs(
  current: Record<string, Histogram>,
  baseline: Record<string, Histogram>,
): [string, number[], number[]][] {
  return Object.keys(current)
    .filter((route) => baseline[route])
    .sort()
    .map((route) => [
      route,
      sortedValues(current[route] as Histogram),
      sortedValues(baseline[route] as Histogram),
    ]);
}

/** The baseline's wall-time samples stretched by how much busier the host is now. */
function stretchWallTime(distributions: [Subject, number[], number[]][], factor: number): void {
  for (const distribution of distributions) {
    const [subject, , base] = distribution;
    if (!WALL_TIME_KINDS.has(subject.kind)) continue;
    distribution[0] = { ...subject, hostFactor: factor };
    distribution[2] = base.map((value) => value * factor);
  }
}

const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/**
 * Init: the CPU time of cold starts measured apart from the run, when both runs have them (a
 * distribution, and a figure other load on the host hardly moves: two CPU burners beside the
 * stage doubled init's wall time here and left its CPU time as it was), the baseline's stretched
 * by what an empty function's init cost beside them; else the REPORT lines' Init Durations (one
 * or two a run, all a deployed function gives).
 */
function initDistributions(current: RunFigures, baseline: RunFigures): [Subject, number[], number[]][] {
  if (current.init && baseline.init) {
    const factor = initReferenceFactor(current.init, baseline.init) ?? 1;
    const subject: Subject = { metric: `Init CPU time (${current.init.source})`, kind: 'init-cpu' };
    return [
      [
        factor > 1 ? { ...subject, hostFactor: factor } : subject,
        ascending(current.init.cpuMs),
        ascending(baseline.init.cpuMs.map((value) => value * factor)),
      ],
    ];
  }
  const init: [Subject, number[], number[]] = [
    { metric: 'Init Duration', kind: 'init' },
    ascending(current.lambda.initDurationMs),
    ascending(baseline.lambda.initDurationMs),
  ];
  return init[1].length > 0 && init[2].length > 0 ? [init] : [];
}

/** Log lines and bytes per request, per route both runs answered. */
function logVolumeComparisons(
  current: RunFigures,
  baseline: RunFigures,
  settings: CompareSettings,
): MetricComparison[] {
  const now = current.logsPerRoute ?? {};
  const before = baseline.logsPerRoute ?? {};
  return Object.keys(now)
    .filter((route) => (now[route]?.requests ?? 0) > 0 && (before[route]?.requests ?? 0) > 0)
    .sort()
    .flatMap((route) => {
      const [c, b] = [now[route], before[route]] as [RouteLogVolume, RouteLogVolume];
      return [
        compareFew(
          { metric: 'log lines per request', route, kind: 'log-lines' },
          [c.lines / c.requests],
          [b.lines / b.requests],
          settings,
        ),
        compareFew(
          { metric: 'log bytes per request', route, kind: 'log-bytes' },
          [c.bytes / c.requests],
          [b.bytes / b.requests],
          settings,
        ),
      ];
    });
}

/** The highest Max Memory Used any environment of the run reached within its first `invocations`. */
function peakWithin(lambda: RunFigures['lambda'], invocations: number): number {
  let peak = 0;
  for (const environment of lambda.environments) {
    for (const [invocation, mb] of environment.maxMemoryUsedMb) {
      if (invocation <= invocations) peak = Math.max(peak, mb);
    }
  }
  return peak;
}

/**
 * Peak memory of both runs, read at the same number of invocations of an environment: V8 lets
 * garbage pile up, so an environment's Max Memory Used climbs with the requests it has served
 * (~66 MB after one, 82 MB after 358, 114 MB after 1,095 of the unchanged project), and a run
 * whose time-bounded fuzz got through more cases would otherwise look like a regression. Growth
 * beyond that is the log check's memory-growth rule's to find.
 */
function peakMemories(
  current: RunFigures['lambda'],
  baseline: RunFigures['lambda'],
): { subject: Subject; current: number; baseline: number } {
  const longest = (lambda: RunFigures['lambda']) =>
    Math.max(0, ...lambda.environments.map((environment) => environment.invocations));
  const common = Math.min(longest(current), longest(baseline));
  if (common === 0) {
    return {
      subject: { metric: 'Max Memory Used', kind: 'memory' },
      current: current.maxMemoryUsedMb,
      baseline: baseline.maxMemoryUsedMb,
    };
  }
  return {
    subject: { metric: `Max Memory Used within ${common} invocations of an environment`, kind: 'memory' },
    current: peakWithin(current, common),
    baseline: peakWithin(baseline, common),
  };
}

export function compareFigures(
  current: RunFigures,
  baseline: RunFigures,
  settings: CompareSettings = DEFAULT_SETTINGS,
): Comparison {
  const distributions: [Subject, number[], number[]][] = [
    ...pairs(current.routes, baseline.routes).map(([route, now, base]): [Subject, number[], number[]] => [
      { metric: 'k6 latency', route, kind: 'latency' },
      now,
      base,
    ]),
    ...pairs(current.lambda.durationMs, baseline.lambda.durationMs).map(
      ([route, now, base]): [Subject, number[], number[]] => [
        { metric: 'Lambda Duration', route, kind: 'latency' },
        now,
        base,
      ],
    ),
  ];
  distributions.push(...initDistributions(current, baseline));
  const host = hostFactor(current, baseline);
  if (host && host.factor > 1) stretchWallTime(distributions, host.factor);
  const tested = distributions.filter(
    ([, now, base]) => now.length >= MIN_SAMPLES && base.length >= MIN_SAMPLES,
  );
  const comparisons: MetricComparison[] = distributions.flatMap(([subject, now, base]) =>
    now.length >= MIN_SAMPLES && base.length >= MIN_SAMPLES
      ? compareDistributions(subject, now, base, settings, tested.length)
      : now.length > 0 && base.length > 0
        ? [compareFew(subject, now, base, settings)]
        : [],
  );
  if (current.lambda.invocations > 0 && baseline.lambda.invocations > 0) {
    const memory = peakMemories(current.lambda, baseline.lambda);
    comparisons.push(compareFew(memory.subject, [memory.current], [memory.baseline], settings));
  }
  comparisons.push(...logVolumeComparisons(current, baseline, settings));
  if (current.bundleBytes !== undefined && baseline.bundleBytes !== undefined) {
    comparisons.push(
      compareFew(
        { metric: 'bundle size', kind: 'bundle' },
        [current.bundleBytes / 1024],
        [baseline.bundleBytes / 1024],
        settings,
      ),
    );
  }
  for (const ratio of accessRatios(current.dynamoDb, baseline.dynamoDb)) {
    const subject = { metric: ratio.metric, route: ratio.route, kind: 'access' as const };
    comparisons.push(compareFew(subject, [ratio.current], [ratio.baseline], settings));
  }
  return {
    comparisons,
    regressions: comparisons.filter((comparison) => comparison.verdict === 'regressed'),
    ...(host ? { host } : {}),
    settings: {
      confidence: settings.confidence,
      thresholds: Object.fromEntries(
        Object.entries(settings.thresholds).map(([kind, threshold]) => [
          kind,
          formatThreshold(threshold, kind as MetricKind),
        ]),
      ) as Record<MetricKind, string>,
    },
  };
}
