import { deletionProtection, indexProjection, logRetention, pointInTimeRecovery } from './data-rules';
import { CONFIG_RULES, type ConfigFinding, type ConfigRule, type Judge, type RuleInputs } from './finding';
import { architecture, memory, reservedConcurrency, timeout, variables } from './function-rules';

export { CONFIG_RULES, type ConfigFinding, type ConfigRule, type RuleInputs } from './finding';
export { overProvisionedMemory } from './function-rules';

/**
 * The configuration rules: each reads the synthesized template (and what the run knows: the load
 * profile's peak concurrency, the contract's indexed routes, the handler's variables, the REPORT
 * lines' memory) and names every setting that AWS would reject or that misbehaves there. A rule
 * judges the mistake, not a value: no rule pins the project's own numbers.
 */

const JUDGES: Record<ConfigRule, Judge> = {
  timeout,
  'reserved-concurrency': reservedConcurrency,
  'index-projection': indexProjection,
  'point-in-time-recovery': pointInTimeRecovery,
  'deletion-protection': deletionProtection,
  'log-retention': logRetention,
  memory,
  architecture,
  variables,
};

/** Every rule over the inputs, in the order of CONFIG_RULES. */
export function judgeConfiguration(inputs: RuleInputs): ConfigFinding[] {
  return CONFIG_RULES.flatMap((rule) => JUDGES[rule](inputs));
}
