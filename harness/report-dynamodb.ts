import type { AccessResult } from '../access/index';
import type { FaultRoundResult } from '../faults/index';
import { escapeHtml, formatMs, formatNumber } from './html';

/**
 * The report's DynamoDB sections: the fault round (every route against every fault, as a grid of
 * the statuses answered) and the access patterns per route. Bodies only; report.ts frames them.
 */

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function faultGrid(faults: FaultRoundResult): string {
  const routes = unique(faults.probes.map((probe) => probe.route));
  const head = faults.faults
    .map((fault) => {
      const group = faults.probes.find((probe) => probe.fault === fault)?.group ?? '';
      // Long fault names may break after their hyphens: the grid fits the page.
      return `<th class="num">${escapeHtml(fault).replaceAll('-', '-<wbr>')}<span class="sub">${escapeHtml(group)}</span></th>`;
    })
    .join('');
  const rows = routes
    .map((route) => {
      const cells = faults.faults
        .map((fault) => {
          const probe = faults.probes.find((p) => p.route === route && p.fault === fault);
          if (!probe) return '<td class="num">–</td>';
          const wrong = probe.problems.length > 0;
          const title = wrong ? probe.problems.join('; ') : `expected ${probe.expected}`;
          return `<td class="num${wrong ? ' over' : ''}" data-verdict="${wrong ? 'failed' : 'passed'}" title="${escapeHtml(title)}">${escapeHtml(probe.status)}<span class="sub">${escapeHtml(formatMs(probe.ms))}</span></td>`;
        })
        .join('');
      return `<tr><td><code>${escapeHtml(route)}</code></td>${cells}</tr>`;
    })
    .join('');
  return `<div class="chart-wrap"><table class="faults grid"><thead><tr><th>route</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function faultsBody(faults: FaultRoundResult | undefined): string {
  if (!faults) return '<p class="muted">The fault round did not run in this run.</p>';
  const wrong = faults.probes.filter((probe) => probe.problems.length > 0);
  const table = faults.table.unchanged
    ? `left the table as it found it (${formatNumber(faults.table.petsBefore)} pets before and after, read through the API)`
    : `changed the table: ${faults.table.differences.join(', ')} (put back through the API)`;
  const problems =
    wrong.length === 0
      ? ''
      : `<h3>Wrong answers</h3><ul class="findings">${wrong
          .map(
            (probe) =>
              `<li><strong>${escapeHtml(probe.route)}</strong> with DynamoDB <code>${escapeHtml(probe.fault)}</code> (${escapeHtml(probe.group)}; expected ${escapeHtml(probe.expected)}): ${escapeHtml(probe.problems.join('; '))}<div class="ids">correlation id <code>${escapeHtml(probe.correlationId)}</code></div></li>`,
          )
          .join('')}</ul>`;
  return `<p>${formatNumber(faults.probes.length)} requests, every route during every fault, ${formatNumber(faults.probes.length - wrong.length)} answered right, in ${escapeHtml(formatMs(faults.durationMs))}; the round ${escapeHtml(table)}. Its requests carry the run id <code>${escapeHtml(faults.runId)}</code> (the log check leaves their expected ERROR lines out). Each cell: the status answered and the time the client waited.</p>${faultGrid(faults)}${problems}`;
}

function ratio(read: number, returned: number): string {
  return returned === 0 ? (read === 0 ? '–' : '∞') : formatNumber(read / returned, 2);
}

export function accessBody(access: AccessResult | undefined): string {
  if (!access) return '<p class="muted">The access patterns were not judged in this run.</p>';
  const flagged = new Set(access.findings.map((finding) => finding.route));
  const rows = access.routes
    .map((route) => {
      const operations = Object.entries(route.operations)
        .map(([operation, count]) => `${operation} ×${formatNumber(count)}`)
        .join(', ');
      return `<tr${flagged.has(route.route) ? ' class="over"' : ''}><td><code>${escapeHtml(route.route)}</code></td><td class="num">${formatNumber(route.requests)}</td><td>${escapeHtml(operations || '–')}</td><td class="num">${formatNumber(route.itemsRead)} / ${formatNumber(route.itemsReturned)}<span class="sub">${escapeHtml(ratio(route.itemsRead, route.itemsReturned))} per item returned</span></td><td class="num">${formatNumber(route.maxItemsRead)}</td><td class="num">${formatNumber(route.readUnits, 1)} / ${formatNumber(route.writeUnits, 1)}</td></tr>`;
    })
    .join('');
  const findings =
    access.findings.length === 0
      ? '<p>No route whose requests name a partition key Scans; no route reads many more items than it returns.</p>'
      : `<ul class="findings">${access.findings.map((finding) => `<li><strong>${escapeHtml(finding.rule)}</strong>: ${escapeHtml(finding.message)}</li>`).join('')}</ul>`;
  return `${findings}<p class="muted">Every DynamoDB call the function made in this run, tied to the request that made it (the stage's gateway), added up per route; a query parameter shows in the route when it names a partition key. Items read: ScannedCount of a Query or Scan, the items a Get returned.</p><table class="access grid"><thead><tr><th>route</th><th class="num">requests</th><th>DynamoDB calls</th><th class="num">items read / returned</th><th class="num">most read by one request</th><th class="num">read / write units</th></tr></thead><tbody>${rows}</tbody></table>`;
}
