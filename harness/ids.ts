/**
 * The run's vocabulary as literal lists: the targets a run can go to and the ids of its steps, in
 * run order. Every other file of harness/ imports these; this one imports nothing, so the step
 * table (harness/step-table.ts) can import the steps' work without a cycle. A new target or step
 * is one entry here and one in the step table (docs/harness.md, "Adding a step or a target").
 */

/**
 * local: the local stand-ins; aws: a deployed stack; rehearsal: the aws path end to end against
 * moto (deployed there by the CDK CLI, served by the local stage), with no AWS account.
 */
export const TARGETS = ['local', 'aws', 'rehearsal'] as const;
export type Target = (typeof TARGETS)[number];

/** Stable ids for machines (summary.json's `steps[].id`), in the order a run goes through them. */
export const STEP_IDS = [
  'moto',
  'credentials',
  'tools',
  'deploy',
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
  'destroy',
] as const;
export type StepId = (typeof STEP_IDS)[number];
