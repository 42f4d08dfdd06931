import { escapeHtml, safeHref } from './html';
import type { RehearsalSection } from './results';

/**
 * The report's rehearsal section (`--target rehearsal`): what moto stood in for, every adjustment
 * it needed, and plainly what the rehearsal proves and what only AWS can. A body only: report.ts
 * frames it.
 */

function list(items: readonly string[]): string {
  return `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
}

function adjustmentsTable(adjustments: RehearsalSection['adjustments']): string {
  const rows = adjustments
    .map(
      (adjustment) =>
        `<tr data-adjustment="${escapeHtml(adjustment.id)}"><td><code>${escapeHtml(adjustment.id)}</code></td><td>${escapeHtml(adjustment.does)}</td><td>${escapeHtml(adjustment.why)}</td><td>${escapeHtml(adjustment.changed.join(', ') || '–')}</td></tr>`,
    )
    .join('');
  return `<table class="adjustments"><thead><tr><th>adjustment</th><th>what</th><th>why moto needs it</th><th>changed</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function denials(rehearsal: RehearsalSection): string {
  if (rehearsal.iamDenials.length === 0) {
    return "<p>The deployed role's policies allowed every DynamoDB call the function made.</p>";
  }
  const items = rehearsal.iamDenials.map(
    (denial) =>
      `<li data-action="${escapeHtml(denial.action)}"><span class="bad">AccessDeniedException</span> ×${escapeHtml(denial.calls)}: ${escapeHtml(denial.message)}</li>`,
  );
  return `<p class="bad">The deployed role's policies denied calls the function made:</p><ul class="denials">${items.join('')}</ul>`;
}

export function rehearsalBody(rehearsal: RehearsalSection): string {
  const shipping = rehearsal.logShipping;
  const shipped = shipping
    ? ` The stage's log lines went to moto's CloudWatch Logs: ${escapeHtml(shipping.events)} events in ${escapeHtml(shipping.batches)} PutLogEvents batches over ${escapeHtml(shipping.streams)} log streams${shipping.rejected.length ? `, ${escapeHtml(shipping.rejected.length)} refused` : ''}.`
    : '';
  return `<p>moto ${escapeHtml(rehearsal.moto)} stood in for AWS. The CDK CLI deployed <code>${escapeHtml(rehearsal.stackName)}</code> from <a href="${escapeHtml(safeHref(rehearsal.assembly))}">an adjusted copy of its assembly</a> (<a href="${escapeHtml(safeHref(rehearsal.cdkLog))}">its output</a>)${rehearsal.stackUrl ? `; the local stage served its URL <code>${escapeHtml(rehearsal.stackUrl)}</code>` : ''}.${shipped}</p>
${denials(rehearsal)}
<h3>What this rehearsal proves</h3>${list(rehearsal.proves)}
<h3>What only AWS can prove</h3>${list(rehearsal.onlyAws)}
<h3>What moto needed</h3>${adjustmentsTable(rehearsal.adjustments)}`;
}

/** One console line: what the run did not rehearse. */
export function notRehearsedLine(rehearsal: RehearsalSection): string {
  const short = rehearsal.onlyAws.map((item) => item.split(':')[0]);
  return `Rehearsed against moto ${rehearsal.moto}; only AWS proves: ${short.join('; ')} (the report's rehearsal section says why)`;
}

/** One console line per action the deployed role's policies denied the function (none: no line). */
export function iamDenialLines(rehearsal: RehearsalSection): string[] {
  return rehearsal.iamDenials.map(
    (denial) =>
      `IAM: the deployed role denied ${denial.action} on ${denial.resource} (${denial.calls}×): its grant is missing from infra/`,
  );
}
