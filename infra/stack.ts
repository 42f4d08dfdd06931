import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from '../common/paths';
import { type FunctionSettings, functionSettings } from '../definitions/function';
import { PARTITION_KEY, TYPE_INDEX } from '../definitions/table';
import { addPetsApi } from './api';
import type { OutputKey, StackNames } from './names';
import { retentionDays } from './retention';

/**
 * The DynamoDB actions the handler sends to the table: list (Scan), get, create, delete; and to the
 * type index: list by type (Query). `infra/iam-usage.test.ts` proves these are exactly what the
 * bundle can send, no more and no less.
 */
const TABLE_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
] as const;
const INDEX_ACTIONS = ['dynamodb:Query'] as const;

/** What the function needs to write its own logs; no CreateLogGroup, the stack creates the group. */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

export interface PetsStackProps extends StackProps {
  names: StackNames;
  /** DESTROY the table and log groups with the stack (throwaway stacks); RETAIN otherwise. */
  destroyOnRemoval?: boolean;
  /** The prebuilt handler bundle; defaults to the shared settings' `dist/handler`. */
  bundleDir?: string;
}

const ATTRIBUTE_TYPES = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
} as const;
const RUNTIMES: Record<FunctionSettings['runtime'], Runtime> = { 'nodejs22.x': Runtime.NODEJS_22_X };
const ARCHITECTURES: Record<FunctionSettings['architecture'], Architecture> = {
  arm64: Architecture.ARM_64,
  x86_64: Architecture.X86_64,
};

/** One explicit Allow statement: these actions on this resource, nothing wider. */
function allow(actions: readonly string[], resource: string): PolicyStatement {
  return new PolicyStatement({ effect: Effect.ALLOW, actions: [...actions], resources: [resource] });
}

/** API Gateway -> Lambda `Pets` -> DynamoDB `pets`, with least-privilege IAM and log groups it owns. */
export class PetsStack extends Stack {
  readonly table: Table;
  readonly function: LambdaFunction;
  readonly functionRole: Role;
  readonly functionLogGroup: LogGroup;
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PetsStackProps) {
    super(scope, id, { ...props, stackName: props.names.stackName });
    const { names } = props;
    const removalPolicy = props.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const settings = functionSettings(names.functionName);

    this.table = new Table(this, 'Table', {
      tableName: names.tableName,
      partitionKey: { name: PARTITION_KEY.name, type: ATTRIBUTE_TYPES[PARTITION_KEY.type] },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // A table the stack retains outlives it: no DeleteTable may remove it either. A throwaway
      // stack's table goes with the stack, which deletion protection would refuse.
      deletionProtection: !props.destroyOnRemoval,
      removalPolicy,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TYPE_INDEX.indexName,
      partitionKey: {
        name: TYPE_INDEX.partitionKey.name,
        type: ATTRIBUTE_TYPES[TYPE_INDEX.partitionKey.type],
      },
      sortKey: { name: TYPE_INDEX.sortKey.name, type: ATTRIBUTE_TYPES[TYPE_INDEX.sortKey.type] },
    });

    this.functionLogGroup = new LogGroup(this, 'FunctionLogGroup', {
      logGroupName: settings.logGroupName,
      retention: retentionDays(settings.logRetentionDays),
      removalPolicy,
    });

    this.functionRole = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${names.functionName}: DynamoDB on ${names.tableName} and its index, logs to its own group`,
      // Inline, explicit statements instead of AWSLambdaBasicExecutionRole (which allows logs on `*`).
      inlinePolicies: {
        PetsTable: new PolicyDocument({
          statements: [
            allow(TABLE_ACTIONS, this.table.tableArn),
            allow(INDEX_ACTIONS, `${this.table.tableArn}/index/${TYPE_INDEX.indexName}`),
          ],
        }),
        FunctionLogs: new PolicyDocument({
          statements: [
            // The log group's `Arn` attribute is `arn:…:log-group:<name>:*`: this group's streams only.
            allow(LOG_ACTIONS, this.functionLogGroup.logGroupArn),
          ],
        }),
      },
    });

    this.function = new LambdaFunction(this, 'Function', {
      functionName: settings.functionName,
      description: 'Pets API: list, read, create and delete pets',
      runtime: RUNTIMES[settings.runtime],
      architecture: ARCHITECTURES[settings.architecture],
      memorySize: settings.memorySizeMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      handler: settings.handler,
      code: Code.fromAsset(bundleDirectory(settings, props.bundleDir)),
      role: this.functionRole,
      logGroup: this.functionLogGroup,
      // Text log format (the default) keeps START/END/REPORT lines as the log check reads them;
      // the handler's own lines are already JSON (Powertools).
      environment: { ...settings.variables, TABLE_NAME: this.table.tableName },
    });

    const api = addPetsApi(this, { function: this.function, names, removalPolicy });
    this.api = api.api;
    this.accessLogGroup = api.accessLogGroup;

    const outputs: Record<OutputKey, { value: string; description: string }> = {
      ApiUrl: { value: api.stageUrl, description: 'Stage URL, no trailing slash (like the local stage)' },
      TableName: { value: this.table.tableName, description: 'DynamoDB table' },
      FunctionName: { value: this.function.functionName, description: 'Lambda function' },
      LogGroupName: { value: this.functionLogGroup.logGroupName, description: "The function's log group" },
    };
    for (const [key, output] of Object.entries(outputs)) new CfnOutput(this, key, output);
  }
}

/** The bundle directory, which must hold the handler file: CDK would otherwise deploy an empty zip. */
function bundleDirectory(settings: FunctionSettings, override?: string): string {
  const dir = override ?? join(PROJECT_ROOT, settings.bundleDir);
  const handlerFile = `${settings.handler.slice(0, settings.handler.lastIndexOf('.'))}.js`;
  if (!existsSync(join(dir, handlerFile))) {
    throw new Error(`the handler bundle ${join(dir, handlerFile)} is missing: run 'npm run build' first`);
  }
  return dir;
}
