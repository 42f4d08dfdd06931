import { existsSync, readFileSync } from 'node:fs';
import {
  baseUrlFlag,
  type CommandSpec,
  choiceFlag,
  intFlag,
  parseFlags,
  runIdFlag,
  UsageError,
} from '../common/cli';
import { reportsDir } from '../common/paths';
import { withStep } from '../common/progress';
import { functionSettings } from '../definitions/function';
import { BUDGET_FLAGS, parseBudgetFlags } from './budget-flags';
import { type Budgets, DEFAULT_BUDGETS } from './checks';
import { DEFAULT_WAIT_MS, type LogCheckResult, runLogCheck } from './index';

const flags = {
  'run-id': {
    type: 'string',
    value: 'ID',
    help: 'the run id the requests carried in x-harness-run-id (required)',
  },
  since: { type: 'string', value: 'T', help: 'window start, ISO 8601 or epoch ms (required)' },
  until: { type: 'string', value: 'T', help: 'window end, ISO 8601 or epoch ms (default now)' },
  'expect-requests': {
    type: 'string',
    value: 'N',
    help: 'requests the run sent that reach the function (at least 1)',
  },
  'correlation-ids': {
    type: 'string',
    value: 'FILE',
    help: 'the correlation ids the run sent (one per line or a JSON array): missing ones are named',
  },
  source: { type: 'string', value: 'local|cloudwatch', help: 'where the logs are (default local)' },
  'log-group': {
    type: 'string',
    value: 'NAME',
    help: `log group (default ${functionSettings().logGroupName})`,
  },
  region: { type: 'string', value: 'R', help: 'CloudWatch region (default from the AWS config)' },
  endpoint: { type: 'string', value: 'URL', help: 'CloudWatch Logs endpoint (a stand-in such as moto)' },
  'log-dir': {
    type: 'string',
    value: 'DIR',
    help: 'local log store (default PETS_LOG_DIR or .pets-harness/logs)',
  },
  'reports-dir': {
    type: 'string',
    value: 'DIR',
    help: 'where logcheck.json goes (default reports/<run-id>)',
  },
  'wait-ms': {
    type: 'string',
    value: 'N',
    help: `wait this long for the expected lines (default ${DEFAULT_WAIT_MS.cloudwatch} cloudwatch, ${DEFAULT_WAIT_MS.local} local)`,
  },
  ...BUDGET_FLAGS,
} as const;

const spec = {
  name: 'pets-harness logs check',
  summary:
    "Check the function logs of one run: no errors or timeouts, every request logged, REPORT metrics within budget.\nExit 0 = passed, 1 = a check failed (offending request ids are named), 2 = bad flags or the logs can't be read.",
  flags,
} satisfies CommandSpec<typeof flags>;

/** ISO 8601 or epoch milliseconds → epoch ms, or a UsageError naming the flag. */
export function parseTime(name: string, raw: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const value = Date.parse(raw);
  if (Number.isNaN(value) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new UsageError(`--${name} must be ISO 8601 (2026-11-23T22:00:00Z) or epoch ms, got '${raw}'`);
  }
  return value;
}

function readCorrelationIds(file: string): string[] {
  if (!existsSync(file)) throw new UsageError(`--correlation-ids: no such file '${file}'`);
  const text = readFileSync(file, 'utf8').trim();
  if (text.startsWith('[')) {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
      throw new UsageError(`--correlation-ids: ${file} must hold a JSON array of strings`);
    }
    return value;
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function formatNumber(value: number | undefined, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${value}${unit}`;
}

/** The result as a readable table (stdout). */
export function formatResult(runId: string, result: LogCheckResult, budgets: Budgets): string {
  const m = result.metrics;
  const failedChecks = new Set(result.violations.map((v) => v.check));
  const mark = (check: string) => (failedChecks.has(check) ? 'FAIL' : 'ok');
  const completeness = result.completeness;
  const classes = Object.entries(completeness.byStatusClass)
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
  const rows: [string, string, string, string][] = [
    [
      'errors',
      `${formatNumber(m.failedRequests)} failed request(s)`,
      `≤ ${budgets.maxErrors}`,
      mark('errors'),
    ],
    [
      'completeness',
      `${completeness.found} logged (${classes})`,
      completeness.expected === undefined ? 'not given' : `= ${completeness.expected}`,
      mark('completeness'),
    ],
    ['duration p50', formatNumber(m.durationP50Ms, ' ms'), '', ''],
    ['duration p95', formatNumber(m.durationP95Ms, ' ms'), `≤ ${budgets.p95Ms} ms`, mark('duration p95')],
    ['duration p99', formatNumber(m.durationP99Ms, ' ms'), `≤ ${budgets.p99Ms} ms`, mark('duration p99')],
    ['duration max', formatNumber(m.durationMaxMs, ' ms'), '', ''],
    ['billed duration p95', formatNumber(m.billedDurationP95Ms, ' ms'), '', ''],
    [
      'cold starts',
      formatNumber(m.coldStarts),
      Number.isFinite(budgets.maxColdStarts) ? `≤ ${budgets.maxColdStarts}` : 'unbounded',
      mark('cold starts'),
    ],
    [
      'init duration p95',
      formatNumber(m.initDurationP95Ms, ' ms'),
      `≤ ${budgets.initP95Ms} ms`,
      mark('init duration p95'),
    ],
    [
      'max memory used',
      `${formatNumber(m.maxMemoryUsedMb, ' MB')} of ${formatNumber(m.memorySizeMb, ' MB')} (${formatNumber(m.maxMemoryUsedPct, '%')})`,
      `≤ ${budgets.maxMemoryPct}%`,
      mark('memory'),
    ],
  ];
  const header: [string, string, string, string] = ['check', 'value', 'budget', 'result'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [
    `Log check for run ${runId} — ${result.source}`,
    result.wait
      ? `Waited ${(result.wait.waitedMs / 1000).toFixed(1)} s for the run's lines: ${
          result.wait.outcome === 'complete' ? 'all arrived' : 'deadline passed before all arrived'
        }`
      : '',
    `${formatNumber(m.events)} events, ${formatNumber(m.reports)} REPORT lines for the run`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
  ].filter((text, i) => i !== 1 || text !== '');
  if (result.errors.length > 0) {
    out.push('Error lines:');
    for (const error of result.errors) {
      const ids = `request ${error.requestId ?? '?'}, correlation ${error.correlationId ?? '?'}`;
      out.push(`  [${ids}] ${error.line.split('\n')[0]?.slice(0, 200)}`);
    }
    out.push('');
  }
  if (result.violations.length === 0) {
    out.push('PASSED: no violations.');
  } else {
    out.push(`FAILED: ${result.violations.length} violation(s)`);
    for (const violation of result.violations) {
      out.push(`  ✖ ${violation.check}: ${violation.message}`);
      if (violation.requestIds.length > 0) out.push(`    request ids: ${violation.requestIds.join(', ')}`);
    }
  }
  return out.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const values = parseFlags(spec, argv);
  if (!values) return 0;
  const runId = runIdFlag(values['run-id'], () => {
    throw new UsageError('--run-id is required (the x-harness-run-id the requests carried)');
  });
  if (!values.since) throw new UsageError('--since is required (ISO 8601 or epoch ms)');
  const since = parseTime('since', values.since);
  const until = values.until === undefined ? undefined : parseTime('until', values.until);
  if (until !== undefined && until < since) throw new UsageError('--until is before --since');
  const source = choiceFlag('source', values.source, ['local', 'cloudwatch'] as const, 'local');
  if (source === 'local' && (values.region || values.endpoint)) {
    throw new UsageError('--region and --endpoint apply to --source cloudwatch only');
  }
  if (source === 'cloudwatch' && values['log-dir']) {
    throw new UsageError('--log-dir applies to --source local only');
  }
  const endpoint = baseUrlFlag('endpoint', values.endpoint);
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...parseBudgetFlags(values) };
  const expectRequests =
    values['expect-requests'] === undefined
      ? undefined
      : // At least one: a run none of whose requests reached the function has nothing to check.
        intFlag('expect-requests', values['expect-requests'], 1, 1);
  const waitMs =
    values['wait-ms'] === undefined ? undefined : intFlag('wait-ms', values['wait-ms'], 0, 0, 900_000);
  const sentCorrelationIds = values['correlation-ids']
    ? readCorrelationIds(values['correlation-ids'])
    : undefined;
  const reports = values['reports-dir'] ?? reportsDir(runId);

  const result = await withStep(`Reading the logs of run ${runId} (${source})`, () =>
    runLogCheck({
      runId,
      since,
      ...(until === undefined ? {} : { until }),
      ...(expectRequests === undefined ? {} : { expectRequests }),
      ...(sentCorrelationIds ? { sentCorrelationIds } : {}),
      source,
      ...(values['log-group'] ? { logGroupName: values['log-group'] } : {}),
      ...(values['log-dir'] ? { logDir: values['log-dir'] } : {}),
      ...(values.region ? { region: values.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(waitMs === undefined ? {} : { waitMs }),
      budgets,
      reportsDir: reports,
    }),
  );
  console.log(formatResult(runId, result, budgets));
  console.log(`\nReport: ${reports}/logcheck.json`);
  return result.passed ? 0 : 1;
}
