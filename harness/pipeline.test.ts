import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { props, stackTemplate } from '../configcheck/test/template';
import { type RunOptions, runHarness } from './pipeline';
import type { Interruption } from './steps';
import { fakeParts } from './test/fake-parts';

/**
 * The aws target's wiring, with the parts replaced by fakes (a deployed stack is not available
 * here; the parts themselves are tested against their local stand-ins): which URL, table, log
 * group and region each part gets, and how check results become the run's verdict.
 */

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/default';

// STS stands in for AWS: the credentials step asks it whose the keys are.
const sts = mockClient(STSClient);

const noSignal: Interruption = { promise: new Promise<never>(() => {}), signal: undefined, dispose() {} };

describe('a run against a deployed stack (--target aws)', () => {
  const savedEnv = { ...process.env };
  let dir: string;
  let outputsFile: string;

  function options(overrides: Partial<RunOptions> = {}): RunOptions {
    return {
      runId: 'aws-run-1',
      target: 'aws',
      profile: 'smoke',
      port: 0,
      skipLoad: false,
      seed: true,
      outputsFile,
      budgets: { p95Ms: 800 },
      reportsDir: join(dir, 'reports'),
      ...overrides,
    };
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-aws-'));
    outputsFile = join(dir, 'cdk-outputs.json');
    writeFileSync(
      outputsFile,
      JSON.stringify({
        'PetsStack-pr-7': {
          ApiUrl: `${API_URL}/`,
          TableName: 'pets-pr-7',
          FunctionName: 'Pets-pr-7',
          LogGroupName: '/aws/lambda/Pets-pr-7',
        },
      }),
    );
    // Credentials from the environment: the SDK's default chain resolves them without a network call.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAHARNESSTEST1234';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
    process.env.AWS_REGION = 'eu-west-1';
    delete process.env.AWS_PROFILE;
    sts.reset();
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/ci' });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the stack table, runs newman and k6 at ApiUrl and checks CloudWatch for every request sent', async () => {
    const { calls, parts } = fakeParts(dir);
    const before = Date.now();

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({ verdict: 'passed', exitCode: 0, failedChecks: [] });
    expect(summary.steps.map((step) => [step.id, step.verdict])).toEqual([
      ['credentials', 'passed'],
      ['tools', 'passed'],
      ['outputs', 'passed'],
      ['seed', 'passed'],
      ['newman', 'passed'],
      ['load', 'passed'],
      ['fuzz', 'passed'],
      // A deployed stack's DynamoDB calls pass no gateway of ours: nothing to inject faults into or see.
      ['faults', 'skipped'],
      ['access', 'skipped'],
      ['logcheck', 'passed'],
      ['configuration', 'passed'],
      ['baseline', 'passed'],
    ]);
    expect(summary.steps.find((step) => step.id === 'faults')?.detail).toBe(
      "a deployed stack's DynamoDB calls pass no gateway of ours: injecting faults needs the local stage (local, rehearsal)",
    );
    expect(summary.environment).toMatchObject({
      baseUrl: API_URL,
      stackName: 'PetsStack-pr-7',
      tableName: 'pets-pr-7',
      logGroupName: '/aws/lambda/Pets-pr-7',
      region: 'eu-west-1',
    });
    expect(calls.seed).toEqual([
      expect.objectContaining({ region: 'eu-west-1', tableName: 'pets-pr-7', reset: true }),
    ]);
    expect(calls.seed[0]).not.toHaveProperty('endpoint');
    expect(calls.newman).toEqual([
      expect.objectContaining({ baseUrl: API_URL, runId: 'aws-run-1', env: 'aws' }),
    ]);
    expect(calls.load).toEqual([
      expect.objectContaining({ baseUrl: API_URL, runId: 'aws-run-1', profile: 'smoke' }),
    ]);
    expect(calls.fuzz).toEqual([
      expect.objectContaining({ baseUrl: API_URL, runId: 'aws-run-1', maxTimeSeconds: 30 }),
    ]);
    const logCheck = calls.logCheck[0];
    expect(logCheck).toMatchObject({
      runId: 'aws-run-1',
      source: 'cloudwatch',
      logGroupName: '/aws/lambda/Pets-pr-7',
      region: 'eu-west-1',
      budgets: { p95Ms: 800 },
      // newman's and the fuzz's requests that reach the function + k6's (fixtures: 52 + 412 + 126).
      expectRequests: 590,
    });
    expect(logCheck?.since).toBeLessThan(before);
    expect(logCheck?.until).toBeGreaterThan(Date.now());
    expect(summary.budgets).toMatchObject({ durationP95Ms: 800 });
  });

  it('judges the template synthesized from this checkout, saying so, and fails on a finding naming it', async () => {
    const template = stackTemplate();
    props(template, 'Function').Timeout = 30;
    const { calls, parts } = fakeParts(dir, { template });

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(calls.synth).toHaveLength(1);
    expect(summary).toMatchObject({ verdict: 'failed', exitCode: 1, failedChecks: ['configuration'] });
    expect(summary.steps.find((step) => step.id === 'configuration')?.detail).toMatch(
      /^synthesized from this checkout, not read from the deployed stack: .*PetsStack\.template\.json: 1 finding: timeout: Function \(PetsStack\/Function\/Resource\) Timeout = 30 s \(limit: < 29 s\)/,
    );
    expect(summary.configuration?.failures.map((finding) => finding.rule)).toEqual(['timeout']);
  });

  it('says in the log check’s line what a hygiene rule found and where, the process environment at init', async () => {
    const atInit = 'at init (no request), log stream 2026/12/04/[$LATEST]abc field message';
    const logCheck = {
      passed: false,
      violations: [
        {
          check: 'log-hygiene/variables-dump',
          message: `1 line: ${atInit}: 16 of the variables Lambda's runtime sets, with their values (PATH, …)`,
          requestIds: [],
        },
      ],
    };
    const { parts } = fakeParts(dir, { logCheck });

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary.failedChecks).toEqual(['log check']);
    expect(summary.steps.find((step) => step.id === 'logcheck')?.detail).toContain(
      `1 violation: log-hygiene/variables-dump (1 line: ${atInit}: 16 of the variables`,
    );
  });

  it('prices every request the checks sent, the fuzz step’s included', async () => {
    const { parts } = fakeParts(dir);

    const { summary } = await runHarness(options(), noSignal, parts);

    // The fixtures: newman sent 58, k6 412, the fuzz 130.
    expect(summary.cost?.requestsBySource).toEqual({ newman: 58, k6: 412, fuzz: 130 });
    expect(summary.cost?.requests).toBe(58 + 412 + 130);
  });

  it('does not touch the table without --seed', async () => {
    const { calls, parts } = fakeParts(dir);

    const { summary } = await runHarness(options({ seed: false }), noSignal, parts);

    expect(calls.seed).toEqual([]);
    expect(summary.steps.find((step) => step.id === 'seed')).toMatchObject({ verdict: 'skipped' });
    expect(summary.verdict).toBe('passed');
  });

  it('fails the run (exit 1) naming newman when an assertion failed, and still runs k6 and the log check', async () => {
    const { calls, parts } = fakeParts(dir, { newmanPassed: false });

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({ verdict: 'failed', exitCode: 1, failedChecks: ['newman'] });
    expect(calls.load).toHaveLength(1);
    expect(calls.logCheck).toHaveLength(1);
  });

  it('records a crashed k6 as a failed check and checks the logs without a request count it cannot know', async () => {
    const { calls, parts } = fakeParts(dir, { loadError: new Error('k6 crashed') });

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({ verdict: 'failed', exitCode: 1, failedChecks: ['k6 (smoke)'] });
    expect(summary.steps.find((step) => step.id === 'load')).toMatchObject({
      verdict: 'failed',
      detail: 'k6 crashed',
    });
    expect(calls.logCheck[0]).not.toHaveProperty('expectRequests');
  });

  it('counts only newman requests for the log check with --skip-load', async () => {
    const { calls, parts } = fakeParts(dir);

    const { summary } = await runHarness(options({ skipLoad: true }), noSignal, parts);

    expect(calls.load).toEqual([]);
    expect(calls.logCheck[0]?.expectRequests).toBe(52 + 126);
    expect(summary.steps.filter((step) => step.verdict === 'skipped').map((step) => step.id)).toEqual([
      'tools',
      'load',
      'faults',
      'access',
    ]);
  });

  it('stops with exit 2 and the problem in the summary when a setup step crashes (seed refused)', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const { calls, parts } = fakeParts(dir, { seedError: refused });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({
      verdict: 'error',
      exitCode: 2,
      problem: 'seed failed: connect ECONNREFUSED 127.0.0.1:8000',
    });
    expect(summary.steps.find((step) => step.id === 'seed')).toMatchObject({ verdict: 'error' });
    expect(calls.newman).toEqual([]);
  });

  it('stops with exit 2 before anything else when STS rejects the credentials', async () => {
    const { calls, parts } = fakeParts(dir);
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('expired'), { name: 'ExpiredToken' }));

    const { summary } = await runHarness(options(), noSignal, parts);

    expect(summary).toMatchObject({ verdict: 'error', exitCode: 2 });
    expect(summary.problem).toMatch(/^AWS credentials: AWS rejected the credentials .*ExpiredToken/);
    expect(summary.steps.map((step) => [step.id, step.verdict])[0]).toEqual(['credentials', 'error']);
    expect(calls.seed).toEqual([]);
  });

  it('takes the region from --region over AWS_REGION, never from ApiUrl', async () => {
    const { calls, parts } = fakeParts(dir);

    await runHarness(options({ region: 'eu-central-1' }), noSignal, parts);

    expect(calls.logCheck[0]?.region).toBe('eu-central-1');
    expect(calls.seed[0]?.region).toBe('eu-central-1');
  });
});
