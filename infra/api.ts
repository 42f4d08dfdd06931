import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { corsSettings, operations, resources } from '../contract/spec';
import { functionSettings } from '../definitions/function';
import type { StackNames } from './names';
import { retentionDays } from './retention';

/** Stage throttling: steady requests per second and burst, well under the account's defaults. */
const THROTTLING = { rateLimit: 200, burstLimit: 400 } as const;

/**
 * One JSON object per request. REST API access logs can only use `$context` variables, so the
 * caller's `x-correlation-id` header is not available here; `requestId` is the same id the
 * function receives as `requestContext.requestId`, which joins an access line to the handler's.
 */
function accessLogFields(): Record<string, string> {
  return {
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    ip: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
    method: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    path: AccessLogField.contextPath(),
    status: AccessLogField.contextStatus(),
    protocol: AccessLogField.contextProtocol(),
    responseLength: AccessLogField.contextResponseLength(),
    latency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    errorMessage: AccessLogField.contextErrorMessage(),
    errorType: AccessLogField.contextErrorResponseType(),
  };
}

export interface PetsApi {
  api: RestApi;
  accessLogGroup: LogGroup;
  /** `https://<id>.execute-api.<region>.<suffix>/<stage>`, without a trailing slash. */
  stageUrl: string;
}

/**
 * The REST API: one resource per spec path, one AWS_PROXY method per spec operation, a MOCK
 * OPTIONS preflight per resource as the spec's `x-cors` says; nothing hand-listed.
 */
export function addPetsApi(
  scope: Construct,
  props: { function: IFunction; names: StackNames; removalPolicy: RemovalPolicy },
): PetsApi {
  const { names, removalPolicy } = props;
  const retention = retentionDays(functionSettings().logRetentionDays);
  const accessLogGroup = new LogGroup(scope, 'AccessLogGroup', {
    logGroupName: names.accessLogGroupName,
    retention,
    removalPolicy,
  });

  const api = new RestApi(scope, 'Api', {
    restApiName: names.apiName,
    description: 'Pets API (routes from contract/openapi.yaml)',
    endpointTypes: [EndpointType.REGIONAL],
    // Access and execution logs need the account-level CloudWatch role; RETAIN (the CDK default)
    // because it is one setting per account and region that other stacks may rely on.
    cloudWatchRole: true,
    deployOptions: {
      stageName: names.stageName,
      throttlingRateLimit: THROTTLING.rateLimit,
      throttlingBurstLimit: THROTTLING.burstLimit,
      accessLogDestination: new LogGroupLogDestination(accessLogGroup),
      accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogFields())),
      // Execution logs for errors only, never request/response bodies (they hold pet data).
      loggingLevel: MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: false,
    },
  });
  // RestApi adds its own `Endpoint` output; the stack's outputs are exactly the four the harness reads.
  api.node.tryRemoveChild('Endpoint');

  // API Gateway would create the execution log group itself, unmanaged and never expiring; the
  // stack creates it first (the stage depends on it) so it has a retention and goes with the stack.
  const executionLogGroup = new LogGroup(scope, 'ExecutionLogGroup', {
    logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/${names.stageName}`,
    retention,
    removalPolicy,
  });
  api.deploymentStage.node.addDependency(executionLogGroup);

  // One permission per method, scoped to that method's ARN; no console test-invoke permissions.
  const integration = new LambdaIntegration(props.function, { proxy: true, allowTestInvoke: false });
  const cors = corsSettings();
  for (const operation of operations()) {
    const resource = api.root.resourceForPath(operation.resource);
    resource.addMethod(operation.method, integration, { operationName: operation.operationId });
  }
  for (const path of resources()) {
    api.root.resourceForPath(path).addCorsPreflight({
      allowOrigins: cors.allowOrigins,
      allowMethods: cors.allowMethods,
      allowHeaders: cors.allowHeaders,
      exposeHeaders: cors.exposeHeaders,
      maxAge: Duration.seconds(cors.maxAgeSeconds),
    });
  }

  const stack = Stack.of(scope);
  const stageUrl = `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${api.deploymentStage.stageName}`;
  return { api, accessLogGroup, stageUrl };
}
