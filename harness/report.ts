import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { latencyChartSvg } from './chart';
import { escapeHtml, formatMs, formatNumber, formatPercent, safeHref } from './html';
import { comparisonBody, costBody } from './report-compare';
import { configurationBody } from './report-config';
import { accessBody, faultsBody } from './report-dynamodb';
import { iamDenialLines, notRehearsedLine, rehearsalBody } from './report-rehearsal';
import type {
  LoadResult,
  LogCheckResult,
  NewmanResult,
  RunSummary,
  StepRecord,
  StepVerdict,
} from './results';

/**
 * The run's report: `index.html` (one self-contained page: inline CSS and SVG, no script, no
 * network), `summary.json` for machines, and a compact table for the console. All three are
 * rendered from the one RunSummary.
 */

/** Failed assertions listed on the page; the rest are in newman's own report. */
const MAX_FAILURES_SHOWN = 25;

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

const VERDICT_TEXT: Record<StepVerdict, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  error: 'could not run',
};

function badge(verdict: StepVerdict): string {
  return `<span class="badge ${verdict}">${escapeHtml(VERDICT_TEXT[verdict])}</span>`;
}

function passFail(passed: boolean): StepVerdict {
  return passed ? 'passed' : 'failed';
}

function bannerText(summary: RunSummary): { title: string; detail: string } {
  if (summary.verdict === 'passed') {
    const passed = summary.steps
      .filter((step) => step.check && step.verdict === 'passed')
      .map((step) => step.label);
    return {
      title: 'All checks passed',
      detail: `${passed.join(' · ')} — every step passed on the ${summary.target} target`,
    };
  }
  if (summary.verdict === 'failed') {
    const failed = summary.steps
      .filter((step) => step.verdict === 'failed' || step.verdict === 'error')
      .map((step) => `${step.label}: ${truncate(step.detail, 140)}`);
    return { title: 'Checks failed', detail: failed.join(' · ') };
  }
  if (summary.stoppedBy) return { title: `Stopped by ${summary.stoppedBy}`, detail: summary.problem ?? '' };
  return { title: 'The harness could not run', detail: summary.problem ?? 'see the steps below' };
}

function keyFigures(summary: RunSummary): string {
  const figures: { label: string; value: string; tone?: StepVerdict }[] = [];
  const { newman, load, logCheck } = summary;
  if (newman) {
    figures.push({
      label: 'newman assertions',
      value: `${formatNumber(newman.assertions.total - newman.assertions.failed)} / ${formatNumber(newman.assertions.total)}`,
      tone: passFail(newman.passed),
    });
  }
  if (load) {
    figures.push({
      label: `k6 requests (${summary.profile})`,
      value: formatNumber(load.requests),
      tone: passFail(load.passed),
    });
    const measured = load.routes.filter((route) => route.count > 0);
    if (measured.length > 0) {
      figures.push({
        label: 'slowest route p95',
        value: formatMs(Math.max(...measured.map((route) => route.p95))),
      });
    }
  }
  if (logCheck) {
    figures.push({
      label: 'log violations',
      value: formatNumber(logCheck.violations.length),
      tone: passFail(logCheck.passed),
    });
  }
  figures.push({ label: 'run time', value: formatMs(summary.durationMs) });
  return `<div class="figures">${figures
    .map(
      (figure) =>
        `<div class="figure${figure.tone ? ` ${figure.tone}` : ''}"><div class="value">${escapeHtml(figure.value)}</div><div class="label">${escapeHtml(figure.label)}</div></div>`,
    )
    .join('')}</div>`;
}

function stepsTable(steps: StepRecord[]): string {
  const rows = steps
    .map(
      (step) =>
        `<tr id="step-${escapeHtml(step.id)}" data-step="${escapeHtml(step.id)}" data-verdict="${escapeHtml(step.verdict)}"><td>${escapeHtml(step.label)}</td><td>${badge(step.verdict)}</td><td class="num">${escapeHtml(step.verdict === 'skipped' ? '–' : formatMs(step.durationMs))}</td><td class="detail">${escapeHtml(step.detail)}</td></tr>`,
    )
    .join('');
  return `<table class="steps"><thead><tr><th>step</th><th>verdict</th><th class="num">time</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function runFactsList(summary: RunSummary): string {
  const env = summary.environment;
  const entries: [string, string | undefined][] = [
    ['target', summary.target],
    ['stage URL', env.baseUrl],
    ['stack', env.stackName],
    ['stack URL', env.stackUrl],
    ['AWS stand-in', env.awsEndpoint],
    ['account', env.account],
    ['region', env.region],
    [
      'DynamoDB',
      env.dynamoDbKind
        ? `${env.dynamoDbKind}${env.dynamoDbImage ? ` ${env.dynamoDbImage}` : ''}${env.dynamoDbEndpoint ? ` at ${env.dynamoDbEndpoint}` : ''}`
        : undefined,
    ],
    ['table', env.tableName],
    ['template', env.template],
    ['log group', env.logGroupName],
    ['log store', env.logDir],
    ['started', summary.startedAt],
    ['node', `${env.nodeVersion} on ${env.platform}`],
    ['function node', env.functionNodeVersion],
  ];
  return `<dl class="env">${entries
    .filter((entry): entry is [string, string] => Boolean(entry[1]))
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('')}</dl>`;
}

function section(id: string, title: string, verdict: StepVerdict | undefined, body: string): string {
  return `<section id="${escapeHtml(id)}"${verdict ? ` data-verdict="${verdict}"` : ''}><h2>${escapeHtml(title)}${verdict ? ` ${badge(verdict)}` : ''}</h2>${body}</section>`;
}

function notRun(what: string): string {
  return `<p class="muted">${escapeHtml(what)} did not run in this run.</p>`;
}

function newmanSection(newman: NewmanResult | undefined, reports: Record<string, string>): string {
  if (!newman) return section('newman', 'API tests (newman)', undefined, notRun('The Postman collection'));
  const folders = newman.folders
    .map(
      (folder) =>
        `<tr data-verdict="${folder.failed === 0 ? 'passed' : 'failed'}"><td>${escapeHtml(folder.name)}</td><td class="num">${formatNumber(folder.requests)}</td><td class="num">${formatNumber(folder.assertions)}</td><td class="num">${formatNumber(folder.failed)}</td><td>${badge(folder.failed === 0 ? 'passed' : 'failed')}</td></tr>`,
    )
    .join('');
  const shown = newman.failures.slice(0, MAX_FAILURES_SHOWN);
  const hidden = newman.failures.length - shown.length;
  const newmanHtml = reports['newman-html'];
  const failures =
    newman.failures.length === 0
      ? ''
      : `<h3>Failed assertions</h3><table class="failures"><thead><tr><th>folder</th><th>request</th><th>assertion</th><th>message</th></tr></thead><tbody>${shown
          .map(
            (failure) =>
              `<tr><td>${escapeHtml(failure.folder)}</td><td>${escapeHtml(failure.request)}</td><td>${escapeHtml(failure.assertion)}</td><td class="detail">${escapeHtml(failure.message)}</td></tr>`,
          )
          .join('')}</tbody></table>${
          hidden > 0
            ? `<p class="muted">and ${formatNumber(hidden)} more${newmanHtml ? ` in <a href="${safeHref(newmanHtml)}">the newman report</a>` : ''}.</p>`
            : ''
        }`;
  const body = `<p>${formatNumber(newman.requestsSent)} requests sent (${formatNumber(newman.requestsAtFunction)} reached the function), ${formatNumber(newman.assertions.total)} assertions, ${formatNumber(newman.assertions.failed)} failed.</p><table class="folders"><thead><tr><th>folder</th><th class="num">requests</th><th class="num">assertions</th><th class="num">failed</th><th>verdict</th></tr></thead><tbody>${folders}</tbody></table>${failures}`;
  return section('newman', 'API tests (newman)', passFail(newman.passed), body);
}

/** With several runners: each one's share, what its share alone crossed, and why it failed the run. */
function runnerShares(load: LoadResult): string {
  if (!load.runners?.length) return '';
  const rows = load.runners
    .map(
      (runner) =>
        `<tr${runner.problem ? ' class="over"' : ''}><td>${escapeHtml(runner.name)}</td><td>${escapeHtml(runner.segment ?? '')}</td><td class="num">${formatNumber(runner.requests)}</td><td class="num">${formatPercent(runner.share)}</td><td class="num">${formatMs(runner.p95)}</td><td>${escapeHtml(runner.problem ?? runner.note ?? (runner.crossedAlone.length ? `alone it crossed ${runner.crossedAlone.join(', ')}` : ''))}</td></tr>`,
    )
    .join('');
  return `<p>${load.runners.length} runners; the figures and thresholds above are over all of them.</p><table class="runners"><thead><tr><th>runner</th><th>segment</th><th class="num">requests</th><th class="num">share</th><th class="num">p95</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function loadSection(load: LoadResult | undefined, profile: string, reports: Record<string, string>): string {
  if (!load) return section('load', 'Load (k6)', undefined, notRun('k6'));
  const rows = load.routes
    .map(
      (route) =>
        `<tr><td>${escapeHtml(route.route)}</td><td class="num">${formatNumber(route.count)}</td><td class="num">${formatNumber(route.rps, 1)}</td><td class="num">${formatMs(route.p50)}</td><td class="num">${formatMs(route.p95)}</td><td class="num">${formatMs(route.p99)}</td><td class="num">${formatPercent(route.failedRate)}</td></tr>`,
    )
    .join('');
  const dashboard =
    reports['k6-dashboard'] ?? Object.entries(reports).find(([name]) => /dashboard/i.test(name))?.[1];
  const thresholds =
    load.thresholdsFailed.length === 0
      ? ''
      : `<p class="bad">Thresholds crossed:</p><ul class="findings">${load.thresholdsFailed.map((name) => `<li><code>${escapeHtml(name)}</code></li>`).join('')}</ul>`;
  const body = `<p>Profile <strong>${escapeHtml(profile)}</strong>: ${formatNumber(load.requests)} requests. ${escapeHtml(load.explanation)}</p>${thresholds}${runnerShares(load)}<div class="chart-wrap">${latencyChartSvg(load.routes.filter((route) => route.count > 0))}</div><table class="routes"><thead><tr><th>route</th><th class="num">requests</th><th class="num">req/s</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">failed</th></tr></thead><tbody>${rows}</tbody></table>${dashboard ? `<p><a href="${safeHref(dashboard)}">Open the k6 dashboard</a> for the full time series.</p>` : ''}`;
  return section('load', 'Load (k6)', passFail(load.passed), body);
}

function logCheckSection(
  logCheck: LogCheckResult | undefined,
  budgets: Record<string, number> | undefined,
): string {
  if (!logCheck) return section('logcheck', 'Log check', undefined, notRun('The log check'));
  const violations =
    logCheck.violations.length === 0
      ? '<p>No violations: no errors, timeouts or runtime exits; every request logged; metrics within budget.</p>'
      : `<ul class="findings">${logCheck.violations
          .map((violation) => {
            const ids = violation.requestIds.slice(0, 10);
            const more = violation.requestIds.length - ids.length;
            const idList =
              ids.length === 0
                ? ''
                : `<div class="ids">request ids: ${ids.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}${more > 0 ? ` and ${formatNumber(more)} more` : ''}</div>`;
            return `<li><strong>${escapeHtml(violation.check)}</strong>: ${escapeHtml(violation.message)}${idList}</li>`;
          })
          .join('')}</ul>`;
  const completeness = logCheck.completeness;
  const statusClasses = Object.entries(completeness.byStatusClass)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([statusClass, count]) => `${escapeHtml(statusClass)}: ${formatNumber(count)}`)
    .join(', ');
  const metricRows = Object.entries(logCheck.metrics)
    .map(([name, value]) => {
      const budget = budgets?.[name];
      const within = budget === undefined || !Number.isFinite(value) ? undefined : value <= budget;
      return `<tr${within === false ? ' class="over"' : ''}><td>${escapeHtml(metricLabel(name))}</td><td class="num">${escapeHtml(formatMetric(name, value))}</td><td class="num">${budget === undefined ? '–' : `≤ ${escapeHtml(formatMetric(name, budget))}`}</td><td>${within === undefined ? '' : badge(within ? 'passed' : 'failed')}</td></tr>`;
    })
    .join('');
  const errors =
    logCheck.errors.length === 0
      ? ''
      : `<h3>Error lines</h3><pre class="log">${logCheck.errors
          .slice(0, 20)
          .map(
            (error) =>
              `${error.requestId ? `[${escapeHtml(error.requestId)}] ` : ''}${escapeHtml(error.line)}`,
          )
          .join('\n')}</pre>`;
  const wait = logCheck.wait
    ? ` Waited ${formatMs(logCheck.wait.waitedMs)} for ingestion (${escapeHtml(logCheck.wait.outcome === 'complete' ? 'every expected line arrived' : 'deadline reached')}).`
    : '';
  const body = `<p>Source: ${escapeHtml(logCheck.source)}. Found ${formatNumber(completeness.found)} handler log lines${completeness.expected === undefined ? '' : ` of ${formatNumber(completeness.expected)} expected`}${statusClasses ? ` (${statusClasses})` : ''}.${wait}</p>${violations}<h3>Metrics</h3><table class="metrics"><thead><tr><th>metric</th><th class="num">value</th><th class="num">budget</th><th></th></tr></thead><tbody>${metricRows}</tbody></table>${errors}`;
  return section('logcheck', 'Log check', passFail(logCheck.passed), body);
}

/** People's names for the log check's metrics (the REPORT line's own words where there are some). */
const METRIC_LABELS: Record<string, string> = {
  reports: 'REPORT lines',
  requestsWithoutReport: 'requests without a REPORT line',
  durationP50Ms: 'Duration p50',
  durationP95Ms: 'Duration p95',
  durationP99Ms: 'Duration p99',
  durationMaxMs: 'Duration max',
  billedDurationP95Ms: 'Billed Duration p95',
  billedDurationTotalMs: 'Billed Duration total',
  coldStarts: 'cold starts (Init Duration present)',
  initDurationP95Ms: 'Init Duration p95',
  memorySizeMb: 'Memory Size',
  maxMemoryUsedMb: 'Max Memory Used',
  maxMemoryUsedPct: 'Max Memory Used, % of Memory Size',
  events: 'log events read',
  failedRequests: 'failed requests',
  maxLineBytes: 'longest log line, bytes',
};

function metricLabel(name: string): string {
  return METRIC_LABELS[name] ?? name;
}

/** A metric with the unit its name ends in (`…Ms`, `…Mb`, `…Pct`). */
export function formatMetric(name: string, value: number): string {
  if (!Number.isFinite(value)) return '–';
  const digits = Number.isInteger(value) ? 0 : value < 100 ? 2 : 1;
  if (name.endsWith('Ms')) return formatMs(value);
  if (name.endsWith('Mb')) return `${formatNumber(value, digits)} MB`;
  if (name.endsWith('Pct')) return `${formatNumber(value, digits)}%`;
  return formatNumber(value, digits);
}

function reportsSection(reports: Record<string, string>): string {
  const entries = Object.entries(reports).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0)
    return section('reports', 'Raw reports', undefined, '<p class="muted">None were written.</p>');
  return section(
    'reports',
    'Raw reports',
    undefined,
    `<ul class="reports">${entries.map(([name, path]) => `<li><a href="${safeHref(path)}">${escapeHtml(name)}</a> <span class="muted">${escapeHtml(path)}</span></li>`).join('')}</ul>`,
  );
}

/**
 * The page's styles (harness/report.css, where the linter sees them), inlined: the page is one
 * file that fetches nothing. Runs of white space are one space on the page.
 */
let styles: string | undefined;
function reportCss(): string {
  styles ??= readFileSync(join(__dirname, 'report.css'), 'utf8').replace(/\s+/gu, ' ');
  return styles;
}

export function renderReportHtml(summary: RunSummary): string {
  const banner = bannerText(summary);
  const warnings =
    summary.warnings.length === 0
      ? ''
      : section(
          'warnings',
          'Warnings',
          undefined,
          `<ul class="warnings">${summary.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`,
        );
  const relativeReports = summary.reports;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(`pets-harness ${summary.verdict} — ${summary.runId}`)}</title>
<style>${reportCss()}</style>
</head>
<body>
<main>
<header class="top"><h1>pets-harness run <code>${escapeHtml(summary.runId)}</code></h1><div class="meta">${escapeHtml(summary.target)} target · ${escapeHtml(summary.profile)} profile · ${escapeHtml(formatMs(summary.durationMs))} · ${escapeHtml(summary.finishedAt)}</div></header>
<div id="verdict" class="banner ${escapeHtml(summary.verdict)}" data-verdict="${escapeHtml(summary.verdict)}"><div><div class="title">${escapeHtml(banner.title)}</div><div class="detail">${escapeHtml(banner.detail)}</div></div><div class="code">exit ${escapeHtml(summary.exitCode)}</div></div>
${keyFigures(summary)}
${section('steps', 'Steps', undefined, stepsTable(summary.steps))}
${summary.rehearsal ? section('rehearsal', 'Rehearsal: the aws path against moto', undefined, rehearsalBody(summary.rehearsal)) : ''}
${newmanSection(summary.newman, relativeReports)}
${loadSection(summary.load, summary.profile, relativeReports)}
${section('faults', 'DynamoDB faults', summary.faults ? passFail(summary.faults.passed) : undefined, faultsBody(summary.faults))}
${section('access', 'DynamoDB access per route', summary.access ? passFail(summary.access.passed) : undefined, accessBody(summary.access))}
${logCheckSection(summary.logCheck, summary.budgets)}
${section('configuration', 'Configuration', summary.configuration ? passFail(summary.configuration.passed) : undefined, configurationBody(summary.configuration))}
${section('baseline', 'Compared with', summary.baseline?.runId && !summary.baseline.reason ? passFail((summary.regressions ?? []).length === 0) : undefined, comparisonBody(summary.baseline))}
${section('cost', 'Cost on AWS', undefined, costBody(summary.cost))}
${reportsSection(relativeReports)}
${warnings}
${section('environment', 'Environment', undefined, runFactsList(summary))}
<footer>summary.json next to this page holds the same figures for machines.</footer>
</main>
</body>
</html>
`;
}

/** The console's closing table: one line per step, then the report's path, then the verdict (which check failed last). */
export function renderConsoleSummary(summary: RunSummary, reportPath: string): string {
  const labelWidth = Math.max(4, ...summary.steps.map((step) => step.label.length));
  const verdictWidth = Math.max(...Object.values(VERDICT_TEXT).map((text) => text.length));
  const mark: Record<StepVerdict, string> = { passed: '✔', failed: '✖', skipped: '·', error: '!' };
  const lines = [
    '',
    `${'  step'.padEnd(labelWidth + 4)}${'verdict'.padEnd(verdictWidth + 2)}${'time'.padStart(9)}  detail`,
    ...summary.steps.map(
      (step) =>
        `${mark[step.verdict]} ${step.label.padEnd(labelWidth + 2)}${VERDICT_TEXT[step.verdict].padEnd(verdictWidth + 2)}${(step.verdict === 'skipped' ? '–' : formatMs(step.durationMs)).padStart(9)}  ${step.detail}`,
    ),
    '',
    `Report: ${reportPath}`,
  ];
  for (const regression of summary.regressions ?? []) lines.push(`Regression: ${regression.text}`);
  for (const warning of summary.warnings) lines.push(`Warning: ${warning}`);
  if (summary.rehearsal)
    lines.push(...iamDenialLines(summary.rehearsal), notRehearsedLine(summary.rehearsal));
  if (summary.verdict === 'passed') lines.push(`PASSED in ${formatMs(summary.durationMs)} (exit 0)`);
  else if (summary.verdict === 'failed')
    lines.push(`FAILED (exit ${summary.exitCode}): ${summary.failedChecks.join(', ')} failed`);
  else if (summary.stoppedBy)
    lines.push(`STOPPED (exit ${summary.exitCode}): ${summary.problem ?? summary.stoppedBy}`);
  else lines.push(`COULD NOT RUN (exit ${summary.exitCode}): ${summary.problem ?? 'see above'}`);
  return lines.join('\n');
}

/** Writes `index.html` and `summary.json` into `dir` (each atomically: temp file, then rename). */
export function writeReport(summary: RunSummary, dir: string): { html: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'index.html');
  const json = join(dir, 'summary.json');
  writeAtomically(html, renderReportHtml(summary));
  writeAtomically(json, `${JSON.stringify(summary, null, 2)}\n`);
  return { html, json };
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/** A window height that fits the whole page, so the screenshot is of the full report. */
export function estimatePageHeight(summary: RunSummary): number {
  const routes = summary.load?.routes.length ?? 0;
  const rows =
    summary.steps.length +
    (summary.newman?.folders.length ?? 0) +
    Math.min(summary.newman?.failures.length ?? 0, MAX_FAILURES_SHOWN) * 1.6 +
    routes +
    (summary.logCheck
      ? Object.keys(summary.logCheck.metrics).length + summary.logCheck.violations.length * 2
      : 0) +
    Math.min(summary.logCheck?.errors.length ?? 0, 20) +
    Object.keys(summary.reports).length / 2 +
    summary.warnings.length +
    // The fault grid (a row per route, two lines each) and its wrong answers; the access table.
    (summary.faults ? 8 + new Set(summary.faults.probes.map((p) => p.route)).size * 1.5 : 0) +
    (summary.faults?.probes.filter((probe) => probe.problems.length > 0).length ?? 0) * 2 +
    (summary.access ? 4 + summary.access.routes.length * 1.5 + summary.access.findings.length * 2 : 0) +
    (summary.configuration
      ? 3 + summary.configuration.failures.length * 2 + summary.configuration.accepted.length * 2
      : 0) +
    // The rehearsal's lists and its adjustments table (each row wraps over a few lines).
    (summary.rehearsal
      ? summary.rehearsal.proves.length * 1.5 +
        summary.rehearsal.onlyAws.length * 1.5 +
        summary.rehearsal.adjustments.length * 4 +
        summary.rehearsal.iamDenials.length * 2 +
        8
      : 0) +
    12;
  const chart = summary.load ? 110 + routes * 66 : 0;
  return Math.min(12_000, Math.round(900 + rows * 34 + chart));
}
