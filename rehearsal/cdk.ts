import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CannotRunError } from '../common/cli';
import { cdkArguments, contextArguments, type DeployOptions, runCdk } from '../infra/deploy';
import { DIRECT_DEPLOY, TEMPLATE_URL_ON_LOCALHOST } from './adjustments';

/**
 * The real CDK CLI (the project's `aws-cdk`) against moto: synth into a folder of the run's own,
 * bootstrap, deploy and destroy, with the command lines `npm run deploy` and `npm run destroy` build
 * (infra/deploy.ts) and the deploy adjustments moto needs (rehearsal/adjustments.ts). Its output
 * goes to a log file; a failure says the command, its exit code and its last lines.
 */

/** Where the AWS stand-in answers, and as which region and keys. */
export interface AwsStandIn {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface CdkRun {
  standIn: AwsStandIn;
  /** Every line the CLI writes is appended here. */
  logFile: string;
  /** Progress: the CLI's latest line. */
  onLine?: (line: string) => void;
  /** Deploy adjustments left out, by id (to see whether a moto upgrade still needs one). */
  without?: ReadonlySet<string>;
}

const TAIL_LINES = 15;

/**
 * The CLI's environment: no credentials, profile or endpoint of the user's leak in, every client
 * goes to moto, and the template URL is named on localhost (TEMPLATE_URL_ON_LOCALHOST).
 */
export function standInEnvironment(
  standIn: AwsStandIn,
  without: ReadonlySet<string> = new Set(),
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
  }
  const { port } = new URL(standIn.endpoint);
  return {
    ...env,
    // The app runs with `npx tsx`: on this Node, whatever else is first on PATH.
    PATH: `${dirname(process.execPath)}:${base.PATH ?? ''}`,
    AWS_ENDPOINT_URL: standIn.endpoint,
    ...(without.has(TEMPLATE_URL_ON_LOCALHOST.id)
      ? {}
      : { AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${port}` }),
    AWS_ACCESS_KEY_ID: standIn.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: standIn.credentials.secretAccessKey,
    AWS_REGION: standIn.region,
    AWS_DEFAULT_REGION: standIn.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  };
}

async function cdk(args: string[], run: CdkRun): Promise<void> {
  const tail: string[] = [];
  appendFileSync(run.logFile, `\n$ cdk ${args.join(' ')}\n`);
  const code = await runCdk(args, {
    env: standInEnvironment(run.standIn, run.without),
    onLine: (line) => {
      appendFileSync(run.logFile, `${line}\n`);
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      run.onLine?.(line.trim().slice(0, 120));
    },
  });
  if (code !== 0) {
    throw new CannotRunError(
      `cdk ${args[0]} exited with ${code} (all of it in ${run.logFile}):\n${tail.join('\n')}`,
    );
  }
}

/** `cdk synth <stack>` with the deploy's context, into `outDir` (cdk.out stays as it is). */
export function synth(deploy: DeployOptions, stackName: string, outDir: string, run: CdkRun): Promise<void> {
  return cdk(['synth', stackName, ...contextArguments(deploy), '--quiet', '-o', outDir], run);
}

/** `cdk bootstrap` of moto's account and region, from the adjusted assembly (nothing is synthesized). */
export function bootstrap(assemblyDir: string, account: string, run: CdkRun): Promise<void> {
  return cdk(['bootstrap', `aws://${account}/${run.standIn.region}`, '--app', assemblyDir], run);
}

/** `npm run deploy`'s command line, on the adjusted assembly, by CreateStack (DIRECT_DEPLOY). */
export function deployArguments(
  deploy: DeployOptions,
  assemblyDir: string,
  without: ReadonlySet<string> = new Set(),
): string[] {
  const method = without.has(DIRECT_DEPLOY.id) ? [] : ['--method=direct'];
  return [...cdkArguments(deploy), '--app', assemblyDir, ...method];
}

export function deployStack(deploy: DeployOptions, assemblyDir: string, run: CdkRun): Promise<void> {
  return cdk(deployArguments(deploy, assemblyDir, run.without), run);
}

/** `npm run destroy`'s command line, on the assembly it was deployed from. */
export function destroyStack(destroy: DeployOptions, assemblyDir: string, run: CdkRun): Promise<void> {
  return cdk([...cdkArguments(destroy), '--app', assemblyDir], run);
}
