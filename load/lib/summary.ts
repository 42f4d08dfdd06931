import { ROUTE_NAMES } from './routes.ts';
import {
  allChecks,
  formatValue,
  routeStats,
  type SummaryData,
  thresholdName,
  thresholdOutcomes,
} from './summary-data.ts';

/**
 * The text summary and JUnit XML, written by the script itself because k6's jslib helpers live on
 * a CDN these machines cannot reach.
 */

export interface RunLabel {
  profile: string;
  baseUrl: string;
  runId: string;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padLeft(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(1)}ms`;
}

function metricValue(data: SummaryData, metric: string, stat: string): number | undefined {
  return data.metrics[metric]?.values[stat];
}

export function textSummary(data: SummaryData, label: RunLabel, minChecksRate: number): string {
  const outcomes = thresholdOutcomes(data);
  const failed = outcomes.filter((outcome) => !outcome.ok);
  const seconds = data.state.testRunDurationMs / 1000;
  const lines: string[] = [
    `k6 ${label.profile} run ${label.runId} against ${label.baseUrl}`,
    `${failed.length === 0 ? 'PASSED' : 'FAILED'}: ${outcomes.length - failed.length} of ${outcomes.length} thresholds held, ${seconds.toFixed(1)}s`,
    '',
    'Routes',
    `  ${pad('route', 14)}${padLeft('requests', 10)}${padLeft('req/s', 9)}${padLeft('p50', 10)}${padLeft('p95', 10)}${padLeft('p99', 10)}${padLeft('failed', 9)}`,
  ];
  for (const route of routeStats(data, ROUTE_NAMES)) {
    lines.push(
      `  ${pad(route.route, 14)}${padLeft(String(route.count), 10)}${padLeft(route.rps.toFixed(1), 9)}` +
        `${padLeft(ms(route.p50), 10)}${padLeft(ms(route.p95), 10)}${padLeft(ms(route.p99), 10)}` +
        `${padLeft(`${(route.failedRate * 100).toFixed(2)}%`, 9)}`,
    );
  }
  lines.push('', 'Thresholds');
  for (const outcome of outcomes) {
    const actual = outcome.stat ? `  (${outcome.stat}=${formatValue(outcome.actual, outcome.unit)})` : '';
    lines.push(`  ${outcome.ok ? '✓' : '✗'} ${thresholdName(outcome)}${actual}`);
  }
  lines.push('', 'Checks');
  for (const item of allChecks(data.root_group)) {
    const total = item.passes + item.fails;
    const rate = total === 0 ? 1 : item.passes / total;
    const mark = item.fails === 0 ? '✓' : rate > minChecksRate ? '~' : '✗';
    lines.push(`  ${mark} ${item.name}  ${item.passes}/${total}`);
  }
  const requests = metricValue(data, 'http_reqs', 'count') ?? 0;
  lines.push(
    '',
    'Totals',
    `  http_reqs ${requests} (${(metricValue(data, 'http_reqs', 'rate') ?? 0).toFixed(1)}/s), ` +
      `iterations ${metricValue(data, 'iterations', 'count') ?? 0}, ` +
      `failed ${formatValue(metricValue(data, 'http_req_failed', 'rate'), 'rate')}, ` +
      `vus max ${metricValue(data, 'vus_max', 'max') ?? 0}`,
    '',
  );
  return lines.join('\n');
}

function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * JUnit XML: one test case per threshold (the verdict k6 exits on), and one per check, which
 * fails only when its own pass rate is below the checks threshold — so CI shows the same result
 * as the exit code.
 */
export function junitXml(data: SummaryData, label: RunLabel, minChecksRate: number): string {
  const seconds = (data.state.testRunDurationMs / 1000).toFixed(3);
  const outcomes = thresholdOutcomes(data);
  const thresholdCases = outcomes.map((outcome) => {
    const name = xmlEscape(thresholdName(outcome));
    const actual = outcome.stat ? `${outcome.stat}=${formatValue(outcome.actual, outcome.unit)}` : '';
    return outcome.ok
      ? `    <testcase classname="k6.thresholds" name="${name}" time="0"/>`
      : `    <testcase classname="k6.thresholds" name="${name}" time="0">\n` +
          `      <failure type="threshold" message="${xmlEscape(`crossed: ${actual}`)}">${xmlEscape(`${thresholdName(outcome)} was crossed (${actual})`)}</failure>\n` +
          '    </testcase>';
  });
  const checks = allChecks(data.root_group);
  let checkFailures = 0;
  const checkCases = checks.map((item) => {
    const total = item.passes + item.fails;
    const rate = total === 0 ? 1 : item.passes / total;
    const name = xmlEscape(item.name);
    const detail = `${item.passes} of ${total} passed`;
    if (rate >= minChecksRate || item.fails === 0) {
      return `    <testcase classname="k6.checks" name="${name}" time="0"><system-out>${xmlEscape(detail)}</system-out></testcase>`;
    }
    checkFailures += 1;
    return (
      `    <testcase classname="k6.checks" name="${name}" time="0">\n` +
      `      <failure type="check" message="${xmlEscape(detail)}">${xmlEscape(`${item.name}: ${detail}`)}</failure>\n` +
      '    </testcase>'
    );
  });
  const thresholdFailures = outcomes.filter((outcome) => !outcome.ok).length;
  const suiteName = xmlEscape(`k6 ${label.profile} ${label.baseUrl}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="k6 ${xmlEscape(label.runId)}" tests="${outcomes.length + checks.length}" failures="${thresholdFailures + checkFailures}" time="${seconds}">`,
    `  <testsuite name="${suiteName} thresholds" tests="${outcomes.length}" failures="${thresholdFailures}" errors="0" time="${seconds}">`,
    ...thresholdCases,
    '  </testsuite>',
    `  <testsuite name="${suiteName} checks" tests="${checks.length}" failures="${checkFailures}" errors="0" time="${seconds}">`,
    ...checkCases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
