import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { stackTemplate } from '../configcheck/test/template';
import type { StagePhaseOptions } from '../local/index';
import type { RunningStage } from '../local/stage/index';
import type {
  AwsStandIn,
  DeployRehearsalOptions,
  RehearsalDeployment,
  ShippingFigures,
} from '../rehearsal/index';
import type { HarnessParts } from './parts';
import { type RunOptions, runHarness } from './pipeline';
import { renderConsoleSummary } from './report';
import { parseRunFlags } from './run-command';
import type { Interruption } from './steps';
import { fakeParts } from './test/fake-parts';
import { faultRoundResult } from './test/fixtures';

/**
 * The rehearsal's wiring, with moto, the CDK CLI and the stage replaced by recording fakes (the
 * real ones: rehearsal/*.test.ts and harness/rehearsal.slow.test.ts): the aws steps run against
 * the stand-in's endpoint, the stage serves the stack's URL with the deployed bundle and template,
 * and the stack is destroyed last, its log shipping stopped first.
 */

const STAND_IN: AwsStandIn = {
  endpoint: 'http://127.0.0.1:45999',
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
};
const STACK_URL = 'https://abc123def4.execute-api.us-east-1.amazonaws.com/default';
const STAGE_URL = 'http://127.0.0.1:45123/default';
const noSignal: Interruption = { promise: new Promise<never>(() => {}), signal: undefined, dispose() {} };

const sts = mockClient(STSClient);
const cloudFormation = mockClient(CloudFormationClient);

/** The template the fake deploy synthesized (the configuration step judges it). */
function writeSynthesizedTemplate(dir: string): void {
  const { synthesizedDir, stackName } = deployment(dir);
  mkdirSync(synthesizedDir, { recursive: true });
  writeFileSync(
    join(synthesizedDir, `${stackName}.template.json`),
    JSON.stringify({ Resources: stackTemplate().resources }),
  );
}

function deployment(dir: string): RehearsalDeployment {
  return {
    stackName: 'PetsStack-rehearsal',
    synthesizedDir: join(dir, 'cdk.out'),
    assembly: {
      dir: join(dir, 'cdk.out.moto'),
      templatePath: join(dir, 'cdk.out.moto', 'PetsStack-rehearsal.template.json'),
      applied: [{ id: 'stage-from-deployment', changed: ['Stage', 'Deployment'] }],
      functionBundleDir: join(dir, 'cdk.out.moto', 'asset.abc'),
    },
    cdkLog: join(dir, 'cdk.log'),
    adjustments: [
      { id: 'stage-from-deployment', does: 'moves', why: 'moto', changed: ['Stage', 'Deployment'] },
    ],
  };
}

function stack(): DescribeStacksCommandOutput {
  const outputs = {
    ApiUrl: STACK_URL,
    TableName: 'pets-rehearsal',
    FunctionName: 'Pets-rehearsal',
    LogGroupName: '/aws/lambda/Pets-rehearsal',
  };
  return {
    $metadata: {},
    Stacks: [
      {
        StackName: 'PetsStack-rehearsal',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

interface RehearsalCalls {
  order: string[];
  deploy: DeployRehearsalOptions[];
  stage: StagePhaseOptions[];
}

function rehearsalParts(
  dir: string,
  overrides: Parameters<typeof fakeParts>[1] & { deployError?: Error } = {},
): {
  parts: HarnessParts;
  calls: ReturnType<typeof fakeParts>['calls'] & RehearsalCalls;
} {
  const { parts, calls: checkCalls } = fakeParts(dir, overrides);
  const calls = {
    ...checkCalls,
    order: [] as string[],
    deploy: [] as DeployRehearsalOptions[],
    stage: [] as StagePhaseOptions[],
  };
  const figures: ShippingFigures = { events: 120, batches: 4, streams: 2, rejected: [] };
  const stage = {
    url: STAGE_URL,
    logGroupName: '/aws/lambda/Pets-rehearsal',
    logDir: join(dir, 'logs'),
    templatePath: deployment(dir).assembly.templatePath,
    runtimeNode: { path: process.execPath, version: process.version, source: 'stage' },
    notes: [],
    consumedCapacity: () => ({}),
    accessPatterns: () => [],
    functionTimeoutSeconds: 10,
    deniedCalls: () => [
      {
        allowed: false,
        explicit: false,
        action: 'dynamodb:PutItem',
        resource: 'arn:table/pets-rehearsal',
        message: 'User: x is not authorized to perform: dynamodb:PutItem',
      },
      {
        allowed: false,
        explicit: false,
        action: 'dynamodb:PutItem',
        resource: 'arn:table/pets-rehearsal',
        message: 'User: x is not authorized to perform: dynamodb:PutItem',
      },
    ],
  } as unknown as RunningStage;
  const real = parts.rehearsal();
  return {
    calls,
    parts: {
      ...parts,
      rehearsal: () => ({
        ...real,
        startAwsStandIn: async () => ({
          standIn: STAND_IN,
          motoVersion: '5.2.5',
          stop: async () => void calls.order.push('moto stopped'),
        }),
        deployRehearsal: async (options: DeployRehearsalOptions) => {
          calls.deploy.push(options);
          if (overrides.deployError) throw overrides.deployError;
          writeSynthesizedTemplate(dir);
          return deployment(dir);
        },
        startLogShipping: () => ({
          flush: async () => undefined,
          figures: () => figures,
          stop: async () => {
            calls.order.push('shipping stopped');
            return figures;
          },
        }),
        destroyRehearsal: async () => {
          calls.order.push('destroyed');
          return 'PetsStack-rehearsal and its table pets-rehearsal are gone from moto';
        },
      }),
      faults: () => ({ ...parts.faults(), runFaultRound: async () => faultRoundResult() }),
      localApi: () => ({
        ...parts.localApi(),
        stagePhase: async (options: StagePhaseOptions) => {
          calls.stage.push(options);
          return { value: stage, detail: STAGE_URL };
        },
      }),
    },
  };
}

describe('a rehearsal (--target rehearsal)', () => {
  let dir: string;
  const savedEnv = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-rehearsal-'));
    sts.reset();
    cloudFormation.reset();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:user/moto' });
    cloudFormation.on(DescribeStacksCommand).resolves(stack());
    // The shell's region and keys must not matter: every client goes to the stand-in.
    process.env.AWS_REGION = 'eu-central-1';
    process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:1';
  });

  afterEach(() => {
    process.env = { ...savedEnv };
    rmSync(dir, { recursive: true, force: true });
  });

  function options(): RunOptions {
    const parsed = parseRunFlags(['--target', 'rehearsal', '--run-id', 'rehearsal-wiring']);
    if (!parsed) throw new Error('no options');
    return { ...parsed.options, baseline: { kind: 'none' }, reportsDir: join(dir, 'reports') };
  }

  it("runs every aws step between moto's start and the stack's destroy, against the stand-in", async () => {
    const { parts, calls } = rehearsalParts(dir);

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary.steps.map((step) => [step.id, step.verdict])).toEqual([
      ['moto', 'passed'],
      ['credentials', 'passed'],
      ['tools', 'passed'],
      ['deploy', 'passed'],
      ['outputs', 'passed'],
      ['seed', 'passed'],
      ['stage', 'passed'],
      ['newman', 'passed'],
      ['load', 'passed'],
      ['fuzz', 'passed'],
      ['faults', 'passed'],
      ['access', 'passed'],
      ['logcheck', 'passed'],
      ['configuration', 'passed'],
      ['baseline', 'passed'],
      ['destroy', 'passed'],
    ]);
    expect(summary).toMatchObject({ verdict: 'passed', exitCode: 0, target: 'rehearsal' });
    // What a real deploy sends is judged, not the copy adjusted for moto.
    expect(summary.steps.find((step) => step.id === 'configuration')?.detail).toMatch(
      /^synthesized by the CDK CLI for the deploy of PetsStack-rehearsal \(before moto's adjustments\)/,
    );
    expect(calls.deploy).toEqual([expect.objectContaining({ standIn: STAND_IN, account: '123456789012' })]);
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
      StackName: 'PetsStack-rehearsal',
    });
    const endpoint = await cloudFormation.call(0).thisValue.config.endpoint();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe(STAND_IN.endpoint);
    expect(calls.seed).toEqual([
      expect.objectContaining({
        endpoint: STAND_IN.endpoint,
        region: 'us-east-1',
        tableName: 'pets-rehearsal',
        reset: true,
      }),
    ]);
    expect(calls.logCheck).toEqual([
      expect.objectContaining({
        source: 'cloudwatch',
        endpoint: STAND_IN.endpoint,
        region: 'us-east-1',
        logGroupName: '/aws/lambda/Pets-rehearsal',
      }),
    ]);
    expect(calls.newman).toEqual([expect.objectContaining({ baseUrl: STAGE_URL, env: 'aws' })]);
    // The last lines are shipped before the stack (and its log group) goes; moto stops after everything.
    expect(calls.order.indexOf('shipping stopped')).toBeLessThan(calls.order.indexOf('destroyed'));
    expect(calls.order.at(-1)).toBe('moto stopped');
  });

  it('destroys the stack when a step after the deploy stops the run, as the workflow destroys it always', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:45999'), {
      code: 'ECONNREFUSED',
    });
    const { parts, calls } = rehearsalParts(dir, { seedError: refused });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const { summary } = await runHarness(options(), noSignal, parts);

    // The run's problem is the seed's; the destroy ran after it, and moto stopped last.
    expect(summary).toMatchObject({ verdict: 'error', exitCode: 2, problem: expect.stringMatching(/^seed/) });
    const verdicts = Object.fromEntries(summary.steps.map((step) => [step.id, step.verdict]));
    expect(verdicts).toMatchObject({ seed: 'error', newman: 'skipped', destroy: 'passed' });
    expect(calls.newman).toEqual([]);
    expect(calls.order).toEqual(['destroyed', 'moto stopped']);
  });

  it('has nothing to destroy when the deploy itself failed', async () => {
    const { parts, calls } = rehearsalParts(dir, { deployError: new Error('cdk deploy exited with 1') });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({ verdict: 'error', exitCode: 2 });
    expect(summary.steps.find((step) => step.id === 'destroy')).toMatchObject({
      verdict: 'skipped',
      detail: 'not reached',
    });
    expect(calls.order).toEqual(['moto stopped']);
  });

  it('serves the stack URL with the deployed bundle and template, on the stack table in moto', async () => {
    const { parts, calls } = rehearsalParts(dir);

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(calls.stage).toEqual([
      expect.objectContaining({
        bundleDir: deployment(dir).assembly.functionBundleDir,
        tableName: 'pets-rehearsal',
        dynamoDbEndpoint: STAND_IN.endpoint,
        deployed: expect.objectContaining({
          templatePath: deployment(dir).assembly.templatePath,
          accountId: '123456789012',
          apiId: 'abc123def4',
          region: 'us-east-1',
        }),
      }),
    ]);
    expect(summary.environment).toMatchObject({
      baseUrl: STAGE_URL,
      stackUrl: STACK_URL,
      awsEndpoint: STAND_IN.endpoint,
    });
  });

  it('says in the summary what it proves, what only AWS can, what moto needed and what IAM denied', async () => {
    const { parts } = rehearsalParts(dir);

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary.rehearsal).toMatchObject({
      moto: '5.2.5',
      stackName: 'PetsStack-rehearsal',
      stackUrl: STACK_URL,
      adjustments: [expect.objectContaining({ id: 'stage-from-deployment' })],
      logShipping: { events: 120, batches: 4, streams: 2, rejected: [] },
      iamDenials: [expect.objectContaining({ action: 'dynamodb:PutItem', calls: 2 })],
    });
    expect(summary.rehearsal?.onlyAws.join(' ')).toMatch(
      /API Gateway.*throttling.*Lambda.*arm64.*IAM.*CloudWatch Logs: ingestion lag/s,
    );
    expect(JSON.stringify(summary)).not.toContain('secretAccessKey');
    // The console says it too, beside what was not rehearsed.
    expect(renderConsoleSummary(summary, 'index.html')).toContain(
      'IAM: the deployed role denied dynamodb:PutItem on arn:table/pets-rehearsal (2×)',
    );
  });
});
