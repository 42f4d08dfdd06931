import type { ConfigCheckResult } from '../configcheck/index';
import { escapeHtml } from './html';

/** The report's "Configuration" section: body only, report.ts frames it. */

function list(items: string[]): string {
  return items.length === 0 ? '' : `<ul class="findings">${items.join('')}</ul>`;
}

export function configurationBody(result: ConfigCheckResult | undefined): string {
  if (!result) return '<p class="muted">The configuration rules did not run in this run.</p>';
  const failures = result.failures.map(
    (finding) => `<li><strong>${escapeHtml(finding.rule)}</strong>: ${escapeHtml(finding.message)}</li>`,
  );
  const rejected = result.rejectedAcceptances.map(
    (problem) => `<li><strong>rejected acceptance</strong>: ${escapeHtml(problem)}</li>`,
  );
  const accepted = result.accepted.map(
    ({ finding, reason }) =>
      `<tr><td>${escapeHtml(finding.rule)}</td><td>${escapeHtml(finding.resource)}</td><td class="detail">${escapeHtml(finding.message)}</td><td class="detail">${escapeHtml(reason)}</td></tr>`,
  );
  const unused = result.unusedAcceptances.map(
    (acceptance) =>
      `<li>${escapeHtml(acceptance.rule)} on ${escapeHtml(acceptance.resource)} is accepted but found nothing there</li>`,
  );
  const verdict =
    failures.length + rejected.length === 0
      ? '<p>No finding: every rule holds, or its finding is accepted with a reason.</p>'
      : '';
  return `<p>Template <code>${escapeHtml(result.template)}</code>, acceptances from <code>${escapeHtml(result.acceptanceFile)}</code> (docs/configcheck.md).</p>${verdict}${list([...failures, ...rejected])}${
    accepted.length === 0
      ? ''
      : `<h3>Accepted</h3><table class="accepted"><thead><tr><th>rule</th><th>resource</th><th>finding</th><th>reason</th></tr></thead><tbody>${accepted.join('')}</tbody></table>`
  }${unused.length === 0 ? '' : `<h3>Acceptances that matched nothing</h3>${list(unused)}`}`;
}
