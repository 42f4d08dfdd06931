import { UsageError } from '../common/cli';

/**
 * How much worse counts as a regression, per kind of metric: a relative part and an absolute part
 * (`+20% and +5 ms`), both of which a change must exceed. The relative part keeps a fast route's
 * jitter from failing a run, the absolute part keeps a slow route's small percentage from hiding.
 */

export const METRIC_KINDS = [
  'latency',
  'init',
  'init-cpu',
  'memory',
  'bundle',
  'access',
  'log-lines',
  'log-bytes',
] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** `×`: a ratio (DynamoDB calls per request, items read per item returned). */
export type MetricUnit = 'ms' | 'MB' | 'KB' | '×' | 'lines' | 'B';

export const KIND_UNITS: Record<MetricKind, MetricUnit> = {
  latency: 'ms',
  init: 'ms',
  'init-cpu': 'ms',
  memory: 'MB',
  bundle: 'KB',
  access: '×',
  'log-lines': 'lines',
  'log-bytes': 'B',
};

export interface Threshold {
  /** Fraction of the baseline value (0.2 = +20 %). */
  relative: number;
  /** In the kind's unit (ms, MB, KB). */
  absolute: number;
}

/**
 * Defaults chosen from unchanged runs on a shared 2-core machine (docs/compare.md has the
 * figures): latency tails and cold starts there move by tens of percent between runs.
 */
export const DEFAULT_THRESHOLDS: Record<MetricKind, Threshold> = {
  latency: { relative: 0.5, absolute: 25 },
  init: { relative: 1, absolute: 300 },
  // Init's CPU time, not its wall time: other load on the host hardly moves it.
  'init-cpu': { relative: 0.15, absolute: 20 },
  memory: { relative: 0.25, absolute: 16 },
  // Unchanged code bundles to the same bytes: no noise to allow for, only deliberate growth. The
  // smallest extra SDK client built at init (CloudWatch Logs, its core shared with DynamoDB's)
  // adds 17.7 KB, +7.5%, to this bundle.
  bundle: { relative: 0.05, absolute: 8 },
  // The access ratios are 1.00 on every route of a sound handler, whatever the traffic mix: no noise.
  access: { relative: 0.5, absolute: 0.5 },
  // A request's lines are the same each run (START, the handler's line, END, REPORT).
  'log-lines': { relative: 0.5, absolute: 1 },
  'log-bytes': { relative: 0.5, absolute: 256 },
};

const PART = /^\+?\s*(\d+(?:\.\d+)?)\s*(%|ms|s|mb|kb|b|x|×|lines?)?$/i;

/** `+20% and +5 ms`, `+20%,+5ms`, `+5 ms`, `+20%`: a part left out is not required. */
export function parseThreshold(flag: string, raw: string, kind: MetricKind): Threshold {
  const unit = KIND_UNITS[kind];
  const parts = raw
    .split(/\s+and\s+|,/i)
    .map((part) => part.trim())
    .filter(Boolean);
  const threshold: Threshold = { relative: 0, absolute: 0 };
  if (parts.length === 0 || parts.length > 2) throw usage(flag, raw, unit);
  for (const part of parts) {
    const match = PART.exec(part);
    if (!match) throw usage(flag, raw, unit);
    const value = Number(match[1]);
    const given = (match[2] ?? '')
      .toLowerCase()
      .replace(/^x$/u, '×')
      .replace(/^line$/u, 'lines');
    if (given === '%') threshold.relative = value / 100;
    else if (given === unit.toLowerCase() || (given === '' && (parts.length === 1 || unit === '×')))
      threshold.absolute = value;
    else if (given === 's' && unit === 'ms') threshold.absolute = value * 1000;
    else throw usage(flag, raw, unit);
  }
  return threshold;
}

function usage(flag: string, raw: string, unit: string): UsageError {
  return new UsageError(
    `--${flag} must be a relative and/or absolute increase like '+20% and +5 ${unit}', got '${raw}'`,
  );
}

export function formatThreshold(threshold: Threshold, kind: MetricKind): string {
  const parts: string[] = [];
  if (threshold.relative > 0) parts.push(`+${round(threshold.relative * 100)}%`);
  if (threshold.absolute > 0) {
    const unit = KIND_UNITS[kind] === 'lines' && threshold.absolute === 1 ? 'line' : KIND_UNITS[kind];
    parts.push(`+${round(threshold.absolute)} ${unit}`);
  }
  return parts.length ? parts.join(' and ') : 'any increase';
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** The smallest increase over `baseline` that exceeds both parts of the threshold. */
export function margin(threshold: Threshold, baseline: number): number {
  return Math.max(threshold.relative * Math.abs(baseline), threshold.absolute);
}
