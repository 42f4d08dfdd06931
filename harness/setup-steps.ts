import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Step } from '../common/progress';
import { BASE_STACK_NAME } from '../infra/names';
import { plural } from './format';
import { parts } from './parts';
import type { RunContext } from './run-context';
import { stepLabel } from './step-table';
import type { StepOutcome } from './steps';

/** The setup steps of a run: what must hold before the checks can judge anything. */

export async function provisionTools(_run: RunContext, progress: Step): Promise<StepOutcome<string>> {
  const { ensureK6 } = parts.k6();
  progress.update('k6');
  const k6 = await ensureK6({ quiet: true });
  return { value: k6, detail: `k6 ${k6}` };
}

export async function checkCredentials({ options }: RunContext): Promise<StepOutcome<unknown>> {
  const { STSClient } = parts.sts();
  const { checkAwsCredentials } = parts.aws();
  // STS answers in every region; the client only insists on having one.
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client = new STSClient({ region });
  try {
    const identity = await checkAwsCredentials(client);
    return { value: identity, detail: `${identity.arn} (access key …${identity.accessKeyId.slice(-4)})` };
  } finally {
    client.destroy();
  }
}

interface FoundOutputs {
  outputs: { stackName: string; apiUrl: string; tableName: string; logGroupName: string };
  region: string;
  detail: string;
  /** A usable stack that is not the version last deployed (its last operation rolled back). */
  warning?: string;
}

async function findStackOutputs({ options }: RunContext): Promise<FoundOutputs> {
  const { describeStackOutputs, resolveRegion } = parts.aws();
  const fromFile = options.outputsFile
    ? parts.infraOutputs().readStackOutputs(options.outputsFile, options.stackName)
    : undefined;
  // The region is configuration (flag, AWS_REGION, profile), never a guess from the URL: a custom
  // domain hides it, and the table and log group live in the stack's region whatever the URL says.
  const region = await resolveRegion(options.region);
  if (fromFile) {
    const detail = `${fromFile.stackName} from ${options.outputsFile}: ${fromFile.apiUrl}`;
    return { outputs: fromFile, region, detail };
  }
  const { CloudFormationClient } = parts.cloudFormation();
  const stackName = options.stackName ?? BASE_STACK_NAME;
  const client = new CloudFormationClient({ region });
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

export async function readStackOutputs(run: RunContext): Promise<StepOutcome<unknown>> {
  const { outputs, region, detail, warning } = await findStackOutputs(run);
  if (warning) run.warnings.push(`stack: ${warning}`);
  run.environment.region = region;
  Object.assign(run.environment, {
    baseUrl: outputs.apiUrl,
    stackName: outputs.stackName,
    tableName: outputs.tableName,
    logGroupName: outputs.logGroupName,
  });
  return { value: outputs, detail };
}

/** aws with --seed: empties the stack's table and loads the 20 seed pets. */
export async function seedStackTable(
  { environment }: RunContext,
  progress: Step,
): Promise<StepOutcome<unknown>> {
  const summary = await parts.seed().seedTable({
    region: environment.region,
    tableName: environment.tableName,
    reset: true,
    onProgress: (done, total) => progress.update(`${done}/${total} pets`),
  });
  return {
    value: summary,
    detail: `${plural(summary.written, 'pet')} into ${summary.tableName} (${summary.target})`,
  };
}

/**
 * The local start, through the one `startLocalApi` the tests and `npm run stage` use: each of its
 * phases (DynamoDB, seed, bundle, stage) runs as a step of its own.
 */
export async function startLocalApiSteps(run: RunContext): Promise<void> {
  const { options, environment } = run;
  // One log store per run, inside the run's report folder: the log check reads this run's stage
  // only (even while another stage writes the default store), and the function's logs travel with
  // the report (a CI artifact).
  const logDir = join(options.reportsDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const api = await parts.localApi().startLocalApi({
    port: options.port,
    logDir,
    // An endpoint the user runs (DYNAMODB_ENDPOINT) may hold their own `pets` table: the run resets
    // and seeds a table of its own there instead.
    tableName: (dynamoDb) => {
      const tableName = dynamoDb.kind === 'endpoint' ? `pets-harness-${options.runId}` : 'pets';
      Object.assign(environment, {
        dynamoDbKind: dynamoDb.kind,
        dynamoDbEndpoint: dynamoDb.endpoint,
        tableName,
      });
      return tableName;
    },
    phase: (id, work) =>
      run.steps.run(id, stepLabel(id, options), { check: false }, (progress) =>
        work((line) => progress.update(line)),
      ),
  });
  run.own('the local API', () => api.stop());
  run.consumedCapacity = () => api.stage.consumedCapacity();
  Object.assign(environment, {
    baseUrl: api.url,
    logGroupName: api.logGroupName,
    logDir: api.logDir,
    template: relative(process.cwd(), api.stage.templatePath) || api.stage.templatePath,
    functionNodeVersion: api.stage.runtimeNode.version,
  });
  run.warnings.push(
    ...api.stage.notes.map((note) => `stage: ${note}`),
    ...api.stage.findings.map((finding) => `configuration: ${finding}`),
  );
}
