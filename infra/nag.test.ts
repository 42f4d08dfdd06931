import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ensureBundle } from '../build';
import { addPetsStack } from './app';
import { nagAcknowledgments } from './nag';
import { stackNames } from './names';
import { PetsStack } from './stack';
import { disposeApp, WITHOUT_CLOUDFORMATION_VALIDATION } from './test/synth';

const SYNTH_TIMEOUT_MS = 180_000;

function findings(app: App): { rule: string; severity: string; paths: string[] }[] {
  return new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(app)
    .violations.map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity ?? 'error',
      paths: violation.violatingResources.map(
        (resource) => resource.constructPath ?? resource.resourceLogicalId ?? 'unknown',
      ),
    }));
}

beforeAll(async () => {
  await ensureBundle();
}, SYNTH_TIMEOUT_MS);

describe('cdk-nag AwsSolutions checks', () => {
  it('report no unacknowledged finding, neither error nor warning, for the app’s stack', () => {
    const app = new App();
    addPetsStack(app);

    expect(findings(app)).toEqual([]);
    disposeApp(app);
  });

  it('report each acknowledged rule on the bare stack, so no acknowledgment is stale', () => {
    const app = new App();
    const stack = new PetsStack(app, 'Bare', { names: stackNames() });

    const reported = new Set(findings(app).map((finding) => finding.rule));
    disposeApp(app);

    const acknowledged = nagAcknowledgments(stack).flatMap(({ rules }) => rules.map((rule) => rule.id));
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.filter((id) => !reported.has(id))).toEqual([]);
  });

  it('acknowledge nothing without a reason of at least one sentence', () => {
    const app = new App();
    const stack = new PetsStack(app, 'Reasons', { names: stackNames() });
    disposeApp(app);

    for (const { rules } of nagAcknowledgments(stack)) {
      for (const rule of rules) expect(rule.reason.split(/\s+/).length).toBeGreaterThanOrEqual(12);
    }
  });

  it(
    'stop cdk synth when a construct adds an unacknowledged finding, and report exactly that finding',
    () => {
      const outdir = mkdtempSync(join(tmpdir(), 'pets-nag-'));
      const app = new App({ ...WITHOUT_CLOUDFORMATION_VALIDATION, outdir });
      const stack = addPetsStack(app);
      new Role(stack, 'TooPowerful', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
      });

      try {
        expect(() => app.synth()).toThrow(/validation-report\.json/);
        const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
          pluginReports: {
            pluginName: string;
            violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
          }[];
        };
        expect(
          report.pluginReports.flatMap((plugin) =>
            plugin.violations.map((violation) => ({
              plugin: plugin.pluginName,
              rule: violation.ruleName,
              paths: violation.violatingConstructs.map((construct) => construct.constructPath),
            })),
          ),
        ).toEqual([
          {
            plugin: 'AwsSolutions',
            rule: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess]',
            paths: ['PetsStack/TooPowerful/Resource'],
          },
        ]);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});
