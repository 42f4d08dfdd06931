import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { CONFIG_RULES, type ConfigFinding, type ConfigRule } from './rules';

/**
 * The findings a project accepts on purpose, committed beside the code so the choice is reviewed:
 * `configuration-accepted.json`, `{ "accepted": [{ "rule", "resource", "reason" }] }`. Each
 * acceptance names one rule and one resource (its logical id or its CDK path) and says why. One
 * without a reason, or naming a rule that does not exist, is rejected (it accepts nothing and the
 * check fails); one that matches no finding is reported, so a stale acceptance does not linger.
 */

export const ACCEPTANCE_FILE = join(PROJECT_ROOT, 'configuration-accepted.json');

export interface Acceptance {
  rule: ConfigRule;
  /** A logical id (`TableCD117FA1`) or a CDK path (`PetsStack/Table/Resource`). */
  resource: string;
  reason: string;
}

export interface AcceptanceFile {
  file: string;
  acceptances: Acceptance[];
  /** Entries that accept nothing, each with why. */
  rejected: string[];
}

const FIELDS = ['rule', 'resource', 'reason'];

function entryProblems(entry: unknown): string[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return ['is not an object'];
  const fields = entry as Record<string, unknown>;
  const problems: string[] = [];
  if (!CONFIG_RULES.includes(fields.rule as ConfigRule))
    problems.push(`rule ${JSON.stringify(fields.rule)} is not one of ${CONFIG_RULES.join(', ')}`);
  if (typeof fields.resource !== 'string' || fields.resource.trim() === '')
    problems.push('names no resource');
  if (typeof fields.reason !== 'string' || fields.reason.trim() === '') problems.push('gives no reason');
  const unknown = Object.keys(fields).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0)
    problems.push(`has unknown fields ${unknown.join(', ')} (only ${FIELDS.join(', ')})`);
  return problems;
}

/** Reads the file; a missing file accepts nothing. A file that is not the shape above is rejected whole. */
export function readAcceptances(file: string = ACCEPTANCE_FILE): AcceptanceFile {
  if (!existsSync(file)) return { file, acceptances: [], rejected: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return {
      file,
      acceptances: [],
      rejected: [`not JSON: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const entries = (parsed as { accepted?: unknown } | null)?.accepted;
  if (!Array.isArray(entries)) return { file, acceptances: [], rejected: ['has no "accepted" list'] };
  const acceptances: Acceptance[] = [];
  const rejected: string[] = [];
  entries.forEach((entry: unknown, i) => {
    const problems = entryProblems(entry);
    const { rule, resource } = (entry ?? {}) as Record<string, unknown>;
    if (problems.length === 0) acceptances.push(entry as Acceptance);
    else
      rejected.push(
        `acceptance ${i + 1} (rule ${String(rule)}, resource ${String(resource)}) ${problems.join('; ')}`,
      );
  });
  return { file, acceptances, rejected };
}

export interface Sorted {
  failures: ConfigFinding[];
  accepted: { finding: ConfigFinding; reason: string }[];
  /** Acceptances that matched no finding. */
  unused: Acceptance[];
}

/** Splits the findings into accepted ones and failures; `cdkPathOf` names a resource's CDK path. */
export function applyAcceptances(
  findings: readonly ConfigFinding[],
  acceptances: readonly Acceptance[],
  cdkPathOf: (logicalId: string) => string | undefined,
): Sorted {
  const used = new Set<Acceptance>();
  const sorted: Sorted = { failures: [], accepted: [], unused: [] };
  for (const finding of findings) {
    const match = acceptances.find(
      (acceptance) =>
        acceptance.rule === finding.rule &&
        (acceptance.resource === finding.resource || acceptance.resource === cdkPathOf(finding.resource)),
    );
    if (match) {
      used.add(match);
      sorted.accepted.push({ finding, reason: match.reason });
    } else sorted.failures.push(finding);
  }
  sorted.unused = acceptances.filter((acceptance) => !used.has(acceptance));
  return sorted;
}
