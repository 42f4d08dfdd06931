import { functionSettings } from '../../definitions/function';
import type { ConfigTemplate, TemplateResource } from '../template';

/**
 * A small template of the stack's shape, as `cdk synth` writes it: the API's function, its log
 * group, a retained table with a type index, and one API method invoking the function. Each test
 * changes one setting of it.
 */
export function stackTemplate(): ConfigTemplate {
  const resources: Record<string, TemplateResource> = {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'type-index',
            KeySchema: [
              { AttributeName: 'type', KeyType: 'HASH' },
              { AttributeName: 'id', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      Metadata: { 'aws:cdk:path': 'PetsStack/Table/Resource' },
    },
    LogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: '/aws/lambda/Pets', RetentionInDays: 30 },
    },
    Function: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: 'Pets',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 10,
        LoggingConfig: { LogGroup: { Ref: 'LogGroup' } },
        Environment: { Variables: { ...functionSettings().variables, TABLE_NAME: { Ref: 'Table' } } },
      },
      Metadata: { 'aws:cdk:path': 'PetsStack/Function/Resource' },
    },
    Method: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::GetAtt': ['Function', 'Arn'] } },
      },
    },
  };
  return { path: 'PetsStack.template.json', resources };
}

/** The properties of one resource of the template, to change in place. */
export function props(template: ConfigTemplate, id: string): Record<string, unknown> {
  const resource = template.resources[id];
  if (!resource?.Properties) throw new Error(`no resource ${id} with properties`);
  return resource.Properties;
}
