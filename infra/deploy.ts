import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CannotRunError,
  type CommandSpec,
  type FlagSpec,
  parseFlags,
  runMain,
  UsageError,
} from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';
import { trackChild } from '../common/processes';
import { withStep } from '../common/progress';
import { DESTROY_CONTEXT_KEY, ENV_CONTEXT_KEY, stackNames } from './names';
import { DEFAULT_OUTPUTS_FILE, readStackOutputs } from './outputs';

const COMMON_FLAGS = {
  env: {
    type: 'string',
    value: 'NAME',
    help: 'suffix every name (PetsStack-NAME, pets-NAME, …); default: no suffix',
  },
  'aws-profile': {
    type: 'string',
    value: 'NAME',
    help: 'AWS profile to use (default: AWS_PROFILE, else the SDK credential chain)',
  },
  // `--profile` names the k6 load profile in `npm start`; here it would mean something else.
  profile: { type: 'string', value: 'NAME', help: 'not a deploy flag: use --aws-profile NAME' },
} as const;

/** What `--profile` means elsewhere, and what to use here instead. */
const PROFILE_IS_K6 =
  "--profile is the k6 load profile of 'npm start'; for an AWS profile use --aws-profile NAME (or AWS_PROFILE=NAME)";

const DEPLOY_SPEC = {
  name: 'npm run deploy --',
  summary:
    'Deploy the Pets stack (cdk deploy) with your AWS credentials and write its outputs for the harness.',
  flags: {
    ...COMMON_FLAGS,
    outputs: {
      type: 'string',
      value: 'FILE',
      help: `where to write the stack outputs (default ${DEFAULT_OUTPUTS_FILE})`,
    },
    'destroy-on-removal': {
      type: 'boolean',
      help: 'table and log groups go with the stack (throwaway stacks); default RETAIN',
    },
    yes: { type: 'boolean', help: "don't ask before IAM changes (cdk --require-approval never), for CI" },
  },
} as const satisfies CommandSpec<FlagSpec>;

const DESTROY_SPEC = {
  name: 'npm run destroy --',
  summary: 'Delete the Pets stack (cdk destroy --force). A RETAINed table and log groups stay.',
  flags: {
    ...COMMON_FLAGS,
    env: { type: 'string', value: 'NAME', help: 'the environment the stack was deployed with' },
  },
} as const satisfies CommandSpec<FlagSpec>;

export type DeployCommand = 'deploy' | 'destroy';

export interface DeployOptions {
  command: DeployCommand;
  env?: string;
  /** The AWS profile (`--aws-profile`), passed to cdk as its `--profile`. */
  profile?: string;
  /** As given; relative to the current directory (the project root under `npm run`). */
  outputsFile: string;
  destroyOnRemoval: boolean;
  yes: boolean;
}

/** Parses `deploy|destroy [flags]`; a wrong command, flag or deployment name (`--env`) is a UsageError. */
export function parseDeployArgs(argv: string[]): DeployOptions | undefined {
  const [command, ...rest] = argv;
  const envAndProfile = (flags: { env?: string; profile?: string; 'aws-profile'?: string }) => {
    if (flags.profile !== undefined) throw new UsageError(PROFILE_IS_K6);
    return { ...validEnv(flags.env), profile: flags['aws-profile'] };
  };
  if (command === 'destroy') {
    const flags = parseFlags(DESTROY_SPEC, rest);
    return (
      flags && { command, ...envAndProfile(flags), outputsFile: '', destroyOnRemoval: false, yes: false }
    );
  }
  if (command === 'deploy') {
    const flags = parseFlags(DEPLOY_SPEC, rest);
    return (
      flags && {
        command,
        ...envAndProfile(flags),
        outputsFile: flags.outputs ?? DEFAULT_OUTPUTS_FILE,
        destroyOnRemoval: flags['destroy-on-removal'] ?? false,
        yes: flags.yes ?? false,
      }
    );
  }
  throw new UsageError(
    `infra/deploy.ts: the first argument must be 'deploy' or 'destroy', got '${command ?? ''}'`,
  );
}

function validEnv(env: string | undefined): { env?: string } {
  try {
    const valid = stackNames(env).deployment;
    return valid ? { env: valid } : {};
  } catch (error) {
    throw new UsageError(`--env: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The context the app reads (`-c env=…`, `-c destroyOnRemoval=true`): synth and deploy pass the same. */
export function contextArguments(options: Pick<DeployOptions, 'env' | 'destroyOnRemoval'>): string[] {
  const args: string[] = [];
  if (options.env) args.push('-c', `${ENV_CONTEXT_KEY}=${options.env}`);
  if (options.destroyOnRemoval) args.push('-c', `${DESTROY_CONTEXT_KEY}=true`);
  return args;
}

/** The `cdk` command line for the options; context passes `env` and the removal flag to the app. */
export function cdkArguments(options: DeployOptions): string[] {
  const { stackName } = stackNames(options.env);
  const args: string[] = [options.command, stackName, ...contextArguments(options)];
  if (options.profile) args.push('--profile', options.profile);
  if (options.command === 'deploy') {
    args.push('--outputs-file', resolve(options.outputsFile));
    if (options.yes) args.push('--require-approval', 'never');
  } else {
    args.push('--force');
  }
  return args;
}

const HOW_TO_CONFIGURE = [
  'Configure AWS credentials first, one of:',
  '  • aws configure                      (access key in ~/.aws/credentials)',
  '  • aws sso login --profile NAME       then --aws-profile NAME or AWS_PROFILE=NAME',
  '  • AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment',
  'and a region: AWS_REGION=eu-west-1 or `region` in ~/.aws/config. Bootstrap once per account and',
  'region with `npx cdk bootstrap`. Details: docs/deploy.md.',
].join('\n');

/**
 * Resolves a region and credentials through the AWS SDK's default provider chain (environment,
 * shared files, SSO, process, web identity, container and instance metadata) without calling AWS.
 */
export async function checkAwsAccess(profile?: string): Promise<{ region: string }> {
  const client = new CloudFormationClient(profile ? { profile } : {});
  try {
    let region: string;
    try {
      region = await client.config.region();
    } catch {
      throw new CannotRunError(`No AWS region is configured.\n${HOW_TO_CONFIGURE}`);
    }
    try {
      await client.config.credentials();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new CannotRunError(`No AWS credentials found (${reason}).\n${HOW_TO_CONFIGURE}`);
    }
    return { region };
  } finally {
    client.destroy();
  }
}

export interface CdkRunOptions {
  /** The CLI's environment (default this process's). */
  env?: NodeJS.ProcessEnv;
  /** Each line the CLI writes; without it the CLI writes to this terminal. */
  onLine?: (line: string) => void;
}

/** Runs the project's own CDK CLI; resolves to its exit code. */
export function runCdk(args: string[], options: CdkRunOptions = {}): Promise<number> {
  const cdk = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');
  const { onLine } = options;
  return new Promise((settle, reject) => {
    const child = trackChild(
      spawn(cdk, args, {
        cwd: PROJECT_ROOT,
        env: options.env ?? process.env,
        stdio: onLine ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      }),
    );
    if (onLine) {
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream as NodeJS.ReadableStream }).on('line', onLine);
      }
    }
    child.once('error', reject);
    child.once('close', (code, signal) => settle(code ?? (signal ? 1 : 0)));
  });
}

export interface DeployDependencies {
  checkAwsAccess: (profile?: string) => Promise<{ region: string }>;
  runCdk: (args: string[]) => Promise<number>;
  log: (line: string) => void;
}

const defaults: DeployDependencies = { checkAwsAccess, runCdk, log: (line) => console.log(line) };

export async function main(argv: string[], deps: DeployDependencies = defaults): Promise<number> {
  const options = parseDeployArgs(argv);
  if (!options) return 0;
  const { region } = await withStep('checking AWS credentials', () => deps.checkAwsAccess(options.profile));
  const args = cdkArguments(options);
  deps.log(`cdk ${args.join(' ')}   (region ${region})`);
  const code = await deps.runCdk(args);
  if (code !== 0 || options.command === 'destroy') return code;
  const outputs = readStackOutputs(resolve(options.outputsFile), stackNames(options.env).stackName);
  deps.log(`API: ${outputs.apiUrl}`);
  deps.log(`Run the harness against it: npm start -- --target aws --outputs ${options.outputsFile}`);
  return 0;
}

if (require.main === module) runMain(main);
