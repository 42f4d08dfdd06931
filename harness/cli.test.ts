import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { exitCodeFor, UsageError } from '../common/cli';
import { newRunId, reportsDir } from '../common/paths';
import { type RunningMoto, startMotoServer } from '../tools/moto';
import type { RunSummary } from './results';
import { main } from './run-command';
import { processesMarkedWith, runHarness, withoutAwsCredentials } from './test/process';

/** The CLI's "could not run" answers, from a real process: exit 2 and a message with the fix. */

// A real process starting tsx, plus for the port test DynamoDB and the seed, on a busy machine.
const PROCESS_TIMEOUT_MS = 180_000;

function readSummary(runId: string): RunSummary {
  return JSON.parse(readFileSync(join(reportsDir(runId), 'summary.json'), 'utf8')) as RunSummary;
}

describe('pets-harness run exits 2 when it cannot run', () => {
  // The credentials step asks STS whose the keys are: moto's server answers for it here.
  let moto: RunningMoto;
  beforeAll(async () => {
    moto = await startMotoServer();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  /** Keys STS accepts (moto's), so the run gets past the credentials step. */
  function withStsStandIn(): NodeJS.ProcessEnv {
    return {
      ...withoutAwsCredentials(),
      AWS_ACCESS_KEY_ID: 'AKIAHARNESSTEST',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
      AWS_ENDPOINT_URL_STS: moto.endpoint,
    };
  }

  it(
    'exits 2 for a wrong flag as a real process, and names the flag',
    async () => {
      const result = await runHarness(['run', '--bogus']);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/Unknown option '--bogus'/);
    },
    PROCESS_TIMEOUT_MS,
  );

  // The process above proves a usage error reaches the shell as exit 2; the other flags are
  // refused by the command's main in this process, before it starts anything.
  it.each([
    [['--profile', 'huge'], /--profile must be one of smoke, load, stress, spike, soak, got 'huge'/],
    [['--seed'], /--seed applies to --target aws only/],
  ])('refuses %j with a usage error (exit 2) that names the flag', async (argv, message) => {
    const refused = main(argv).catch((error: unknown) => error);

    await expect(refused).resolves.toBeInstanceOf(UsageError);
    await expect(refused).resolves.toHaveProperty('message', expect.stringMatching(message));
    expect(exitCodeFor(await refused)).toBe(2);
  });

  it(
    'exits 2 with how to configure credentials for --target aws when there are none',
    async () => {
      const runId = `test-cli-no-credentials-${newRunId()}`;

      const result = await runHarness(
        [
          'run',
          '--target',
          'aws',
          '--stack-name',
          'PetsStack',
          '--region',
          'eu-west-1',
          '--run-id',
          runId,
          '--skip-screenshot',
        ],
        withoutAwsCredentials(),
      );

      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(
        /COULD NOT RUN \(exit 2\): AWS credentials: No AWS credentials for --target aws/,
      );
      expect(result.stdout).toContain('aws configure');
      expect(result.stdout).toContain('role-to-assume');
      const summary = readSummary(runId);
      expect(summary).toMatchObject({ verdict: 'error', exitCode: 2, target: 'aws' });
      expect(summary.steps.map((step) => [step.id, step.verdict])).toEqual([
        ['credentials', 'error'],
        ['tools', 'skipped'],
        ['outputs', 'skipped'],
        ['seed', 'skipped'],
        ['newman', 'skipped'],
        ['load', 'skipped'],
        ['fuzz', 'skipped'],
        ['faults', 'skipped'],
        ['access', 'skipped'],
        ['logcheck', 'skipped'],
        ['configuration', 'skipped'],
        ['baseline', 'skipped'],
      ]);
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'exits 2 naming the missing stack outputs file',
    async () => {
      const runId = `test-cli-no-outputs-${newRunId()}`;
      const env = withStsStandIn();

      const result = await runHarness(
        [
          'run',
          '--target',
          'aws',
          '--outputs',
          '/nonexistent/cdk-outputs.json',
          '--run-id',
          runId,
          '--skip-load',
          '--skip-screenshot',
        ],
        env,
      );

      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/stack outputs: no stack outputs at \/nonexistent\/cdk-outputs.json/);
      expect(readSummary(runId).steps.find((step) => step.id === 'credentials')?.verdict).toBe('passed');
    },
    PROCESS_TIMEOUT_MS,
  );

  it(
    'exits 2 naming a stack the outputs file does not hold',
    async () => {
      const runId = `test-cli-wrong-stack-${newRunId()}`;
      const dir = reportsDir(runId);
      mkdirSync(dir, { recursive: true });
      const outputsFile = join(dir, 'cdk-outputs.json');
      writeFileSync(
        outputsFile,
        JSON.stringify({
          'PetsStack-pr-1': {
            ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/default',
            TableName: 'pets-pr-1',
            FunctionName: 'Pets-pr-1',
            LogGroupName: '/aws/lambda/Pets-pr-1',
          },
        }),
      );
      const env = withStsStandIn();

      const result = await runHarness(
        [
          'run',
          '--target',
          'aws',
          '--outputs',
          outputsFile,
          '--stack-name',
          'PetsStack-pr-2',
          '--run-id',
          runId,
          '--skip-load',
          '--skip-screenshot',
        ],
        env,
      );

      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/no stack 'PetsStack-pr-2' \(it has: PetsStack-pr-1\)/);
    },
    PROCESS_TIMEOUT_MS,
  );

  describe('with the stage port taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const address = blocker.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      port = address.port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    });

    it(
      'exits 2, says the port is taken and how to choose another, and stops what it started',
      async () => {
        const runId = `test-cli-port-taken-${newRunId()}`;

        const result = await runHarness(
          ['run', '--port', String(port), '--run-id', runId, '--skip-load', '--skip-screenshot'],
          { ...process.env, PETS_HARNESS_TEST_MARKER: runId },
        );

        expect(result.code).toBe(2);
        expect(result.stdout).toContain(`port ${port} is taken`);
        expect(result.stdout).toContain('--port 0');
        const summary = readSummary(runId);
        expect(summary.steps.find((step) => step.id === 'stage')?.verdict).toBe('error');
        expect(summary.steps.find((step) => step.id === 'dynamodb')?.verdict).toBe('passed');
        expect(summary.warnings).toEqual([]);
        expect(processesMarkedWith([runId])).toEqual([]);
      },
      PROCESS_TIMEOUT_MS,
    );
  });
});
