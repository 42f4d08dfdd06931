import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BASE_STACK_NAME } from '../infra/names';
import type { RunningStage } from '../local/stage/index';
import { plural } from './format';
import { awsClientConfig, found, type RunContext, type SetupFacts, type SetupWork } from './run-context';

/**
 * The setup steps of a run: what must hold before the checks can judge anything. Each returns the
 * facts it found (harness/run-context.ts SetupFacts); none writes into the run.
 */

export const provisionTools: SetupWork = async ({ parts }, _found, progress) => {
  progress.update('k6');
  const k6 = await parts.k6().ensureK6({ quiet: true });
  return { value: {}, detail: `k6 ${k6}` };
};

export const checkCredentials: SetupWork = async ({ options, parts }, facts) => {
  const { STSClient } = parts.sts();
  // STS answers in every region; the client only insists on having one.
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client = new STSClient(awsClientConfig(facts, region));
  try {
    const identity = await parts.aws().checkAwsCredentials(client);
    return {
      value: { account: identity.account },
      detail: `${identity.arn} (access key …${identity.accessKeyId.slice(-4)})`,
    };
  } finally {
    client.destroy();
  }
};

interface FoundOutputs {
  outputs: { stackName: string; apiUrl: string; tableName: string; logGroupName: string };
  region: string;
  detail: string;
  /** A usable stack that is not the version last deployed (its last operation rolled back). */
  warning?: string;
}

async function findStackOutputs(
  { options, parts }: RunContext,
  facts: Readonly<SetupFacts>,
): Promise<FoundOutputs> {
  const { describeStackOutputs, resolveRegion } = parts.aws();
  const fromFile = options.outputsFile
    ? parts.infraOutputs().readStackOutputs(options.outputsFile, options.stackName)
    : undefined;
  // The region is configuration (flag, AWS_REGION, profile; the stand-in's in the rehearsal), never
  // a guess from the URL: a custom domain hides it, and the table and log group live in the
  // stack's region whatever the URL says.
  const region = facts.standIn?.region ?? (await resolveRegion(options.region));
  if (fromFile) {
    const detail = `${fromFile.stackName} from ${options.outputsFile}: ${fromFile.apiUrl}`;
    return { outputs: fromFile, region, detail };
  }
  const { CloudFormationClient } = parts.cloudFormation();
  const stackName = options.stackName ?? BASE_STACK_NAME;
  const client = new CloudFormationClient(awsClientConfig(facts, region));
  try {
    const outputs = await describeStackOutputs(client, stackName);
    return {
      outputs,
      region,
      detail: `${outputs.stackName} (DescribeStacks in ${region}): ${outputs.apiUrl}`,
      ...(outputs.warning ? { warning: outputs.warning } : {}),
    };
  } finally {
    client.destroy();
  }
}

export const readStackOutputs: SetupWork = async (run, facts) => {
  const { outputs, region, detail, warning } = await findStackOutputs(run, facts);
  if (warning) run.warnings.push(`stack: ${warning}`);
  const stack: SetupFacts = {
    baseUrl: outputs.apiUrl,
    stackName: outputs.stackName,
    tableName: outputs.tableName,
    logGroupName: outputs.logGroupName,
    region,
  };
  return { value: stack, detail };
};

/** aws with --seed (the rehearsal always): empties the stack's table and loads the 20 seed pets. */
export const seedStackTable: SetupWork = async ({ parts }, { region, tableName, standIn }, progress) => {
  const summary = await parts.seed().seedTable({
    region,
    ...(standIn ? { endpoint: standIn.endpoint } : {}),
    tableName,
    reset: true,
    onProgress: (done, total) => progress.update(`${done}/${total} pets`),
  });
  return {
    value: {},
    detail: `${plural(summary.written, 'pet')} into ${summary.tableName} (${summary.target})`,
  };
};

/**
 * The local start, one phase per step, through the same phase functions `startLocalApi` runs for
 * `npm run stage` and the tests (local/index.ts). What each starts is the run's to stop.
 */

export const startLocalDynamoDb: SetupWork = async (run, _found, progress) => {
  const phase = await run.parts
    .localApi()
    .startDynamoDbPhase(run.own, (line) => progress.update(line), run.options.dynamoDbImage);
  const { kind, endpoint, image } = phase.value;
  // An endpoint the user runs (DYNAMODB_ENDPOINT) may hold their own `pets` table: the run resets
  // and seeds a table of its own there instead.
  const tableName = kind === 'endpoint' ? `pets-harness-${run.options.runId}` : 'pets';
  return { value: { dynamoDb: { kind, endpoint, image }, tableName }, detail: phase.detail };
};

export const seedLocalTable: SetupWork = async ({ parts }, { dynamoDb, tableName }, progress) => {
  const table = { endpoint: found(dynamoDb, 'DynamoDB').endpoint, tableName: found(tableName, 'table') };
  const { detail } = await parts.localApi().seedPhase(table, (line) => progress.update(line));
  return { value: {}, detail };
};

export const ensureLocalBundle: SetupWork = async ({ parts }) => {
  const { value, detail } = await parts.localApi().bundlePhase();
  return { value: { bundleDir: value.dir }, detail };
};

export const startLocalStage: SetupWork = async (run, { bundleDir, tableName, dynamoDb }, progress) => {
  const { options, parts } = run;
  // One log store per run, inside the run's report folder: the log check reads this run's stage
  // only (even while another stage writes the default store), and the function's logs travel with
  // the report (a CI artifact).
  const logDir = join(options.reportsDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const stageOptions = {
    port: options.port,
    logDir,
    bundleDir: found(bundleDir, 'bundle'),
    tableName: found(tableName, 'table'),
    dynamoDbEndpoint: found(dynamoDb, 'DynamoDB').endpoint,
    // The fault round asks for DynamoDB faults per request (x-harness-fault); nothing else does.
    faultInjection: true,
  };
  const phase = await parts.localApi().stagePhase(stageOptions, run.own, (line) => progress.update(line));
  const stage = phase.value;
  // The template's findings are the configuration step's to judge, not warnings.
  run.warnings.push(...stage.notes.map((note) => `stage: ${note}`));
  return { value: { ...stageFacts(stage), logGroupName: stage.logGroupName }, detail: phase.detail };
};

/** What a running local stage gives the checks: its URL, logs, template and records (local and rehearsal). */
export function stageFacts(stage: RunningStage): SetupFacts {
  return {
    baseUrl: stage.url,
    logDir: stage.logDir,
    template: relative(process.cwd(), stage.templatePath) || stage.templatePath,
    functionNodeVersion: stage.runtimeNode.version,
    consumedCapacity: () => stage.consumedCapacity(),
    accessPatterns: () => stage.accessPatterns(),
    faultInjection: { functionTimeoutSeconds: stage.functionTimeoutSeconds },
    coldStarts: (count) => stage.coldStarts(count),
  };
}
