import { type CostInput, computeCost, type PriceTable, type RunCost } from '../cost/index';
import type { RouteAccess } from '../local/stage/access-patterns';
import type { ParsedEvent } from '../logcheck/parse';
import { type BaselineChoice, selectBaseline } from './baseline';
import { type CompareSettings, compareFigures, type MetricComparison } from './compare';
import { buildFigures, type FigureSources, type RunFigures } from './figures';
import type { HostFactor } from './host';
import { readRouteDurations } from './k6-samples';

export { type BaselineChoice, parseBaselineFlag } from './baseline';
export { type CompareSettings, DEFAULT_SETTINGS, type MetricComparison } from './compare';
export type { RunFigures } from './figures';
export {
  DEFAULT_THRESHOLDS,
  formatThreshold,
  METRIC_KINDS,
  type MetricKind,
  parseThreshold,
} from './thresholds';

/**
 * The run's figures, what its traffic would cost, and how it compares with its baseline: what the
 * harness's baseline step hands to summary.json (`figures`, `cost`, `baseline`, `regressions`).
 */

export interface BaselineSection {
  selectedBy: 'latest-passed' | 'named' | 'none';
  /** The run compared with. */
  runId?: string;
  file?: string;
  startedAt?: string;
  /** Why nothing was compared, when nothing was. */
  reason?: string;
  settings?: { confidence: number; thresholds: Record<string, string> };
  /** How much busier the host was than in the baseline's run (wall-time baselines stretched by it). */
  host?: HostFactor;
  comparisons: MetricComparison[];
}

export interface ComparisonInput {
  runId: string;
  target: string;
  profile: string;
  reportsDir: string;
  parsed: readonly ParsedEvent[];
  /** k6's raw samples, when k6 ran. */
  samplesFile?: string;
  bundleFile?: string;
  newman?: { requestsSent: number; assertions: { total: number; failed: number } };
  /** The function's DynamoDB calls per route, when the run's stage recorded them. */
  accessPatterns?: readonly RouteAccess[];
  /** Every request the run sent, by the part that sent it (newman, k6, fuzz, …): what API Gateway bills. */
  requestsSent: Record<string, number>;
  /** Init figures of fresh environments, when the target can measure them (the local stage). */
  coldStarts?: FigureSources['coldStarts'];
  /** How busy the host was while the run measured (common/host-load.ts). */
  host?: FigureSources['host'];
  architecture: 'arm64' | 'x86_64';
  prices: PriceTable;
  dynamoDb?: CostInput['dynamoDb'];
  baseline: BaselineChoice;
  settings: CompareSettings;
}

export interface ComparisonOutcome {
  figures: RunFigures;
  cost: RunCost;
  baseline: BaselineSection;
  regressions: MetricComparison[];
}

export function compareRun(input: ComparisonInput): ComparisonOutcome {
  const routeDurations = input.samplesFile ? readRouteDurations(input.samplesFile) : undefined;
  const figures = buildFigures({
    runId: input.runId,
    parsed: input.parsed,
    ...(routeDurations ? { routeDurations } : {}),
    ...(input.bundleFile ? { bundleFile: input.bundleFile } : {}),
    ...(input.newman ? { newman: input.newman } : {}),
    ...(input.accessPatterns ? { accessPatterns: input.accessPatterns } : {}),
    ...(input.coldStarts ? { coldStarts: input.coldStarts } : {}),
    ...(input.host ? { host: input.host } : {}),
  });
  const cost = computeCost(
    {
      requestsSent: input.requestsSent,
      requestsByRoute: Object.fromEntries(
        Object.entries(figures.logsPerRoute ?? {}).map(([route, volume]) => [route, volume.requests]),
      ),
      lambda: {
        invocations: figures.lambda.invocations,
        gbSeconds: figures.lambda.gbSeconds,
        architecture: input.architecture,
      },
      ...(input.dynamoDb ? { dynamoDb: input.dynamoDb } : {}),
      logs: figures.logs,
    },
    input.prices,
  );
  const selected = selectBaseline(input.baseline, input.reportsDir, input);
  const baselineFigures = selected.reason ? undefined : selected.run?.summary.figures;
  const comparison = baselineFigures ? compareFigures(figures, baselineFigures, input.settings) : undefined;
  const baseline: BaselineSection = {
    selectedBy: selected.selectedBy,
    ...(selected.run
      ? {
          runId: selected.run.summary.runId,
          file: selected.run.file,
          startedAt: selected.run.summary.startedAt,
        }
      : {}),
    ...(selected.reason ? { reason: selected.reason } : {}),
    ...(comparison ? { settings: comparison.settings } : {}),
    ...(comparison?.host ? { host: comparison.host } : {}),
    comparisons: comparison?.comparisons ?? [],
  };
  return { figures, cost, baseline, regressions: comparison?.regressions ?? [] };
}

/** The step's one line: which run it was compared with and what regressed, or why nothing was compared. */
export function comparisonDetail(outcome: ComparisonOutcome): string {
  const { baseline, regressions } = outcome;
  if (!baseline.runId || baseline.reason) return `no comparison: ${baseline.reason ?? 'no baseline'}`;
  if (regressions.length === 0) {
    return `compared with ${baseline.runId}: ${baseline.comparisons.length} figures, no significant regression`;
  }
  return `compared with ${baseline.runId}: ${regressions.length} regression${regressions.length === 1 ? '' : 's'}: ${regressions.map((r) => r.text).join(' · ')}`;
}
