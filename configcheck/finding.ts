import type { IndexedRoute } from './indexed-routes';
import { apiFunctionIds, type ConfigTemplate, nameOf } from './template';

/** What every configuration rule shares: the rules' names, what a finding holds, what a rule reads. */

export const CONFIG_RULES = [
  'timeout',
  'reserved-concurrency',
  'index-projection',
  'point-in-time-recovery',
  'deletion-protection',
  'log-retention',
  'memory',
  'architecture',
  'variables',
] as const;
export type ConfigRule = (typeof CONFIG_RULES)[number];

export interface ConfigFinding {
  rule: ConfigRule;
  /** The resource's logical id in the template. */
  resource: string;
  property: string;
  /** The setting as the template has it (`absent` when it is not set). */
  value: string;
  /** What the rule requires of it. */
  limit: string;
  /** One sentence: what, where, the limit, and why it matters. */
  message: string;
}

/** What the rules judge: the template and what the run knows. */
export interface RuleInputs {
  template: ConfigTemplate;
  /** The most requests the run keeps in flight at once, and where that number comes from. */
  peak: { concurrency: number; source: string };
  indexedRoutes: readonly IndexedRoute[];
  /** The environment variables the function's code reads. */
  variablesRead: readonly string[];
  bundleDir: string;
  /** The highest Max Memory Used of the run's REPORT lines, once there are some. */
  maxMemoryUsedMb?: number;
}

export type Judge = (inputs: RuleInputs) => ConfigFinding[];

export function finding(
  inputs: RuleInputs,
  fields: Omit<ConfigFinding, 'message'>,
  why: string,
): ConfigFinding {
  const where = nameOf(inputs.template, fields.resource);
  return {
    ...fields,
    message: `${where} ${fields.property} = ${fields.value} (limit: ${fields.limit}): ${why}`,
  };
}

export function apiFunctions(inputs: RuleInputs): [string, Record<string, unknown>][] {
  return apiFunctionIds(inputs.template).map((id) => [id, inputs.template.resources[id]?.Properties ?? {}]);
}
