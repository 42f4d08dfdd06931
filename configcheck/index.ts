import { isAbsolute, relative } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { type Acceptance, applyAcceptances, readAcceptances } from './acceptances';
import { type IndexedRoute, indexedRoutes } from './indexed-routes';
import { type ConfigFinding, judgeConfiguration, type RuleInputs } from './rules';
import { cdkPathOf, readConfigTemplate } from './template';
import { variablesReadBy } from './variables';

export { ACCEPTANCE_FILE, type Acceptance, readAcceptances } from './acceptances';
export { indexedRoutes } from './indexed-routes';
export { CONFIG_RULES, type ConfigFinding, type ConfigRule } from './rules';
export { variablesReadBy } from './variables';

/**
 * The configuration check: the rules of ./rules.ts over a synthesized template, the findings a
 * project accepts (./acceptances.ts) set aside with their reasons, every other finding a failure.
 */

export interface ConfigCheckOptions {
  templatePath: string;
  bundleDir: string;
  /** The most requests the run keeps in flight at once, and where that number comes from. */
  peak: { concurrency: number; source: string };
  /** The run's highest Max Memory Used, when its REPORT lines were read. */
  maxMemoryUsedMb?: number;
  /** Default: `configuration-accepted.json` at the project root. */
  acceptanceFile?: string;
  /** Default: the contract's. */
  indexedRoutes?: readonly IndexedRoute[];
}

export interface ConfigCheckResult {
  passed: boolean;
  /** The template judged, relative to the project root. */
  template: string;
  acceptanceFile: string;
  failures: ConfigFinding[];
  accepted: { finding: ConfigFinding; reason: string }[];
  /** Acceptances that match no finding: reported, not failed. */
  unusedAcceptances: Acceptance[];
  /** Acceptances that accept nothing (no reason, unknown rule): each fails the check. */
  rejectedAcceptances: string[];
  /** What the rules could not judge in this run, said rather than skipped silently. */
  notJudged: string[];
}

/** A path inside the project relative to its root (what a reader finds in the repository), else as given. */
function shown(path: string): string {
  const inside = relative(PROJECT_ROOT, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

export function checkConfiguration(options: ConfigCheckOptions): ConfigCheckResult {
  const template = readConfigTemplate(options.templatePath);
  const inputs: RuleInputs = {
    template,
    peak: options.peak,
    indexedRoutes: options.indexedRoutes ?? indexedRoutes(),
    variablesRead: variablesReadBy(options.bundleDir),
    bundleDir: options.bundleDir,
    ...(options.maxMemoryUsedMb === undefined ? {} : { maxMemoryUsedMb: options.maxMemoryUsedMb }),
  };
  const file = readAcceptances(options.acceptanceFile);
  const sorted = applyAcceptances(judgeConfiguration(inputs), file.acceptances, (id) =>
    cdkPathOf(template, id),
  );
  return {
    passed: sorted.failures.length === 0 && file.rejected.length === 0,
    template: shown(options.templatePath),
    acceptanceFile: shown(file.file),
    failures: sorted.failures,
    accepted: sorted.accepted,
    unusedAcceptances: sorted.unused,
    rejectedAcceptances: file.rejected.map((problem) => `${shown(file.file)}: ${problem}`),
    notJudged:
      options.maxMemoryUsedMb === undefined
        ? ['memory against use: no REPORT line gave a Max Memory Used in this run']
        : [],
  };
}

/**
 * What a template alone is held to, before any run (no profile: one client sending one request at
 * a time; no REPORT lines): what `npm run stage` states at start, one message per finding.
 */
export function templateFindings(templatePath: string, bundleDir: string): string[] {
  return judgeConfiguration({
    template: readConfigTemplate(templatePath),
    peak: { concurrency: 1, source: 'one client sending one request at a time' },
    indexedRoutes: indexedRoutes(),
    variablesRead: variablesReadBy(bundleDir),
    bundleDir,
  }).map((finding) => finding.message);
}

/** The step's one line: the first failures by rule and where, or how much was judged. */
export function configurationDetail(result: ConfigCheckResult): string {
  const problems = [
    ...result.failures.map((finding) => `${finding.rule}: ${finding.message}`),
    ...result.rejectedAcceptances.map((problem) => `rejected acceptance: ${problem}`),
  ];
  const accepted = result.accepted.length > 0 ? `, ${result.accepted.length} accepted` : '';
  if (problems.length === 0) return `${result.template}: no finding${accepted}`;
  const count = `${problems.length} finding${problems.length === 1 ? '' : 's'}`;
  return `${result.template}: ${count}${accepted}: ${problems.join(' · ')}`;
}
