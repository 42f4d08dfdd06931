import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { startHostSampler } from '../common/host-load';
import type { Step } from '../common/progress';
import { resources } from '../common/resources';
import type { Budgets } from '../logcheck/index';
import type { StepId } from './ids';
import { type HarnessParts, lazyParts } from './parts';
import type { RehearsalSection, RunFacts, RunSummary, RunVerdict, StepRecord } from './results';
import {
  apiUnderTest,
  type CheckWork,
  type RunContext,
  type RunOptions,
  type SetupFacts,
  type UndoWork,
} from './run-context';
import { plannedStepIds, stepDefinition, stepLabel } from './step-table';
import {
  Interrupted,
  type Interruption,
  isCannotRun,
  StepError,
  type StepOutcome,
  signalExitCode,
  stepRunner,
} from './steps';

export type { RunOptions } from './run-context';

/**
 * The run itself: the steps of harness/step-table.ts for the target, in order; everything started
 * is stopped in `finally` (on a signal too), and the result is one RunSummary.
 */

/** Which metric of the log check each budget bounds, so the report can set them side by side. */
const BUDGET_METRICS: Record<keyof Budgets, string> = {
  maxErrors: 'failedRequests',
  p95Ms: 'durationP95Ms',
  p99Ms: 'durationP99Ms',
  maxColdStarts: 'coldStarts',
  initP95Ms: 'initDurationP95Ms',
  maxMemoryPct: 'maxMemoryUsedPct',
  maxLineBytes: 'maxLineBytes',
  growthHorizon: 'growthHorizon',
};

function effectiveBudgets(defaults: Budgets, overrides: Partial<Budgets>): Record<string, number> {
  const merged: Budgets = { ...defaults, ...overrides };
  const byMetric: Record<string, number> = {};
  for (const [key, metric] of Object.entries(BUDGET_METRICS) as [keyof Budgets, string][]) {
    if (Number.isFinite(merged[key])) byMetric[metric] = merged[key];
  }
  return byMetric;
}

/** The checks judge what happens from now on: the log check's window and budgets are set here. */
function beginChecks(run: RunContext): void {
  if (run.checksStartedAt !== undefined) return;
  run.checksStartedAt = Date.now();
  run.budgets = effectiveBudgets(run.parts.logCheck().DEFAULT_BUDGETS, run.options.budgets);
  // How busy the host is while the checks measure: the comparison reads latencies against it.
  const hostLoad = startHostSampler();
  run.hostLoad = hostLoad;
  run.own('the host load sampler', async () => {
    await hostLoad.stop();
  });
}

/**
 * Runs one planned step. A setup step hands back the facts it found, merged into what the run
 * found so far; a check receives them. A failed check does not stop the run; a setup step that
 * fails, or anything that could not run, does.
 */
async function runStep(run: RunContext, id: StepId, found: Readonly<SetupFacts>): Promise<SetupFacts> {
  const { options, steps } = run;
  const definition = stepDefinition(id);
  const label = stepLabel(id, options);
  const skipReason = definition.skip?.reason(options);
  if (skipReason !== undefined) {
    steps.skip(id, label, { check: definition.check }, skipReason);
    return found;
  }
  const stepOptions = { check: definition.check, ownProgress: definition.ownProgress };
  if (!definition.check) {
    const work = definition.on[options.target]?.work;
    if (work === undefined) return found;
    return {
      ...found,
      ...(await steps.run(id, label, stepOptions, (progress) => work(run, found, progress))),
    };
  }
  const work =
    'undoes' in definition
      ? wrapUndo(definition.on[options.target]?.work, found)
      : wrapCheck(definition.on[options.target]?.work, found);
  if (work === undefined) return found;
  beginChecks(run);
  try {
    await steps.run(id, label, stepOptions, (progress) => work(run, progress));
  } catch (error) {
    if (!(error instanceof StepError) || isCannotRun(error)) throw error;
  }
  return found;
}

type BoundWork = (run: RunContext, progress: Step) => Promise<StepOutcome<unknown>>;

/** A check judges the API the setup found (every fact it needs is there, or the step errs). */
function wrapCheck(work: CheckWork | undefined, found: SetupFacts): BoundWork | undefined {
  return work && ((run, progress) => work(run, apiUnderTest(found), progress));
}

/** An undoing check gets what the run found, whatever that is. */
function wrapUndo(work: UndoWork | undefined, found: SetupFacts): BoundWork | undefined {
  return work && ((run, progress) => work(run, found, progress));
}

/**
 * After a step stopped the run (not a signal: then everything stops at once), the undoing steps
 * whose setup step passed still run (the rehearsal's destroy after its deploy), so what the run
 * made does not outlive it; a failure of theirs is recorded, the run's problem stays the first.
 */
async function runUndoSteps(run: RunContext, findings: Findings): Promise<void> {
  const records = run.steps.records;
  for (const id of plannedStepIds(run.options.target)) {
    const definition = stepDefinition(id);
    if (!('undoes' in definition) || records.some((record) => record.id === id)) continue;
    if (!records.some((record) => record.id === definition.undoes && record.verdict === 'passed')) continue;
    try {
      await runStep(run, id, findings.facts);
    } catch {
      // Recorded by the step runner; the run's verdict is already decided by what stopped it.
    }
  }
}

/** What the run found so far: the pipeline's own, so the summary has it however the steps end. */
interface Findings {
  facts: SetupFacts;
}

async function runSteps(run: RunContext, findings: Findings): Promise<void> {
  for (const id of plannedStepIds(run.options.target)) {
    findings.facts = await runStep(run, id, findings.facts);
  }
}

/** Raw report paths of every part, relative to the run's report directory (links from the page). */
function collectReports(state: RunContext): Record<string, string> {
  const reports: Record<string, string> = {};
  const add = (prefix: string, entries: Record<string, string> | undefined) => {
    for (const [name, path] of Object.entries(entries ?? {})) {
      const key = name.startsWith(prefix) ? name : `${prefix}-${name}`;
      reports[key] = relative(state.options.reportsDir, path) || path;
    }
  };
  add('newman', state.newman?.reports);
  add('k6', state.load?.reports);
  add('fuzz', state.fuzz?.reports);
  if (state.faults)
    reports.faults = relative(state.options.reportsDir, state.faults.report) || state.faults.report;
  if (state.logCheck) reports.logcheck = 'logcheck.json';
  return reports;
}

/** Every step a run of this target goes through, in order: the ones never reached are shown as skipped. */
export function plannedSteps(
  options: Pick<RunOptions, 'target' | 'profile'>,
): { id: StepId; label: string; check: boolean }[] {
  return plannedStepIds(options.target).map((id) => ({
    id,
    label: stepLabel(id, options),
    check: stepDefinition(id).check,
  }));
}

function withUnreachedSteps(records: StepRecord[], options: RunOptions): StepRecord[] {
  const ran = new Map(records.map((record) => [record.id, record]));
  return plannedSteps(options).map(
    (planned) =>
      ran.get(planned.id) ?? { ...planned, verdict: 'skipped', durationMs: 0, detail: 'not reached' },
  );
}

export interface RunOutcome {
  summary: RunSummary;
  interruptedBy?: NodeJS.Signals;
}

interface Ending {
  problem?: string;
  cannotRun: boolean;
  crashed: boolean;
}

/** How the steps ended: a problem that stopped them (could not run, a crash, a signal) or none. */
async function runUntilStopped(run: RunContext, findings: Findings): Promise<Ending> {
  try {
    await runSteps(run, findings);
    return { cannotRun: false, crashed: false };
  } catch (error) {
    if (error instanceof Interrupted) return { problem: error.message, cannotRun: false, crashed: false };
    if (isCannotRun(error)) {
      const problem = error instanceof StepError ? `${error.step.label}: ${error.message}` : String(error);
      return { problem, cannotRun: true, crashed: false };
    }
    if (!(error instanceof StepError)) console.error(error);
    const problem =
      error instanceof StepError ? `${error.step.label} failed: ${error.message}` : String(error);
    return { problem, cannotRun: false, crashed: true };
  }
}

interface Judgement {
  verdict: RunVerdict;
  exitCode: number;
  failedChecks: string[];
  problem?: string;
}

function judge(records: StepRecord[], ending: Ending, signal: NodeJS.Signals | undefined): Judgement {
  const failedChecks = records
    .filter((step) => step.verdict === 'failed' || step.verdict === 'error')
    .map((step) => step.label);
  if (signal) {
    const problem = `stopped by ${signal}; everything the run started was stopped`;
    return { verdict: 'error', exitCode: signalExitCode(signal), failedChecks: [], problem };
  }
  if (ending.cannotRun || ending.crashed) {
    // A step that could not finish (a setup step that crashed: seed refused, a part threw) means
    // the harness could not run to the end: exit 2, and the problem is said. A failed check never
    // gets here: the checks' own failures are judged below.
    return { verdict: 'error', exitCode: 2, failedChecks, problem: ending.problem };
  }
  if (failedChecks.length > 0) return { verdict: 'failed', exitCode: 1, failedChecks };
  return { verdict: 'passed', exitCode: 0, failedChecks: [] };
}

/** The summary's `environment` section: the harness's host and what the setup found. */
function runFacts(options: RunOptions, facts: SetupFacts): RunFacts {
  const {
    dynamoDb,
    standIn,
    bundleDir: _bundleDir,
    consumedCapacity: _consumedCapacity,
    accessPatterns: _accessPatterns,
    faultInjection: _faultInjection,
    rehearsal: _rehearsal,
    ...found
  } = facts;
  return {
    nodeVersion: process.version,
    platform: `${process.platform} ${process.arch}`,
    ...(options.target !== 'local' && options.stackName ? { stackName: options.stackName } : {}),
    ...found,
    ...(dynamoDb ? { dynamoDbKind: dynamoDb.kind, dynamoDbEndpoint: dynamoDb.endpoint } : {}),
    ...(dynamoDb?.image ? { dynamoDbImage: dynamoDb.image } : {}),
    ...(standIn ? { awsEndpoint: standIn.endpoint } : {}),
  };
}

/** Denied calls, once per action and resource, with how many there were. */
function deniedByAction(
  calls: readonly { action: string; resource: string; message: string }[],
): RehearsalSection['iamDenials'] {
  const byKey = new Map<string, RehearsalSection['iamDenials'][number]>();
  for (const { action, resource, message } of calls) {
    const key = `${action} ${resource}`;
    const known = byKey.get(key);
    if (known) known.calls += 1;
    else byKey.set(key, { action, resource, message, calls: 1 });
  }
  return [...byKey.values()];
}

/** The rehearsal's section: what moto was given and how, and what it proves or cannot. */
function rehearsalSection(run: RunContext, facts: SetupFacts): RehearsalSection | undefined {
  const { rehearsal } = facts;
  if (!rehearsal) return undefined;
  const { deployment } = rehearsal;
  const { REHEARSAL_PROVES, ONLY_AWS_PROVES } = run.parts.rehearsal();
  const relativePath = (path: string) => relative(run.options.reportsDir, path) || path;
  return {
    moto: rehearsal.motoVersion,
    stackName: deployment.stackName,
    ...(facts.stackUrl ? { stackUrl: facts.stackUrl } : {}),
    assembly: relativePath(deployment.assembly.dir),
    cdkLog: relativePath(deployment.cdkLog),
    adjustments: deployment.adjustments,
    ...(rehearsal.logShipping ? { logShipping: rehearsal.logShipping.figures() } : {}),
    iamDenials: deniedByAction(rehearsal.deniedCalls?.() ?? []),
    proves: [...REHEARSAL_PROVES],
    onlyAws: [...ONLY_AWS_PROVES],
  };
}

function summarize(
  run: RunContext,
  facts: SetupFacts,
  startedAt: Date,
  records: StepRecord[],
  judgement: Judgement,
  signal: NodeJS.Signals | undefined,
): RunSummary {
  const { options } = run;
  const { problem, ...verdict } = judgement;
  const finishedAt = new Date();
  const rehearsal = rehearsalSection(run, facts);
  return {
    schemaVersion: 1,
    runId: options.runId,
    target: options.target,
    profile: options.profile,
    ...verdict,
    ...(problem && verdict.verdict === 'error' ? { problem } : {}),
    ...(signal ? { stoppedBy: signal } : {}),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    environment: runFacts(options, facts),
    steps: records,
    ...(run.newman ? { newman: run.newman } : {}),
    ...(run.load ? { load: run.load } : {}),
    ...(run.fuzz ? { fuzz: run.fuzz } : {}),
    ...(run.faults ? { faults: run.faults } : {}),
    ...(run.access ? { access: run.access } : {}),
    ...(run.configuration ? { configuration: run.configuration } : {}),
    ...(run.logCheck ? { logCheck: run.logCheck } : {}),
    ...(run.budgets ? { budgets: run.budgets } : {}),
    ...(run.comparison
      ? {
          figures: run.comparison.figures,
          baseline: run.comparison.baseline,
          regressions: run.comparison.regressions,
          cost: run.comparison.cost,
        }
      : {}),
    ...(rehearsal ? { rehearsal } : {}),
    reports: collectReports(run),
    warnings: run.warnings,
  };
}

/**
 * Runs the harness end to end and returns its summary; never throws for a step's failure. The
 * parts are loaded on first use unless the caller passes its own (tests pass fakes).
 */
export async function runHarness(
  options: RunOptions,
  interruption: Interruption,
  parts: HarnessParts = lazyParts(),
): Promise<RunOutcome> {
  const startedAt = new Date();
  mkdirSync(options.reportsDir, { recursive: true });
  const started = resources();
  const run: RunContext = { options, parts, steps: stepRunner(interruption), own: started.own, warnings: [] };
  const findings: Findings = { facts: {} };
  let ending: Ending;
  try {
    ending = await runUntilStopped(run, findings);
    if (ending.problem !== undefined && !interruption.signal) await runUndoSteps(run, findings);
  } finally {
    run.warnings.push(...(await started.stopAll()));
  }
  const records = withUnreachedSteps(run.steps.records, options);
  const signal = interruption.signal;
  const summary = summarize(run, findings.facts, startedAt, records, judge(records, ending, signal), signal);
  return { summary, ...(signal ? { interruptedBy: signal } : {}) };
}
