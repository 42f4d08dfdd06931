import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { ensureBundle } from '../build';
import { indexedRoutes, variablesReadBy } from '../configcheck/index';
import { judgeConfiguration } from '../configcheck/rules';
import { corsSettings, operations, resources } from '../contract/spec';
import { DEFAULT_STAGE } from '../definitions/api-gateway';
import { functionSettings } from '../definitions/function';
import { createTableInput } from '../definitions/table';
import { PROFILES, peakConcurrency } from '../load/lib/config';
import { leastPrivilegeFindings, statementsForRole } from './test/iam-audit';
import {
  disposeApp,
  onlyLogicalId,
  type SynthesizedStack,
  synthPetsApp,
  WITHOUT_CLOUDFORMATION_VALIDATION,
} from './test/synth';

// Synthesizing copies the bundle and runs cdk-nag and CloudFormation validation: seconds, not ms.
const SYNTH_TIMEOUT_MS = 180_000;

let synthesized: SynthesizedStack;
let bundleDir: string;

beforeAll(async () => {
  bundleDir = (await ensureBundle()).dir;
  // As `cdk synth` does it, CloudFormation validation included: the one validated synth of the run.
  synthesized = synthPetsApp();
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  disposeApp(synthesized.app);
});

/** The configuration rules over a synthesized stack, at the highest peak any load profile drives. */
function configurationFindings(stack: SynthesizedStack): string[] {
  const peak = Math.max(...PROFILES.map(peakConcurrency));
  return judgeConfiguration({
    template: { path: 'synthesized', resources: stack.json.Resources },
    peak: { concurrency: peak, source: 'the highest peak of the load profiles' },
    indexedRoutes: indexedRoutes(),
    variablesRead: variablesReadBy(bundleDir),
    bundleDir,
  }).map((finding) => finding.message);
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function resourcesOfType(type: string): [string, { Properties?: Record<string, unknown> }][] {
  return Object.entries(synthesized.json.Resources).filter(([, resource]) => resource.Type === type);
}

function functionProperties(): Record<string, unknown> {
  const id = onlyLogicalId(synthesized.json, 'AWS::Lambda::Function');
  return synthesized.json.Resources[id]?.Properties ?? {};
}

describe('the table', () => {
  it('has the key schema and type index of the definition seed --create-table uses', () => {
    const input = createTableInput();
    const [index] = input.GlobalSecondaryIndexes ?? [];

    synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'pets',
      KeySchema: input.KeySchema,
      AttributeDefinitions: Match.arrayEquals(input.AttributeDefinitions ?? []),
      GlobalSecondaryIndexes: [
        { IndexName: 'type-index', KeySchema: index?.KeySchema, Projection: { ProjectionType: 'ALL' } },
      ],
    });
    expect(index?.KeySchema).toEqual([
      { AttributeName: 'type', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ]);
  });

  it('bills on demand with point-in-time recovery', () => {
    synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is retained when the stack is deleted, by default, and protected from DeleteTable', () => {
    synthesized.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });
});

describe('the function', () => {
  it('is configured from the shared function settings', () => {
    const settings = functionSettings();

    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'Pets',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: settings.memorySizeMb,
      Timeout: settings.timeoutSeconds,
      Handler: settings.handler,
    });
    expect([settings.memorySizeMb, settings.timeoutSeconds]).toEqual([256, 10]);
  });

  it('gets the table name and the Powertools variables in its environment', () => {
    const tableId = onlyLogicalId(synthesized.json, 'AWS::DynamoDB::Table');

    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          ...functionSettings().variables,
          TABLE_NAME: { Ref: tableId },
          POWERTOOLS_SERVICE_NAME: 'pets',
        },
      },
    });
  });

  it('logs to its own log group, which has a retention period', () => {
    const logGroupId = Object.entries(synthesized.json.Resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::Logs::LogGroup' && resource.Properties?.LogGroupName === '/aws/lambda/Pets',
    )?.[0];

    expect(logGroupId).toBeDefined();
    expect(functionProperties().LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
    expect(synthesized.json.Resources[logGroupId ?? '']?.Properties?.RetentionInDays).toBe(
      functionSettings().logRetentionDays,
    );
  });

  it('has no active X-Ray tracing (its managed policy would need Resource "*")', () => {
    expect(functionProperties().TracingConfig).toBeUndefined();
  });

  it('deploys the prebuilt bundle from dist/handler', () => {
    const code = functionProperties().Code as { S3Key: string };
    const assetHash = code.S3Key.replace(/\.zip$/, '');
    const manifest = JSON.parse(
      readFileSync(join(synthesized.app.outdir, `${synthesized.stack.artifactId}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string; packaging: string } }> };

    const asset = manifest.files[assetHash];

    expect(asset?.source.packaging).toBe('zip');
    expect(sha256(join(synthesized.app.outdir, asset?.source.path ?? '', 'index.js'))).toBe(
      sha256(join(bundleDir, 'index.js')),
    );
  });
});

describe("the function's role", () => {
  function roleId(): string {
    const role = functionProperties().Role as { 'Fn::GetAtt'?: [string, string] };
    const id = role['Fn::GetAtt']?.[0];
    if (!id) throw new Error('the function does not reference a role of the stack');
    return id;
  }

  it('grants no wildcard action and no wildcard resource in any policy attached to it', () => {
    const statements = statementsForRole(synthesized.json, roleId());

    expect(statements.length).toBeGreaterThan(0);
    expect(leastPrivilegeFindings(synthesized.json, roleId())).toEqual([]);
  });

  it('may do the four table actions on the table, Query on its type index, and only write its own logs', () => {
    const tableArn = { 'Fn::GetAtt': [onlyLogicalId(synthesized.json, 'AWS::DynamoDB::Table'), 'Arn'] };
    const logGroupRef = functionProperties().LoggingConfig as { LogGroup: { Ref: string } };

    const statements = statementsForRole(synthesized.json, roleId()).map(({ statement }) => statement);

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: tableArn,
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [tableArn, '/index/type-index']] },
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // GetAtt LogGroup.Arn is `arn:…:log-group:/aws/lambda/Pets:*`: the streams of this group only.
        Resource: { 'Fn::GetAtt': [logGroupRef.LogGroup.Ref, 'Arn'] },
      },
    ]);
  });

  it('has no managed policies and can be assumed only by Lambda', () => {
    const role = synthesized.json.Resources[roleId()]?.Properties ?? {};

    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ],
    });
  });
});

describe('the REST API', () => {
  interface MethodJson {
    path: string;
    httpMethod: string;
    integrationType: string;
    integration: Record<string, unknown>;
  }

  /** Every method with its full resource path, rebuilt from the Resource tree. */
  function methods(): MethodJson[] {
    const apiId = onlyLogicalId(synthesized.json, 'AWS::ApiGateway::RestApi');
    const pathOf = (parent: unknown): string => {
      const ref = (parent as { Ref?: string }).Ref;
      if (ref === undefined) {
        expect(parent).toEqual({ 'Fn::GetAtt': [apiId, 'RootResourceId'] });
        return '';
      }
      const resource = synthesized.json.Resources[ref]?.Properties ?? {};
      return `${pathOf(resource.ParentId)}/${String(resource.PathPart)}`;
    };
    return resourcesOfType('AWS::ApiGateway::Method').map(([, method]) => {
      const properties = method.Properties ?? {};
      const integration = (properties.Integration ?? {}) as Record<string, unknown>;
      return {
        path: pathOf(properties.ResourceId) || '/',
        httpMethod: String(properties.HttpMethod),
        integrationType: String(integration.Type),
        integration,
      };
    });
  }

  it('is named pets-api and regional', () => {
    synthesized.template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'pets-api',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('has exactly one AWS_PROXY Lambda method per OpenAPI operation', () => {
    const spec = operations().map((operation) => `${operation.method} ${operation.resource}`);

    const proxied = methods()
      .filter((method) => method.integrationType === 'AWS_PROXY')
      .map((method) => `${method.httpMethod} ${method.path}`);

    expect(spec).toEqual(
      expect.arrayContaining(['GET /pets', 'POST /pets', 'GET /pets/{id}', 'DELETE /pets/{id}']),
    );
    expect([...proxied].sort()).toEqual([...spec].sort());
  });

  it('sends every proxy method to the function with POST', () => {
    const functionId = onlyLogicalId(synthesized.json, 'AWS::Lambda::Function');

    for (const method of methods().filter((candidate) => candidate.integrationType === 'AWS_PROXY')) {
      expect(method.integration.IntegrationHttpMethod).toBe('POST');
      expect(JSON.stringify(method.integration.Uri)).toContain(
        JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      );
    }
  });

  it('has no other methods than one MOCK OPTIONS preflight per resource of the spec', () => {
    const others = methods().filter((method) => method.integrationType !== 'AWS_PROXY');

    expect(
      others.map((method) => `${method.httpMethod} ${method.integrationType} ${method.path}`).sort(),
    ).toEqual(
      resources()
        .map((path) => `OPTIONS MOCK ${path}`)
        .sort(),
    );
  });

  it('answers every preflight with the CORS settings of the spec', () => {
    const cors = corsSettings();

    const preflights = methods().filter((method) => method.httpMethod === 'OPTIONS');

    expect(preflights).toHaveLength(resources().length);
    for (const preflight of preflights) {
      const [response] = (preflight.integration.IntegrationResponses ?? []) as {
        ResponseParameters: Record<string, string>;
      }[];
      expect(response?.ResponseParameters).toEqual(
        expect.objectContaining({
          'method.response.header.Access-Control-Allow-Origin': `'${cors.allowOrigins.join(',')}'`,
          'method.response.header.Access-Control-Allow-Methods': `'${cors.allowMethods.join(',')}'`,
          'method.response.header.Access-Control-Allow-Headers': `'${cors.allowHeaders.join(',')}'`,
          'method.response.header.Access-Control-Expose-Headers': `'${cors.exposeHeaders.join(',')}'`,
          'method.response.header.Access-Control-Max-Age': `'${cors.maxAgeSeconds}'`,
        }),
      );
    }
  });
});

describe('the stage', () => {
  function stage(): Record<string, unknown> {
    return (
      synthesized.json.Resources[onlyLogicalId(synthesized.json, 'AWS::ApiGateway::Stage')]?.Properties ?? {}
    );
  }

  it('is called default and throttles every method by rate and burst', () => {
    expect(stage().StageName).toBe(DEFAULT_STAGE);
    expect(stage().MethodSettings).toEqual([
      expect.objectContaining({
        HttpMethod: '*',
        ResourcePath: '/*',
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
      }),
    ]);
  });

  it('writes JSON access logs with request id, caller, route, status and latencies to their own group', () => {
    const settings = stage().AccessLogSetting as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    const [groupId] = settings.DestinationArn['Fn::GetAtt'];

    const format = JSON.parse(settings.Format) as Record<string, string>;

    expect(format).toEqual(
      expect.objectContaining({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        method: '$context.httpMethod',
        resourcePath: '$context.resourcePath',
        status: '$context.status',
        latency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
      }),
    );
    expect(synthesized.json.Resources[groupId]).toEqual(
      expect.objectContaining({
        Type: 'AWS::Logs::LogGroup',
        Properties: expect.objectContaining({ LogGroupName: '/aws/apigateway/pets-api/default/access' }),
      }),
    );
  });

  it('is created after its execution log group, so the group is the stack’s and has a retention', () => {
    const [stageId] = resourcesOfType('AWS::ApiGateway::Stage')[0] ?? [];
    const executionGroup = resourcesOfType('AWS::Logs::LogGroup').find(([, group]) =>
      JSON.stringify(group.Properties?.LogGroupName).includes('API-Gateway-Execution-Logs_'),
    );

    expect(executionGroup?.[1].Properties?.RetentionInDays).toBe(functionSettings().logRetentionDays);
    expect((synthesized.json.Resources[stageId ?? ''] as { DependsOn?: string[] }).DependsOn).toContain(
      executionGroup?.[0],
    );
  });
});

describe('the outputs', () => {
  it('are exactly ApiUrl, TableName, FunctionName and LogGroupName', () => {
    expect(Object.keys(synthesized.template.findOutputs('*')).sort()).toEqual(
      ['ApiUrl', 'FunctionName', 'LogGroupName', 'TableName'].sort(),
    );
  });

  it('give the stage URL without a trailing slash and the function log group', () => {
    const outputs = synthesized.template.findOutputs('*');
    const logGroupRef = functionProperties().LoggingConfig as { LogGroup: { Ref: string } };

    expect(JSON.stringify(outputs.ApiUrl?.Value)).toMatch(
      /\.execute-api\.".*"\/",\{"Ref":"ApiDeploymentStagedefault/,
    );
    expect(outputs.LogGroupName?.Value).toEqual({ Ref: logGroupRef.LogGroup.Ref });
  });
});

describe('a stack for another environment', () => {
  let ci: SynthesizedStack;

  beforeAll(() => {
    ci = synthPetsApp({ env: 'ci', destroyOnRemoval: 'true' }, WITHOUT_CLOUDFORMATION_VALIDATION);
  }, SYNTH_TIMEOUT_MS);

  afterAll(() => {
    disposeApp(ci.app);
  });

  it('suffixes the stack, table, function, log group and API names with the environment', () => {
    expect(ci.stack.stackName).toBe('PetsStack-ci');
    ci.template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'pets-ci' });
    ci.template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'Pets-ci' });
    ci.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/Pets-ci' });
    ci.template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'pets-api-ci' });
  });

  it('leaves nothing for the configuration rules, as the default stack does', () => {
    expect(configurationFindings(ci)).toEqual([]);
    expect(configurationFindings(synthesized)).toEqual([]);
  });

  it('refuses an environment name that cannot suffix every name', () => {
    expect(() => synthPetsApp({ env: 'Prod_1' }, WITHOUT_CLOUDFORMATION_VALIDATION)).toThrow(
      /environment name 'Prod_1'/,
    );
  });

  it('deletes the table and its log groups with the stack when destroyOnRemoval is set', () => {
    // Deletion protection would refuse the stack's own delete.
    ci.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    for (const [, group] of Object.entries(ci.template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.DeletionPolicy).toBe('Delete');
    }
  });
});
