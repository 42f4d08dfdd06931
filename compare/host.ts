import { quantileSorted } from 'simple-statistics';
import type { RunFigures } from './figures';
import type { MetricKind } from './thresholds';

/**
 * How much busier the host was during this run than during its baseline's: the ratio of the two
 * runs' median times for the same fixed CPU work (common/host-load.ts). Wall-time figures of a
 * busier host are compared with the baseline's stretched by that ratio, so a second process on a
 * shared machine does not read as a regression, and a real one still does (docs/compare.md).
 */

export interface HostFactor {
  /** current / baseline median reference time, never below 1: a quieter host is not credited. */
  factor: number;
  baselineMs: number;
  currentMs: number;
  work: string;
}

/** Fewer reference samples than this on either side: no factor. */
const MIN_HOST_SAMPLES = 5;

/** The figures that are wall time on this host, and stretch with its load. */
export const WALL_TIME_KINDS: ReadonlySet<MetricKind> = new Set<MetricKind>(['latency', 'init']);

function median(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function hostFactor(current: RunFigures, baseline: RunFigures): HostFactor | undefined {
  const [now, before] = [current.host, baseline.host];
  if (!now || !before || now.work !== before.work) return undefined;
  if (now.referenceMs.length < MIN_HOST_SAMPLES || before.referenceMs.length < MIN_HOST_SAMPLES)
    return undefined;
  const currentMs = median(now.referenceMs);
  const baselineMs = median(before.referenceMs);
  return { factor: Math.max(1, currentMs / baselineMs), baselineMs, currentMs, work: now.work };
}

/**
 * How much more CPU the same fixed init cost in this run than in the baseline's: the ratio of the
 * two runs' median init CPU times of an empty function, each started beside one of the function's
 * (a busy sibling core slows every instruction; on this machine that moved init's CPU time by
 * 40% between two runs of the same bundle). Never below 1; undefined without references.
 */
export function initReferenceFactor(
  current: NonNullable<RunFigures['init']>,
  baseline: NonNullable<RunFigures['init']>,
): number | undefined {
  const [now, before] = [current.referenceCpuMs ?? [], baseline.referenceCpuMs ?? []];
  if (now.length < MIN_HOST_SAMPLES || before.length < MIN_HOST_SAMPLES) return undefined;
  return Math.max(1, median(now) / median(before));
}
