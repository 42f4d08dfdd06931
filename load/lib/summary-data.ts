/**
 * Reading k6's end-of-test summary data (what `handleSummary(data)` receives and what we write to
 * `k6-summary.json`). Pure functions without imports: the k6 script uses them to write its text
 * and JUnit reports, the Node runner uses them to fill `LoadResult`, so both read it one way.
 *
 * k6 only keeps a submetric such as `http_req_duration{route:get}` when a threshold names it;
 * that is why every route has thresholds on duration, requests, failures and checks.
 */

export interface SummaryMetric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  path: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  path: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  root_group: SummaryGroup;
  state: { testRunDurationMs: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  options?: { summaryTrendStats?: string[] };
  setup_data?: unknown;
}

export interface ThresholdOutcome {
  /** e.g. `http_req_duration{route:get}` */
  metric: string;
  /** e.g. `p(95)<500` */
  expression: string;
  ok: boolean;
  /** The statistic the expression tests (`p(95)`, `rate`, `count`), when the summary has it. */
  stat?: string;
  actual?: number;
  /** `time` metrics are in milliseconds. */
  unit: 'ms' | 'rate' | 'number';
}

export interface RouteStats {
  route: string;
  count: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  failedRate: number;
}

const EXPRESSION = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(?:<=|>=|==|===|!=|<|>)/;

/** Every threshold of the run with its outcome, sorted by metric then expression. */
export function thresholdOutcomes(data: SummaryData): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const [metric, summary] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(summary.thresholds ?? {})) {
      const stat = EXPRESSION.exec(expression)?.[1];
      const statKey = stat === 'p(50)' ? 'med' : stat;
      const actual = statKey === undefined ? undefined : summary.values[statKey];
      const unit = summary.contains === 'time' ? 'ms' : summary.type === 'rate' ? 'rate' : 'number';
      outcomes.push({ metric, expression, ok: result.ok, stat, actual, unit });
    }
  }
  return outcomes.sort(
    (a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression),
  );
}

/** `http_req_duration{route:get} p(95)<500`: how a crossed threshold is named everywhere. */
export function thresholdName(outcome: Pick<ThresholdOutcome, 'metric' | 'expression'>): string {
  return `${outcome.metric} ${outcome.expression}`;
}

/** `http_req_duration{route:get} p(95)<500 (p(95)=612.00ms)`: a crossed threshold with what was measured. */
export function describeOutcome(outcome: ThresholdOutcome): string {
  const measured = outcome.stat ? ` (${outcome.stat}=${formatValue(outcome.actual, outcome.unit)})` : '';
  return `${thresholdName(outcome)}${measured}`;
}

export function formatValue(value: number | undefined, unit: ThresholdOutcome['unit']): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (unit === 'ms') return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(2)}ms`;
  if (unit === 'rate') return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

const ROUTE_SUBMETRIC = /^http_req_duration\{route:([^}]+)\}$/;

/**
 * Per-route figures from the route submetrics. Routes come out in `order` first (the script's
 * route list), then any other route the data has, alphabetically.
 */
export function routeStats(data: SummaryData, order: readonly string[] = []): RouteStats[] {
  const seconds = data.state.testRunDurationMs / 1000;
  const names = Object.keys(data.metrics)
    .map((key) => ROUTE_SUBMETRIC.exec(key)?.[1])
    .filter((name): name is string => name !== undefined);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((route) => {
    const duration = data.metrics[`http_req_duration{route:${route}}`]?.values ?? {};
    const requests = data.metrics[`http_reqs{route:${route}}`]?.values;
    const failed = data.metrics[`http_req_failed{route:${route}}`]?.values;
    const count = requests?.count ?? duration.count ?? 0;
    return {
      route,
      count,
      rps: requests?.rate ?? (seconds > 0 ? count / seconds : 0),
      p50: duration.med ?? 0,
      p95: duration['p(95)'] ?? 0,
      p99: duration['p(99)'] ?? 0,
      failedRate: failed?.rate ?? 0,
    };
  });
}

/** Every check of the run, groups included, in the order k6 reports them. */
export function allChecks(group: SummaryGroup): SummaryCheck[] {
  return [...group.checks, ...group.groups.flatMap((child) => allChecks(child))];
}
