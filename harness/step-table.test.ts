import { readFileSync } from 'node:fs';
import { LOCAL_API_PHASES } from '../local/index';
import { commandsUsage } from './cli';
import { STEP_IDS, TARGETS } from './ids';
import { spec } from './run-command';
import { planHelpLines, planLine, renderStepsBlock, STEPS_DOC, writtenStepsBlock } from './step-docs';
import { plannedStepIds, STEPS, stepDefinition } from './step-table';

/** The step list exists once: docs/harness.md and `--help` are derived from the table. */
describe('the step table', () => {
  it('is what docs/harness.md lists (regenerate with `npm run docs:steps`, never by hand)', () => {
    const written = writtenStepsBlock(readFileSync(STEPS_DOC, 'utf8'));

    expect(written).toBe(renderStepsBlock());
  });

  it('is what `pets-harness run --help` lists, one line per target', () => {
    const helpLines = spec.summary.split('\n').filter((line) => /^ {2}(local|aws|rehearsal)\b/.test(line));

    expect(helpLines).toEqual(planHelpLines());
  });

  it('is what `pets-harness --help` says the run command does', () => {
    expect(commandsUsage()).toContain(`run the whole harness (${planLine('local')} → report)`);
  });

  it('plans every step on at least one target, and each target starts with setup and ends with checks', () => {
    for (const id of STEP_IDS) {
      expect(TARGETS.some((target) => plannedStepIds(target).includes(id))).toBe(true);
    }
    for (const target of TARGETS) {
      const kinds = plannedStepIds(target).map((id) => stepDefinition(id).check);
      expect(kinds).toEqual([...kinds].sort((a, b) => Number(a) - Number(b)));
    }
  });

  it('is written in the order of harness/ids.ts, one entry per id', () => {
    expect(Object.keys(STEPS)).toEqual([...STEP_IDS]);
  });

  it('runs the local start one phase per step, in the order startLocalApi runs them', () => {
    const localSetup = plannedStepIds('local').filter((id) => !stepDefinition(id).check);

    expect(localSetup.filter((id) => (LOCAL_API_PHASES as readonly string[]).includes(id))).toEqual([
      ...LOCAL_API_PHASES,
    ]);
  });
});
