import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PetsStack } from './stack';

export interface NagAcknowledgment {
  /** cdk-nag rule id, with the finding in brackets where the rule reports several. */
  id: string;
  reason: string;
}

/** The cdk-nag findings this stack accepts, by construct, each with why. Listed in docs/deploy.md. */
export function nagAcknowledgments(stack: PetsStack): { scope: IConstruct; rules: NagAcknowledgment[] }[] {
  return [
    {
      scope: stack.function,
      rules: [
        {
          id: 'AwsSolutions-L1',
          reason:
            'The product targets Node.js 22 (definitions/function.ts): the local stage runs the same bundle under the same major version, and moving to a newer runtime is a deliberate change to the shared settings, not something a linter decides.',
        },
      ],
    },
    {
      scope: stack.api,
      rules: [
        {
          id: 'AwsSolutions-APIG2',
          reason:
            'The handler validates every request against the contract (contract/openapi.yaml) and answers 400 with field-level errors in the API error shape; a gateway model would be a second copy of the schema and its 400s would bypass the handler’s error format and logging.',
        },
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Public demo API without auth: the contract declares no security scheme, the data is sample pets, and the harness calls it anonymously; stage throttling bounds abuse.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'Public demo API without auth (see APIG4): there is no user pool to authorize against; adding Cognito would change the contract the harness tests.',
        },
      ],
    },
    {
      scope: stack.api.deploymentStage,
      rules: [
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'No WAFv2 web ACL for a throwaway test API: a web ACL costs per month per ACL and rule, the stage throttling (rate and burst) already bounds traffic, and a WAF would change the responses the harness asserts.',
        },
      ],
    },
    {
      scope: stack.api.node.findChild('CloudWatchRole'),
      rules: [
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
          reason:
            "API Gateway's account-level CloudWatch role, which access and execution logging require; AWS publishes this service-role policy for exactly that purpose. It belongs to the API Gateway service, not to the function, whose role has no managed policy.",
        },
      ],
    },
  ];
}

/** Records each acknowledgment on its construct; cdk-nag skips exactly those findings there. */
export function applyNagSuppressions(stack: PetsStack): void {
  for (const { scope, rules } of nagAcknowledgments(stack)) Validations.of(scope).acknowledge(...rules);
}
