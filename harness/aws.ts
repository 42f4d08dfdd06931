import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import type { AwsCredentialIdentity } from '@smithy/types';
import { CannotRunError } from '../common/cli';
import { parseStackOutputs, type StackOutputs } from '../infra/outputs';

/**
 * What `--target aws` needs before it sends a request: credentials, a region, and the deployed
 * stack's outputs. The outputs file (`cdk deploy --outputs-file`) is read by infra/outputs.ts;
 * DescribeStacks answers go through the same parser, so both ways check the same outputs.
 */

export const HOW_TO_CONFIGURE_CREDENTIALS = [
  'Configure AWS credentials, any of:',
  '  • aws configure (or aws sso login --profile NAME, then AWS_PROFILE=NAME)',
  '  • AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment',
  '  • in GitHub Actions: aws-actions/configure-aws-credentials with role-to-assume (OIDC); see .github/workflows/deployed-stage.yml',
  'Or run against the local stand-ins instead: npm start (--target local).',
].join('\n');

/** The stack's outputs from CloudFormation DescribeStacks. */
export async function describeStackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<StackOutputs> {
  let response: DescribeStacksCommandOutput;
  try {
    response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist/i.test(message)) {
      throw new CannotRunError(
        `CloudFormation stack '${stackName}' does not exist in this account and region. Deploy it first (npm run deploy) or pass --stack-name/--region.`,
      );
    }
    throw new CannotRunError(`CloudFormation DescribeStacks for '${stackName}' failed: ${message}`);
  }
  const stack = response.Stacks?.[0];
  if (!stack) throw new CannotRunError(`CloudFormation returned no stack named '${stackName}'`);
  const status = stack.StackStatus ?? '';
  if (status.endsWith('_IN_PROGRESS')) {
    throw new CannotRunError(
      `stack '${stackName}' is ${status}; wait until the deployment finishes, then run again`,
    );
  }
  if (/^(ROLLBACK_COMPLETE|ROLLBACK_FAILED|CREATE_FAILED|DELETE_COMPLETE|DELETE_FAILED)$/.test(status)) {
    throw new CannotRunError(`stack '${stackName}' is ${status}: it has no working API; deploy it again`);
  }
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  const name = stack.StackName ?? stackName;
  return parseStackOutputs({ [name]: outputs }, name, `DescribeStacks ${name}`);
}

/** The region: the flag, then AWS_REGION / AWS_DEFAULT_REGION, then the SDK's config (profile). */
export async function resolveRegion(
  flag: string | undefined,
  client = new CloudFormationClient({}),
): Promise<string> {
  if (flag) return flag;
  const fromEnv = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // no region configured anywhere: said below
  }
  throw new CannotRunError(
    'No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set region in your AWS profile.',
  );
}

/**
 * Resolves credentials through the SDK's default provider chain (env, SSO, shared files, web
 * identity, container and instance metadata) before anything is sent, so a missing login is exit 2
 * with the fix rather than a failure halfway through the run.
 */
export async function checkAwsCredentials(client: CloudFormationClient): Promise<AwsCredentialIdentity> {
  try {
    const credentials = await client.config.credentials();
    if (!credentials.accessKeyId) throw new Error('the provider chain returned an empty access key');
    return credentials;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CannotRunError(
      `No AWS credentials for --target aws (${reason}).\n${HOW_TO_CONFIGURE_CREDENTIALS}`,
    );
  }
}
