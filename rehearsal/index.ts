import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { CannotRunError } from '../common/cli';
import { type DeployOptions, parseDeployArgs } from '../infra/deploy';
import { stackNames } from '../infra/names';
import { readStageTemplate } from '../local/stage/template';
import { TOOL_VERSIONS } from '../tools/cache';
import { startMotoServer } from '../tools/moto';
import { MOTO_ADJUSTMENTS, TEMPLATE_ADJUSTMENTS, type TemplateAdjustment } from './adjustments';
import { type AdjustedAssembly, adjustAssembly } from './assembly';
import { type AwsStandIn, bootstrap, type CdkRun, deployStack, destroyStack, synth } from './cdk';
import { deployedStageCommands, REHEARSAL_ENV } from './recipe';

export type { Adjustment, Template, TemplateAdjustment } from './adjustments';
export { MOTO_ADJUSTMENTS } from './adjustments';
export type { AwsStandIn } from './cdk';
export type { LogShipping, ShippingFigures } from './log-shipping';
export { startLogShipping } from './log-shipping';
export { deployedStageCommands, REHEARSAL_ENV } from './recipe';

/**
 * The AWS path rehearsed without an AWS account: moto (PyPI) stands in for CloudFormation, IAM,
 * STS, S3, DynamoDB and CloudWatch Logs; the real CDK CLI bootstraps and deploys the synthesized
 * stack into it (the adjustments moto needs made in a copy of the assembly, rehearsal/adjustments.ts);
 * the harness's aws steps then run unchanged against it, the local stage serving the stage URL.
 */

/** What the rehearsal proves, and what only AWS can: said in every rehearsal's report. */
export const REHEARSAL_PROVES = [
  'the stack synthesizes, bootstraps and deploys with the real CDK CLI (assets published to S3, CloudFormation creates every resource but the stage, outputs evaluated) and is destroyed with it',
  "the harness's aws path runs as on AWS: STS credentials check, DescribeStacks outputs, seeding the stack's table, newman, k6 and the fuzz at the stage URL's stand-in, the log check through FilterLogEvents with its ingestion wait, the baseline and the report",
  "the shipped bundle (the deployed asset) serves every route on the stack's own DynamoDB table, under the deployed template's IAM policies (a missing grant is an AccessDeniedException naming action and resource)",
  "the function's Lambda-format log lines reach CloudWatch Logs in PutLogEvents batches and are read back whole",
] as const;

export const ONLY_AWS_PROVES = [
  'API Gateway: its routing and answers, its throttling (200 requests/s, burst 400), the stage settings, access and execution logs (the local stage emulates the answers)',
  'Lambda: the runtime itself, cold starts, memory and timeouts as measured there, on arm64 (the local stage runs the bundle on this machine and its architecture)',
  "IAM: real policy evaluation (moto enforces none; the stage's gateway evaluates the deployed template's policies with a simulator), and the deploy role's own permissions",
  'CloudWatch Logs: ingestion lag and quotas (moto stores what it is sent at once)',
  "DynamoDB: capacity, throttling and latency (moto's answers from memory)",
  'the account: service quotas, the CDK bootstrap version and its roles, cost',
] as const;

/** The keys every client sends to moto (it accepts any; these never leave the machine). */
export const STAND_IN_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The moto the rehearsal runs (pinned in tools/cache.ts). */
export const MOTO_VERSION = TOOL_VERSIONS.moto;

export interface RunningStandIn {
  standIn: AwsStandIn;
  motoVersion: string;
  stop(): Promise<void>;
}

/** moto's server (provisioned into the tool cache as tools/moto.ts does) on a free loopback port. */
export async function startAwsStandIn(region: string): Promise<RunningStandIn> {
  const moto = await startMotoServer();
  const standIn = { endpoint: moto.endpoint, region, credentials: { ...STAND_IN_CREDENTIALS } };
  return { standIn, motoVersion: MOTO_VERSION, stop: () => moto.stop() };
}

/** A stack the rehearsal deployed: what the report says about it, and what destroying it needs. */
export interface RehearsalDeployment {
  stackName: string;
  /** The synthesized assembly and its adjusted copy (the one deployed), in the run's report folder. */
  synthesizedDir: string;
  assembly: AdjustedAssembly;
  cdkLog: string;
  adjustments: { id: string; does: string; why: string; changed: string[] }[];
}

/** The function behind the REST API, as the local stage finds it in the template (its code is what the stage runs). */
function apiFunctionId(templatePath: string): string {
  return readStageTemplate(templatePath, { region: 'us-east-1', accountId: '0' }).function.logicalId;
}

/** `npm run deploy`'s options for the rehearsal's environment (its outputs file in `workDir`). */
function rehearsalDeployOptions(workDir: string): DeployOptions {
  const flags = deployedStageCommands(REHEARSAL_ENV).deploy;
  const deploy = parseDeployArgs(['deploy', ...flags, '--outputs', join(workDir, 'cdk-outputs.json')]);
  if (!deploy) throw new Error('the rehearsal deploy flags asked for help');
  return deploy;
}

export interface RehearsalCdk {
  standIn: AwsStandIn;
  workDir: string;
  onLine?: (line: string) => void;
  /** Adjustments left out by id (to see whether a moto upgrade still needs one). */
  without?: readonly string[];
}

function cdkRun(options: RehearsalCdk): CdkRun {
  mkdirSync(options.workDir, { recursive: true });
  return {
    standIn: options.standIn,
    logFile: join(options.workDir, 'cdk.log'),
    ...(options.onLine ? { onLine: options.onLine } : {}),
    without: new Set(options.without ?? []),
  };
}

/** `cdk synth` of the rehearsal's stack with `npm run deploy`'s context, into `workDir/cdk.out`. */
export async function synthesizeRehearsal(options: RehearsalCdk): Promise<string> {
  const { stackName } = stackNames(REHEARSAL_ENV);
  const dir = join(options.workDir, 'cdk.out');
  options.onLine?.(`cdk synth ${stackName}`);
  await synth(rehearsalDeployOptions(options.workDir), stackName, dir, cdkRun(options));
  return dir;
}

/** The adjusted copy of a synthesized assembly, in `to`; `alsoAdjust`: a test's own, after moto's. */
export function assemblyForMoto(
  synthesizedDir: string,
  to: string,
  options: { without?: readonly string[]; alsoAdjust?: readonly TemplateAdjustment[] } = {},
): AdjustedAssembly {
  const without = new Set(options.without ?? []);
  return adjustAssembly({
    from: synthesizedDir,
    to,
    stackName: stackNames(REHEARSAL_ENV).stackName,
    functionId: apiFunctionId,
    adjustments: [
      ...TEMPLATE_ADJUSTMENTS.filter((adjustment) => !without.has(adjustment.id)),
      ...(options.alsoAdjust ?? []),
    ],
  });
}

/** `cdk bootstrap` of moto's account and region, then `npm run deploy`'s command line on the assembly. */
export async function deployAssembly(
  assembly: AdjustedAssembly,
  options: RehearsalCdk & { account: string; bootstrap?: boolean },
): Promise<void> {
  const run = cdkRun(options);
  if (options.bootstrap !== false) {
    options.onLine?.(`cdk bootstrap aws://${options.account}/${options.standIn.region}`);
    await bootstrap(assembly.dir, options.account, run);
  }
  options.onLine?.(`cdk deploy ${stackNames(REHEARSAL_ENV).stackName}`);
  await deployStack(rehearsalDeployOptions(options.workDir), assembly.dir, run);
}

/**
 * `npm run deploy -- --env rehearsal --destroy-on-removal --yes` against moto: synth into
 * `workDir/cdk.out`, the adjusted copy in `workDir/cdk.out.moto`, `cdk bootstrap`, `cdk deploy`.
 */
export type DeployRehearsalOptions = RehearsalCdk & {
  account: string;
  /** Template adjustments of a test's own, made after moto's (a role's grant taken away). */
  alsoAdjust?: readonly TemplateAdjustment[];
};

export async function deployRehearsal(options: DeployRehearsalOptions): Promise<RehearsalDeployment> {
  const synthesizedDir = await synthesizeRehearsal(options);
  const assembly = assemblyForMoto(synthesizedDir, join(options.workDir, 'cdk.out.moto'), options);
  await deployAssembly(assembly, options);
  const without = new Set(options.without ?? []);
  const changed = new Map(assembly.applied.map((applied) => [applied.id, applied.changed]));
  const adjustments = MOTO_ADJUSTMENTS.filter(({ id }) => !without.has(id)).map(({ id, does, why }) => ({
    id,
    does,
    why,
    changed: changed.get(id) ?? [],
  }));
  return {
    stackName: stackNames(REHEARSAL_ENV).stackName,
    synthesizedDir,
    assembly,
    cdkLog: cdkRun(options).logFile,
    adjustments,
  };
}

async function stackIsGone(standIn: AwsStandIn, stackName: string): Promise<boolean> {
  const client = new CloudFormationClient(standIn);
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return answer.Stacks?.every((stack) => stack.StackStatus === 'DELETE_COMPLETE') ?? true;
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) return true;
    throw error;
  } finally {
    client.destroy();
  }
}

async function tableIsGone(standIn: AwsStandIn, tableName: string): Promise<boolean> {
  const client = new DynamoDBClient(standIn);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return true;
    throw error;
  } finally {
    client.destroy();
  }
}

/** `npm run destroy`'s command line against moto, then proof that the stack and its table are gone. */
export async function destroyRehearsal(
  deployment: RehearsalDeployment,
  options: RehearsalCdk,
): Promise<string> {
  const destroy = parseDeployArgs(['destroy', ...deployedStageCommands(REHEARSAL_ENV).destroy]);
  if (!destroy) throw new Error('the rehearsal destroy flags asked for help');
  options.onLine?.(`cdk destroy ${deployment.stackName}`);
  await destroyStack(destroy, deployment.assembly.dir, cdkRun(options));
  const { tableName } = stackNames(REHEARSAL_ENV);
  if (!(await stackIsGone(options.standIn, deployment.stackName))) {
    throw new CannotRunError(`cdk destroy returned, but moto still has the stack ${deployment.stackName}`);
  }
  if (!(await tableIsGone(options.standIn, tableName))) {
    throw new CannotRunError(
      `the stack is gone, but its table ${tableName} is still in moto (not DESTROY on removal?)`,
    );
  }
  return `${deployment.stackName} and its table ${tableName} are gone from moto`;
}
