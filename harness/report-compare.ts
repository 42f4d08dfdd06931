import type { BaselineSection, MetricComparison } from '../compare/index';
import type { RunCost } from '../cost/index';
import { escapeHtml, formatNumber } from './html';

/**
 * The report's "compared with" and "cost" sections: bodies only, report.ts frames them.
 */

function value(number: number, unit: string): string {
  const digits = Math.abs(number) >= 100 ? 0 : Math.abs(number) >= 10 ? 1 : 2;
  return `${formatNumber(number, digits)} ${unit}`;
}

function signed(number: number, unit: string): string {
  return `${number >= 0 ? '+' : '−'}${value(Math.abs(number), unit)}`;
}

function comparisonRow(c: MetricComparison): string {
  const interval = c.interval
    ? `${signed(c.interval.low, c.unit)} … ${signed(c.interval.high, c.unit)}`
    : '–';
  const p = c.pValue === undefined ? '–' : c.pValue < 1e-6 ? '< 1e-6' : c.pValue.toPrecision(2);
  const verdictClass = c.verdict === 'regressed' ? 'failed' : 'passed';
  return `<tr${c.verdict === 'regressed' ? ' class="over"' : ''} data-verdict="${escapeHtml(c.verdict)}"><td>${escapeHtml(c.metric)}</td><td>${escapeHtml(c.route ?? '')}</td><td>${escapeHtml(c.statistic)}</td><td class="num">${escapeHtml(value(c.baseline, c.unit))}</td><td class="num">${escapeHtml(value(c.current, c.unit))}</td><td class="num">${escapeHtml(signed(c.delta, c.unit))} (${escapeHtml(`${c.deltaPct >= 0 ? '+' : '−'}${Math.abs(c.deltaPct).toFixed(0)}%`)})</td><td class="num">${escapeHtml(interval)}</td><td class="num">${escapeHtml(p)}</td><td><span class="badge ${verdictClass}">${escapeHtml(c.verdict)}</span></td></tr>`;
}

export function comparisonBody(baseline: BaselineSection | undefined): string {
  if (!baseline) return '<p class="muted">The comparison did not run in this run.</p>';
  if (!baseline.runId || baseline.reason) {
    return `<p>No comparison: ${escapeHtml(baseline.reason ?? 'no baseline')}.</p>`;
  }
  const how =
    baseline.selectedBy === 'named'
      ? 'named by --baseline'
      : 'the latest passing run of this target and profile';
  const thresholds = Object.entries(baseline.settings?.thresholds ?? {})
    .map(([kind, text]) => `${kind} ${text}`)
    .join(', ');
  const confidence = Math.round((baseline.settings?.confidence ?? 0) * 10000) / 100;
  const rows = baseline.comparisons.map(comparisonRow).join('');
  const host = baseline.host;
  const busier =
    host && host.factor > 1
      ? `<p>The host was ${escapeHtml(host.factor.toFixed(2))}× as busy as during the baseline's run (${escapeHtml(host.work)}: ${escapeHtml(value(host.baselineMs, 'ms'))} → ${escapeHtml(value(host.currentMs, 'ms'))}, medians): latencies and Init Duration are compared with the baseline's stretched by that much.</p>`
      : '';
  return `<p>Compared with run <code>${escapeHtml(baseline.runId)}</code> (${escapeHtml(how)}, started ${escapeHtml(baseline.startedAt ?? '')}). A regression is a change beyond its threshold (${escapeHtml(thresholds)}) with ${escapeHtml(confidence)}% confidence.</p>${busier}<table class="comparison"><thead><tr><th>metric</th><th>route</th><th>stat</th><th class="num">baseline</th><th class="num">this run</th><th class="num">delta</th><th class="num">${escapeHtml(confidence)}% CI of delta</th><th class="num">p</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 0.01) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(3)}`;
}

export function costBody(cost: RunCost | undefined): string {
  if (!cost) return '<p class="muted">The cost was not computed in this run.</p>';
  const rows = cost.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.service)}</td><td>${escapeHtml(line.item)}</td><td class="num">${escapeHtml(line.quantity.toPrecision(4))} ${escapeHtml(line.unit)}</td><td class="num">${escapeHtml(usd(line.unitPrice))}</td><td class="num">${escapeHtml(usd(line.usd))}</td></tr>`,
    )
    .join('');
  const notes = cost.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('');
  const sources = Object.entries(cost.requestsBySource ?? {})
    .map(([source, count]) => `${source} ${formatNumber(count)}`)
    .join(', ');
  const routes = (cost.routes ?? [])
    .map(
      (route) =>
        `<tr><td>${escapeHtml(route.route)}</td><td class="num">${escapeHtml(formatNumber(route.requests))}</td><td class="num">${escapeHtml(usd(route.apiGatewayUsd))}</td></tr>`,
    )
    .join('');
  const routeTable = routes
    ? `<table class="cost-routes"><thead><tr><th>route</th><th class="num">requests</th><th class="num">API Gateway</th></tr></thead><tbody>${routes}</tbody></table>`
    : '';
  return `<p>What this run's ${escapeHtml(formatNumber(cost.requests))} requests${sources ? ` (${escapeHtml(sources)})` : ''} would cost on AWS: <strong>${escapeHtml(usd(cost.totalUsd))}</strong>, or <strong>${escapeHtml(usd(cost.perMillionRequestsUsd))}</strong> per million requests of the same mix. Prices of ${escapeHtml(cost.prices.asOf)}, ${escapeHtml(cost.prices.region)} (${escapeHtml(cost.prices.currency)}).</p><table class="cost"><thead><tr><th>service</th><th>item</th><th class="num">quantity</th><th class="num">unit price</th><th class="num">cost</th></tr></thead><tbody>${rows}</tbody></table>${routeTable}${notes ? `<ul class="muted">${notes}</ul>` : ''}`;
}
