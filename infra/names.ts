import { API_NAME, DEFAULT_STAGE } from '../definitions/api-gateway';
import { DEFAULT_FUNCTION_NAME } from '../definitions/function';
import { DEFAULT_TABLE_NAME } from '../definitions/table';

/**
 * The stack's name without a deployment name: `PetsStack`, `PetsStack-ci` with `-c env=ci`. A
 * deployment name (CDK context `env`, `npm run deploy -- --env NAME`) suffixes every name of its
 * stack, so stacks share one account.
 */
export const BASE_STACK_NAME = 'PetsStack';

/** Context keys the app reads (`cdk synth -c env=ci -c destroyOnRemoval=true`). */
export const ENV_CONTEXT_KEY = 'env';
export const DESTROY_CONTEXT_KEY = 'destroyOnRemoval';

/** The stack outputs the harness reads from `cdk-outputs.json` for `--target aws`. */
export const OUTPUT_KEYS = ['ApiUrl', 'TableName', 'FunctionName', 'LogGroupName'] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];

// Lower-case letters, digits and dashes: valid in every name it suffixes (stack, table, function,
// log group, REST API) and short enough to keep the function name under Lambda's 64 characters.
const DEPLOYMENT_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

export interface StackNames {
  /** The deployment name that suffixes every name, or undefined for the default (unsuffixed) stack. */
  deployment: string | undefined;
  stackName: string;
  tableName: string;
  functionName: string;
  apiName: string;
  stageName: string;
  accessLogGroupName: string;
}

/** Throws when a deployment name cannot suffix a name; returns it (undefined for none). */
export function validateDeploymentName(deployment: string | undefined): string | undefined {
  if (deployment === undefined || deployment === '') return undefined;
  if (!DEPLOYMENT_PATTERN.test(deployment)) {
    // Said as the flag and the context key say it (`--env`, `-c env`).
    throw new Error(
      `environment name '${deployment}' must be 1–20 lower-case letters, digits or dashes (not at either end), e.g. 'ci' or 'pr-42'`,
    );
  }
  return deployment;
}

/**
 * Every physical name of one deployment's stack. No suffix by default (`pets`, `Pets`,
 * `pets-api`); `-c env=ci` gives `pets-ci`, `Pets-ci`, `pets-api-ci`, so stacks share one account.
 */
export function stackNames(deploymentName?: string): StackNames {
  const deployment = validateDeploymentName(deploymentName);
  const suffix = deployment ? `-${deployment}` : '';
  const apiName = `${API_NAME}${suffix}`;
  return {
    deployment,
    stackName: `${BASE_STACK_NAME}${suffix}`,
    tableName: `${DEFAULT_TABLE_NAME}${suffix}`,
    functionName: `${DEFAULT_FUNCTION_NAME}${suffix}`,
    apiName,
    stageName: DEFAULT_STAGE,
    accessLogGroupName: `/aws/apigateway/${apiName}/${DEFAULT_STAGE}/access`,
  };
}
