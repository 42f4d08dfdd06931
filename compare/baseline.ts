import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../common/cli';
import { FIGURES_VERSION, type RunFigures } from './figures';

/**
 * Which run a run is compared with: by default the latest passing run of the same target and
 * profile under the reports root; or one named by run id or path; or none.
 */

export type BaselineChoice =
  | { kind: 'latest-passed'; explicit: boolean }
  | { kind: 'none' }
  | { kind: 'named'; value: string };

/** `--baseline <run-id|path|latest-passed|none>`; absent = latest-passed. */
export function parseBaselineFlag(raw: string | undefined): BaselineChoice {
  if (raw === undefined) return { kind: 'latest-passed', explicit: false };
  if (raw === 'latest-passed') return { kind: 'latest-passed', explicit: true };
  if (raw === 'none') return { kind: 'none' };
  if (raw.trim() === '') throw new UsageError("--baseline needs a run id, a path, 'latest-passed' or 'none'");
  return { kind: 'named', value: raw };
}

/** What a baseline's summary.json must hold for the comparison (older shapes may lack `figures`). */
export interface BaselineSummary {
  runId: string;
  target: string;
  profile: string;
  verdict: string;
  startedAt: string;
  figures?: RunFigures;
}

export interface BaselineRun {
  summary: BaselineSummary;
  /** The summary.json it was read from. */
  file: string;
}

function readSummary(file: string): BaselineSummary | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BaselineSummary>;
    if (typeof parsed.runId !== 'string' || typeof parsed.startedAt !== 'string') return undefined;
    return parsed as BaselineSummary;
  } catch {
    return undefined;
  }
}

/** A named baseline: a run id under the reports root, a run folder, or a summary.json file. */
function resolveNamedBaseline(value: string, reportsRoot: string): BaselineRun {
  const candidates = [
    join(reportsRoot, value, 'summary.json'),
    resolve(value, 'summary.json'),
    resolve(value),
  ];
  const file = candidates.find((path) => existsSync(path) && statSync(path).isFile());
  if (!file) {
    throw new UsageError(
      `--baseline ${value}: no run '${value}' under ${reportsRoot} and no summary.json at that path`,
    );
  }
  const summary = readSummary(file);
  if (!summary) throw new UsageError(`--baseline ${value}: ${file} is not a run's summary.json`);
  return { summary, file };
}

/**
 * The newest passing run of the same target and profile under `reportsRoot` that kept figures,
 * this run excepted. A run that failed (a regression included) never becomes the baseline.
 */
export function latestPassedRun(
  reportsRoot: string,
  current: { runId: string; target: string; profile: string },
): BaselineRun | undefined {
  if (!existsSync(reportsRoot)) return undefined;
  let best: BaselineRun | undefined;
  for (const entry of readdirSync(reportsRoot, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current.runId) continue;
    const file = join(reportsRoot, entry.name, 'summary.json');
    if (!existsSync(file)) continue;
    const summary = readSummary(file);
    if (summary?.verdict !== 'passed' || summary.figures?.version !== FIGURES_VERSION) continue;
    if (summary.target !== current.target || summary.profile !== current.profile) continue;
    if (!best || summary.startedAt > best.summary.startedAt) best = { summary, file };
  }
  return best;
}

export interface SelectedBaseline {
  run?: BaselineRun;
  selectedBy: 'latest-passed' | 'named' | 'none';
  /** Why there is nothing to compare with, when there is not. */
  reason?: string;
}

export function selectBaseline(
  choice: BaselineChoice,
  reportsDir: string,
  current: { runId: string; target: string; profile: string },
): SelectedBaseline {
  // The run's own folder sits in the reports root; earlier runs are its siblings.
  const reportsRoot = dirname(reportsDir);
  if (choice.kind === 'none') return { selectedBy: 'none', reason: 'not asked (--baseline none)' };
  if (choice.kind === 'named') {
    const run = resolveNamedBaseline(choice.value, reportsRoot);
    return usable({ run, selectedBy: 'named' });
  }
  const run = latestPassedRun(reportsRoot, current);
  if (!run) {
    return {
      selectedBy: 'latest-passed',
      reason: `no earlier passing ${current.target}/${current.profile} run under ${reportsRoot}`,
    };
  }
  return usable({ run, selectedBy: 'latest-passed' });
}

function usable(selected: SelectedBaseline & { run: BaselineRun }): SelectedBaseline {
  const figures = selected.run.summary.figures;
  if (!figures || figures.version !== FIGURES_VERSION) {
    return {
      ...selected,
      reason: `${basename(dirname(selected.run.file))} has no figures of version ${FIGURES_VERSION} (a run from before baselines)`,
    };
  }
  return selected;
}
