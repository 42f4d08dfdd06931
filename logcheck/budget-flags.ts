import { type FlagSpec, intFlag } from '../common/cli';
import { type Budgets, DEFAULT_BUDGETS } from './checks';

/**
 * The log check's budget flags, shared by `pets-harness logs check` and `pets-harness run` (which
 * passes them through), so both CLIs accept, describe and validate them the same way.
 */
export const BUDGET_FLAGS = {
  'budget-errors': {
    type: 'string',
    value: 'N',
    help: `failed requests allowed (default ${DEFAULT_BUDGETS.maxErrors})`,
  },
  'budget-p95-ms': {
    type: 'string',
    value: 'N',
    help: `Duration p95 budget (default ${DEFAULT_BUDGETS.p95Ms})`,
  },
  'budget-p99-ms': {
    type: 'string',
    value: 'N',
    help: `Duration p99 budget (default ${DEFAULT_BUDGETS.p99Ms})`,
  },
  'budget-cold-starts': { type: 'string', value: 'N', help: 'cold starts allowed (default unbounded)' },
  'budget-init-p95-ms': {
    type: 'string',
    value: 'N',
    help: `Init Duration p95 budget (default ${DEFAULT_BUDGETS.initP95Ms})`,
  },
  'budget-memory-pct': {
    type: 'string',
    value: 'N',
    help: `Max Memory Used as % of Memory Size (default ${DEFAULT_BUDGETS.maxMemoryPct})`,
  },
  'budget-line-bytes': {
    type: 'string',
    value: 'N',
    help: `bytes one log line may take (log hygiene; default ${DEFAULT_BUDGETS.maxLineBytes})`,
  },
  'budget-growth-invocations': {
    type: 'string',
    value: 'N',
    help: `memory growth reaching the memory size within N invocations is a finding (default ${DEFAULT_BUDGETS.growthHorizon})`,
  },
} as const satisfies FlagSpec;

type BudgetFlagName = keyof typeof BUDGET_FLAGS;

const BUDGET_OF_FLAG: Record<BudgetFlagName, { key: keyof Budgets; min: number; max: number }> = {
  'budget-errors': { key: 'maxErrors', min: 0, max: Number.MAX_SAFE_INTEGER },
  'budget-p95-ms': { key: 'p95Ms', min: 0, max: Number.MAX_SAFE_INTEGER },
  'budget-p99-ms': { key: 'p99Ms', min: 0, max: Number.MAX_SAFE_INTEGER },
  'budget-cold-starts': { key: 'maxColdStarts', min: 0, max: Number.MAX_SAFE_INTEGER },
  'budget-init-p95-ms': { key: 'initP95Ms', min: 0, max: Number.MAX_SAFE_INTEGER },
  'budget-memory-pct': { key: 'maxMemoryPct', min: 1, max: 100 },
  'budget-line-bytes': { key: 'maxLineBytes', min: 1, max: 262_144 },
  'budget-growth-invocations': { key: 'growthHorizon', min: 1, max: Number.MAX_SAFE_INTEGER },
};

/** The budgets given on the command line (a UsageError names a bad one); the rest stay unset. */
export function parseBudgetFlags(values: Partial<Record<BudgetFlagName, string>>): Partial<Budgets> {
  const budgets: Partial<Budgets> = {};
  for (const [flag, { key, min, max }] of Object.entries(BUDGET_OF_FLAG) as [
    BudgetFlagName,
    (typeof BUDGET_OF_FLAG)[BudgetFlagName],
  ][]) {
    const raw = values[flag];
    if (raw !== undefined) budgets[key] = intFlag(flag, raw, 0, min, max);
  }
  return budgets;
}
