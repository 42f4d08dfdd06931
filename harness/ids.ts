/**
 * The run's vocabulary as literal lists: the targets a run can go to and the ids of its steps, in
 * run order. Every other file of harness/ imports these; this one imports nothing, so the step
 * table (harness/step-table.ts) can import the steps' work without a cycle. A new target or step
 * is one entry here and one in the step table (docs/harness.md, "Adding a step or a target").
 */

export const TARGETS = ['local', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

/** Stable ids for machines (summary.json's `steps[].id`), in the order a run goes through them. */
export const STEP_IDS = [
  'credentials',
  'tools',
  'dynamodb',
  'outputs',
  'seed',
  'bundle',
  'stage',
  'newman',
  'load',
  'fuzz',
  'faults',
  'access',
  'logcheck',
  'configuration',
  'baseline',
] as const;
export type StepId = (typeof STEP_IDS)[number];
