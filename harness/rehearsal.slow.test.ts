import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployRehearsalOptions, TemplateAdjustment } from '../rehearsal/index';
import { lazyParts } from './parts';
import { runHarness } from './pipeline';
import { parseRunFlags } from './run-command';
import type { Interruption } from './steps';

/**
 * A real rehearsal (moto, the CDK CLI, the stage, newman, the fuzz, the log check through
 * FilterLogEvents, the destroy) of a stack whose function role lost a grant: the way a broken
 * grant in infra/stack.ts reaches AWS, made in the deployed template copy instead of the source so
 * the test leaves infra/ alone. The passing rehearsal itself runs in .ci/run (npm start -- --target
 * rehearsal); the wiring is harness/rehearsal.test.ts's, with fakes.
 */

// moto's start, cdk synth + bootstrap + deploy (~30 s here), newman, the 30 s fuzz, the destroy.
const REHEARSAL_TIMEOUT_MS = 420_000;

const noSignal: Interruption = { promise: new Promise<never>(() => {}), signal: undefined, dispose() {} };

/** The function role's tables statement without dynamodb:PutItem, as if infra/stack.ts had dropped it. */
const WITHOUT_PUT_ITEM: TemplateAdjustment = {
  id: 'test-without-put-item',
  does: "drops dynamodb:PutItem from the function role's policies",
  why: 'the broken grant under test',
  apply(template) {
    const changed: string[] = [];
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const policies = (resource.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string | string[] }[] };
      }[];
      for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
        const actions = [statement.Action].flat();
        if (!actions.includes('dynamodb:PutItem')) continue;
        statement.Action = actions.filter((action) => action !== 'dynamodb:PutItem');
        changed.push(id);
      }
    }
    return changed;
  },
};

describe('a rehearsal of a stack whose function role lost a grant', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-rehearsal-grant-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'fails on newman, the first check that writes, with the IAM denial in the summary and the stack still destroyed',
    async () => {
      const real = lazyParts();
      const applied: string[][] = [];
      const parts = {
        ...real,
        rehearsal: () => {
          const rehearsal = real.rehearsal();
          return {
            ...rehearsal,
            deployRehearsal: async (options: DeployRehearsalOptions) => {
              const deployment = await rehearsal.deployRehearsal({
                ...options,
                alsoAdjust: [WITHOUT_PUT_ITEM],
              });
              applied.push(
                deployment.assembly.applied
                  .filter((adjustment) => adjustment.id === WITHOUT_PUT_ITEM.id)
                  .flatMap((adjustment) => adjustment.changed),
              );
              return deployment;
            },
          };
        },
      };
      const parsed = parseRunFlags(['--target', 'rehearsal', '--skip-load', '--run-id', 'rehearsal-grant']);
      if (!parsed) throw new Error('no options');

      const { summary } = await runHarness(
        { ...parsed.options, baseline: { kind: 'none' }, reportsDir: join(dir, 'reports') },
        noSignal,
        parts,
      );

      expect(applied).toEqual([[expect.stringMatching(/^FunctionRole/)]]);
      const verdicts = Object.fromEntries(summary.steps.map((step) => [step.id, step.verdict]));
      // Setup is unaffected: nothing checks a grant at deploy time, and the seed writes with the run's keys.
      expect(verdicts).toMatchObject({ deploy: 'passed', seed: 'passed', stage: 'passed' });
      expect(summary).toMatchObject({ verdict: 'failed', exitCode: 1 });
      expect(summary.failedChecks[0]).toBe('newman');
      expect(summary.failedChecks).toContain('log check');
      expect(summary.rehearsal?.iamDenials).toEqual([
        expect.objectContaining({
          action: 'dynamodb:PutItem',
          resource: expect.stringMatching(/:table\/pets-rehearsal$/),
          message: expect.stringMatching(/is not authorized to perform: dynamodb:PutItem/),
        }),
      ]);
      expect(summary.logCheck?.violations[0]?.message).toMatch(/AccessDeniedException/);
      expect(verdicts.destroy).toBe('passed');
    },
    REHEARSAL_TIMEOUT_MS,
  );
});
