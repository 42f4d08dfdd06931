/**
 * The `Pets` function's settings, read by the CDK stack and by the local stage, so the function
 * that runs on one machine is configured like the one that is deployed.
 */
export interface FunctionSettings {
  functionName: string;
  /** Lambda runtime identifier. */
  runtime: 'nodejs22.x';
  architecture: 'arm64' | 'x86_64';
  memorySizeMb: number;
  timeoutSeconds: number;
  /** Handler entry, `<file>.<export>`, inside the bundle directory. */
  handler: string;
  /** The prebuilt bundle directory, relative to the project root. */
  bundleDir: string;
  logGroupName: string;
  logRetentionDays: number;
  /** The function's environment variables, the same in every deployment (TABLE_NAME is added per table). */
  variables: Record<string, string>;
}

export const DEFAULT_FUNCTION_NAME = 'Pets';

export function functionSettings(functionName = DEFAULT_FUNCTION_NAME): FunctionSettings {
  return {
    functionName,
    runtime: 'nodejs22.x',
    architecture: 'arm64',
    memorySizeMb: 256,
    timeoutSeconds: 10,
    handler: 'index.handler',
    bundleDir: 'dist/handler',
    logGroupName: `/aws/lambda/${functionName}`,
    logRetentionDays: 30,
    variables: {
      POWERTOOLS_SERVICE_NAME: 'pets',
      LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    },
  };
}

/**
 * The environment variables Lambda's runtime adds to the function's own in every on-demand
 * execution environment (credentials and region aside): the local stage sets these, and so does
 * `npm run bench:cold`, so the function sees what it sees in Lambda.
 */
export function lambdaRuntimeVariables(
  settings: Pick<FunctionSettings, 'functionName' | 'memorySizeMb' | 'logGroupName' | 'handler'> & {
    runtime: string;
  },
  taskRoot: string,
): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: settings.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: settings.logGroupName,
    // Lambda sets this for on-demand environments; Powertools reads it to report `cold_start`.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${settings.runtime}`,
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: settings.handler,
  };
}

/**
 * Variables the handler reads only to reach local stand-ins (dynalite, in a container or in process): never set
 * on AWS, so the stage does not report them missing from the template.
 */
export const LOCAL_ONLY_VARIABLES = ['DYNAMODB_ENDPOINT'] as const;

/**
 * What Lambda's runtime sets in every environment beside the function's own variables
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * and the prefixes of the rest it may set.
 */
export const LAMBDA_RUNTIME_VARIABLES = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'LANG',
  'PATH',
  'LD_LIBRARY_PATH',
  'NODE_PATH',
  'TZ',
] as const;
export const LAMBDA_RUNTIME_PREFIXES = ['AWS_LAMBDA_', 'AWS_XRAY_'] as const;

/** The variables that hold the function's credentials: their values never belong in a log. */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_ACCESS_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
] as const;
