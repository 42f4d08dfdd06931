import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError, exitCodeFor, UsageError } from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';
import { cdkArguments, checkAwsAccess, type DeployDependencies, main, parseDeployArgs } from './deploy';

const CLI_TIMEOUT_MS = 60_000;

let dir: string;
const savedEnv = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pets-deploy-'));
});

afterEach(() => {
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An environment where the SDK's credential chain finds nothing and asks no one: no variables,
 * no shared files, instance metadata disabled (so no request to 169.254.169.254).
 */
function isolatedAwsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(savedEnv)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

describe('deploy arguments', () => {
  it.each([
    ['no command', [], /first argument must be 'deploy' or 'destroy'/],
    ['an unknown command', ['synth'], /first argument must be 'deploy' or 'destroy', got 'synth'/],
    ['an unknown flag', ['deploy', '--bogus'], /--bogus/],
    ['a deploy-only flag on destroy', ['destroy', '--outputs', 'x.json'], /--outputs/],
    ['a flag without its value', ['deploy', '--env'], /--env/],
    ['a stray argument', ['deploy', 'extra'], /extra/],
    [
      '--profile, which names the k6 profile in npm start',
      ['deploy', '--profile', 'sandbox'],
      /--profile is the k6 load profile of 'npm start'; for an AWS profile use --aws-profile NAME/,
    ],
    ['--profile on destroy too', ['destroy', '--profile', 'sandbox'], /use --aws-profile NAME/],
    [
      'an environment name that cannot suffix names',
      ['deploy', '--env', 'Prod_1'],
      /--env: environment name 'Prod_1'/,
    ],
  ])('reject %s with a UsageError that says which', (_case, argv, message) => {
    expect(() => parseDeployArgs(argv)).toThrow(UsageError);
    expect(() => parseDeployArgs(argv)).toThrow(message);
  });

  it.each([
    [
      'deploy with defaults',
      ['deploy'],
      ['deploy', 'PetsStack', '--outputs-file', join(process.cwd(), 'cdk-outputs.json')],
    ],
    [
      'deploy to an environment, throwaway, unattended',
      ['deploy', '--env', 'ci', '--destroy-on-removal', '--yes', '--outputs', 'out/ci.json'],
      [
        'deploy',
        'PetsStack-ci',
        '-c',
        'env=ci',
        '-c',
        'destroyOnRemoval=true',
        '--outputs-file',
        join(process.cwd(), 'out/ci.json'),
        '--require-approval',
        'never',
      ],
    ],
    ['destroy', ['destroy'], ['destroy', 'PetsStack', '--force']],
    [
      'destroy an environment with an AWS profile',
      ['destroy', '--env', 'ci', '--aws-profile', 'sandbox'],
      ['destroy', 'PetsStack-ci', '-c', 'env=ci', '--profile', 'sandbox', '--force'],
    ],
  ])('turn %s into the cdk command line', (_case, argv, expected) => {
    const options = parseDeployArgs(argv);
    if (!options) throw new Error('no options parsed');

    expect(cdkArguments(options)).toEqual(expected);
  });

  it('print the help and run nothing for --help', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const deps: DeployDependencies = { checkAwsAccess: jest.fn(), runCdk: jest.fn(), log: jest.fn() };

    await expect(main(['deploy', '--help'], deps)).resolves.toBe(0);

    expect(log).toHaveBeenCalledWith(expect.stringContaining('--destroy-on-removal'));
    expect(deps.checkAwsAccess).not.toHaveBeenCalled();
    expect(deps.runCdk).not.toHaveBeenCalled();
    log.mockRestore();
  });
});

describe('deploy and destroy', () => {
  function fakes(runCdk: DeployDependencies['runCdk']): DeployDependencies & { lines: string[] } {
    const lines: string[] = [];
    return {
      checkAwsAccess: jest.fn(async () => ({ region: 'eu-west-1' })),
      runCdk: jest.fn(runCdk),
      log: (line) => lines.push(line),
      lines,
    };
  }

  it('run cdk only after the credentials check, and exit 2 with how to configure when it fails', async () => {
    const deps = fakes(async () => 0);
    deps.checkAwsAccess = jest.fn(async () => {
      throw new CannotRunError('No AWS credentials found.');
    });

    const run = main(['deploy'], deps);

    await expect(run).rejects.toThrow(CannotRunError);
    expect(exitCodeFor(await run.catch((error: unknown) => error))).toBe(2);
    expect(deps.runCdk).not.toHaveBeenCalled();
  });

  it('read back the outputs cdk wrote and say how to run the harness against them', async () => {
    const outputs = join(dir, 'cdk-outputs.json');
    const deps = fakes(async (args) => {
      const file = args[args.indexOf('--outputs-file') + 1] ?? '';
      writeFileSync(
        file,
        JSON.stringify({
          'PetsStack-ci': {
            ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/default/',
            TableName: 'pets-ci',
            FunctionName: 'Pets-ci',
            LogGroupName: '/aws/lambda/Pets-ci',
          },
        }),
      );
      return 0;
    });

    await expect(main(['deploy', '--env', 'ci', '--outputs', outputs], deps)).resolves.toBe(0);

    expect(deps.checkAwsAccess).toHaveBeenCalledWith(undefined);
    expect(deps.lines).toEqual(
      expect.arrayContaining([
        'API: https://abc.execute-api.eu-west-1.amazonaws.com/default',
        `Run the harness against it: npm start -- --target aws --outputs ${outputs}`,
      ]),
    );
  });

  it.each([
    ['deploy', 1],
    ['destroy', 3],
  ])('%s returns the exit code of a failing cdk', async (command, code) => {
    const deps = fakes(async () => code);

    await expect(main([command], deps)).resolves.toBe(code);
  });
});

describe('the AWS credentials check', () => {
  it('finds no credentials when the SDK chain has none, and says how to configure them', async () => {
    process.env = isolatedAwsEnv({ AWS_REGION: 'eu-west-1' });

    const check = checkAwsAccess();

    await expect(check).rejects.toThrow(CannotRunError);
    await expect(check).rejects.toThrow(
      /No AWS credentials found[\s\S]*aws configure[\s\S]*AWS_ACCESS_KEY_ID/,
    );
  });

  it('asks for a region when none is configured', async () => {
    process.env = isolatedAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });

    await expect(checkAwsAccess()).rejects.toThrow(/No AWS region is configured[\s\S]*AWS_REGION=/);
  });

  it('passes with credentials and a region from the environment, without calling AWS', async () => {
    process.env = isolatedAwsEnv({
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });

    await expect(checkAwsAccess()).resolves.toEqual({ region: 'eu-west-1' });
  });
});

describe('npm run deploy as a process', () => {
  function runDeploy(args: string[], env: NodeJS.ProcessEnv) {
    return spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['infra/deploy.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, CI: 'true' },
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    });
  }

  it(
    'exits 2 and names the flag when given a wrong one',
    () => {
      const result = runDeploy(['deploy', '--region', 'x'], isolatedAwsEnv());

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/--region/);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'exits 2 with how to configure credentials when there are none, before running cdk',
    () => {
      const result = runDeploy(
        ['deploy', '--outputs', join(dir, 'out.json')],
        isolatedAwsEnv({ AWS_REGION: 'eu-west-1' }),
      );

      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/No AWS credentials found/);
      expect(result.stderr).toMatch(/aws configure/);
      expect(result.stdout).not.toMatch(/^cdk deploy/m);
    },
    CLI_TIMEOUT_MS,
  );
});
