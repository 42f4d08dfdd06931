import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { CannotRunError } from '../common/cli';
import { parseStackOutputs, type StackOutputs } from '../infra/outputs';

/**
 * What `--target aws` needs before it sends a request: credentials, a region, and the deployed
 * stack's outputs. The outputs file (`cdk deploy --outputs-file`) is read by infra/outputs.ts;
 * DescribeStacks answers go through the same parser, so both ways check the same outputs.
 */

const HOW_TO_CONFIGURE_CREDENTIALS = [
  'Configure AWS credentials, any of:',
  '  • aws configure (or aws sso login --profile NAME, then AWS_PROFILE=NAME)',
  '  • AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) in the environment',
  '  • in GitHub Actions: aws-actions/configure-aws-credentials with role-to-assume (OIDC); see .github/workflows/deployed-stage.yml',
  'Or run against the local stand-ins instead: npm start (--target local).',
].join('\n');

/**
 * What each CloudFormation stack status means for a run against the stack, every status of the
 * SDK's enum decided once (the type makes a new one a compile error). From AWS's "Stack status
 * codes" (CloudFormation User Guide) and the RollbackStack API reference: a stack can be tested
 * when it rests in a working state; a rollback that completed leaves the version before the failed
 * operation in place (usable, said in the report); an operation in progress may be waited for only
 * when it ends in a working state by itself.
 */
export interface StackState {
  usable: true | false | 'with-warning';
  /** What the status says about the stack, for people. */
  meaning: string;
  /** What to do when it is not usable. */
  advice: string;
}

const WAIT = 'wait until CloudFormation finishes, then run again';
const REDEPLOY = 'delete it (npm run destroy) and deploy again (npm run deploy)';
const working = (meaning: string): StackState => ({ usable: true, meaning, advice: '' });

export const STACK_STATES: Record<StackStatus, StackState> = {
  CREATE_COMPLETE: working('created'),
  UPDATE_COMPLETE: working('updated'),
  IMPORT_COMPLETE: working('resources imported'),
  UPDATE_ROLLBACK_COMPLETE: {
    usable: 'with-warning',
    meaning: 'its last update failed and was rolled back: the API is the version before that update',
    advice: '',
  },
  IMPORT_ROLLBACK_COMPLETE: {
    usable: 'with-warning',
    meaning: 'its last import failed and was rolled back: the API is the version before that import',
    advice: '',
  },
  CREATE_IN_PROGRESS: { usable: false, meaning: 'still being created', advice: WAIT },
  UPDATE_IN_PROGRESS: { usable: false, meaning: 'being updated', advice: WAIT },
  IMPORT_IN_PROGRESS: { usable: false, meaning: 'importing resources', advice: WAIT },
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: {
    usable: false,
    meaning: 'updated; CloudFormation is still removing the resources the update replaced',
    advice: WAIT,
  },
  UPDATE_ROLLBACK_IN_PROGRESS: {
    usable: false,
    meaning: 'an update failed and is being rolled back to the version before it',
    advice: `${WAIT} (it will test the version before the failed update), or fix the failure and deploy again`,
  },
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: {
    usable: false,
    meaning: 'rolled back after a failed update; CloudFormation is still removing what the update created',
    advice: WAIT,
  },
  IMPORT_ROLLBACK_IN_PROGRESS: {
    usable: false,
    meaning: 'an import failed and is being rolled back',
    advice: `${WAIT}, or fix the failure and deploy again`,
  },
  REVIEW_IN_PROGRESS: {
    usable: false,
    meaning:
      'a change set was created for it but never executed, so it has no resources yet (this status never ends by itself)',
    advice:
      'execute or delete the change set (aws cloudformation execute-change-set / delete-stack), or deploy with npm run deploy',
  },
  CREATE_FAILED: {
    usable: false,
    meaning: 'its creation failed (rollback was disabled), so its resources are partial',
    advice: REDEPLOY,
  },
  ROLLBACK_IN_PROGRESS: {
    usable: false,
    meaning: 'its creation failed and the resources it made are being removed',
    advice: `fix the failure (its events say which resource), then ${REDEPLOY}`,
  },
  ROLLBACK_COMPLETE: {
    usable: false,
    meaning: 'its creation failed and was rolled back: it has no working resources',
    advice: REDEPLOY,
  },
  ROLLBACK_FAILED: {
    usable: false,
    meaning: 'its creation failed and so did the rollback: some resources remain',
    advice: REDEPLOY,
  },
  UPDATE_FAILED: {
    usable: false,
    meaning: 'an update failed with rollback disabled: its resources are part old, part new',
    advice: 'deploy again, or roll it back (aws cloudformation rollback-stack), then run again',
  },
  UPDATE_ROLLBACK_FAILED: {
    usable: false,
    meaning: 'an update failed and so did the rollback: its resources are in an unknown mix of versions',
    advice:
      'fix what blocked the rollback and run aws cloudformation continue-update-rollback, then deploy again',
  },
  IMPORT_ROLLBACK_FAILED: {
    usable: false,
    meaning: 'an import failed and so did the rollback: its resources are in an unknown mix of versions',
    advice: 'fix what blocked the rollback (its events say which resource), then deploy again',
  },
  DELETE_IN_PROGRESS: {
    usable: false,
    meaning: 'being deleted',
    advice: 'deploy it again once the deletion has finished',
  },
  DELETE_FAILED: {
    usable: false,
    meaning: 'its deletion failed: some resources remain',
    advice: 'delete it again (npm run destroy), then deploy',
  },
  DELETE_COMPLETE: { usable: false, meaning: 'deleted', advice: 'deploy it again (npm run deploy)' },
};

/**
 * The stack's outputs from CloudFormation DescribeStacks; a stack whose status is not a working
 * state is refused with what the status means and what to do. A working state after a rollback
 * comes back with a `warning` for the report.
 */
export async function describeStackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<StackOutputs & { warning?: string }> {
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
  const status = (stack.StackStatus ?? '') as StackStatus;
  const state = STACK_STATES[status] as StackState | undefined;
  if (!state) {
    throw new CannotRunError(`stack '${stackName}' is in a status this harness does not know: '${status}'`);
  }
  if (state.usable === false) {
    throw new CannotRunError(`stack '${stackName}' is ${status}: ${state.meaning}; ${state.advice}`);
  }
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  const name = stack.StackName ?? stackName;
  const parsed = parseStackOutputs({ [name]: outputs }, name, `DescribeStacks ${name}`);
  return state.usable === 'with-warning'
    ? { ...parsed, warning: `stack '${name}' is ${status}: ${state.meaning}` }
    : parsed;
}

/** The region: the flag, then AWS_REGION / AWS_DEFAULT_REGION, then the SDK's config (profile). */
export async function resolveRegion(flag: string | undefined, given?: CloudFormationClient): Promise<string> {
  if (flag) return flag;
  const fromEnv = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const client = given ?? new CloudFormationClient({});
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // no region configured anywhere: said below
  } finally {
    if (!given) client.destroy();
  }
  throw new CannotRunError(
    'No AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set region in your AWS profile.',
  );
}

/** Who the credentials belong to, as STS says. */
export interface CallerIdentity {
  account: string;
  arn: string;
  accessKeyId: string;
}

/** STS errors that mean the keys themselves are wrong or stale, each with what to do. */
const REJECTED_KEYS: Record<string, string> = {
  InvalidClientTokenId: 'the access key id is not known to AWS (a deleted or mistyped key)',
  SignatureDoesNotMatch: 'the secret access key does not match the access key id',
  ExpiredToken: 'the session has expired: log in again (aws sso login, or renew the role session)',
  ExpiredTokenException: 'the session has expired: log in again (aws sso login, or renew the role session)',
  UnrecognizedClientException: 'the security token is not valid',
  AccessDenied: 'the credentials may not call sts:GetCallerIdentity (an explicit deny in a policy)',
};

/**
 * Resolves credentials through the SDK's default provider chain (env, SSO, shared files, web
 * identity, container and instance metadata) and asks STS whose they are (GetCallerIdentity needs
 * no permission), so missing, wrong or expired keys are exit 2 with the fix before anything else
 * starts, rather than a failure at the end of the run.
 */
export async function checkAwsCredentials(client: STSClient): Promise<CallerIdentity> {
  let accessKeyId: string;
  try {
    const credentials = await client.config.credentials();
    if (!credentials.accessKeyId) throw new Error('the provider chain returned an empty access key');
    accessKeyId = credentials.accessKeyId;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CannotRunError(
      `No AWS credentials for --target aws (${reason}).\n${HOW_TO_CONFIGURE_CREDENTIALS}`,
    );
  }
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account ?? '', arn: identity.Arn ?? '', accessKeyId };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const why = REJECTED_KEYS[name];
    if (why) {
      throw new CannotRunError(
        `AWS rejected the credentials (access key …${accessKeyId.slice(-4)}): ${name}: ${why}.\n${HOW_TO_CONFIGURE_CREDENTIALS}`,
      );
    }
    throw new CannotRunError(
      `STS GetCallerIdentity failed (${name}: ${message}): check the network path to AWS (proxy, firewall, region).`,
    );
  }
}
