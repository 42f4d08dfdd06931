import type { RouteStats } from '../lib/summary-data';

export const LOAD_PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

/** At most this many local runners: each is a k6 process on this host. */
export const MAX_RUNNERS = 64;

export interface LoadOptions {
  baseUrl: string;
  runId: string;
  profile?: LoadProfile;
  /** Default `reports/<run-id>`. */
  reportsDir?: string;
  /** Script settings (`P95_MS`, `DURATION`, `VUS`, …) and k6 settings (`K6_*`), passed to k6 both ways. */
  env?: Record<string, string>;
  /** One progress line instead of k6's own output, which is captured (the harness and `load --quiet`). */
  progressLine?: boolean;
  /**
   * k6 processes sharing the profile through execution segments (default 1). With more than one,
   * every threshold is judged over all runners' samples, not by each runner alone.
   */
  runners?: number;
}

/** One runner's part of a run of several. */
export interface RunnerShare {
  /** `runner-1` locally; the Kubernetes job's name for collected outputs. */
  name: string;
  /** Its execution segment, e.g. `1/3:2/3`, when known. */
  segment?: string;
  /** k6's exit code (local runners only). */
  exitCode?: number;
  requests: number;
  /** Its fraction of all requests. */
  share: number;
  p95: number;
  durationMs: number;
  /** Thresholds its share alone crossed (k6's own verdict in that runner); the run is judged on the whole. */
  crossedAlone: string[];
  /** Why this runner fails the run (died, ended early, incomplete samples), if it does. */
  problem?: string;
  /** Something worth knowing that does not fail the run (no VUs in its segment). */
  note?: string;
}

export interface LoadResult {
  passed: boolean;
  exitCode: number;
  explanation: string;
  thresholdsFailed: string[];
  requests: number;
  routes: RouteStats[];
  reports: Record<string, string>;
  startedAt: string;
  finishedAt: string;
  /** Present when several runners ran the profile: each one's share, in segment order. */
  runners?: RunnerShare[];
}

export const REPORT_FILES = {
  summary: 'k6-summary.json',
  text: 'k6-summary.txt',
  junit: 'k6-junit.xml',
  dashboard: 'k6-dashboard.html',
  /** k6's raw samples (`--out json`), one file per runner. */
  samples: 'k6-samples.json',
  /** Every request's duration by route: see `load/runner/durations.ts`. */
  durations: 'k6-durations.json',
} as const;
