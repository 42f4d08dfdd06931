import { synthGist } from './synth';

describe('synthGist: what stopped cdk synth, in the step’s one line', () => {
  it('names a cdk-nag finding’s rule, resource and first sentence (point-in-time recovery turned off)', () => {
    // cdk synth's stderr with the table's point-in-time recovery turned off, as cdk-nag writes it.
    const stderr = [
      'infra/stack.ts:72:18',
      'WARNING The DynamoDB table does not have Point-in-time Recovery enabled. DynamoDB continuous backups represent an additional layer of insurance. (AwsSolutions)',
      '   PetsStack/Table/Resource aws-cdk-lib.aws_dynamodb.CfnTable',
      "   Acknowledge with 'AwsSolutions::AwsSolutions-DDB3'",
      'Synthesis finished with errors',
    ].join('\n');

    expect(synthGist(stderr)).toBe(
      'AwsSolutions-DDB3 on PetsStack/Table/Resource: The DynamoDB table does not have Point-in-time Recovery enabled.',
    );
  });

  it('gives any other failure’s first line that is not a source location', () => {
    expect(synthGist("infra/app.ts:12\nError: Cannot find module 'aws-cdk-lib/aws-foo'\n    at x")).toBe(
      "Error: Cannot find module 'aws-cdk-lib/aws-foo'",
    );
    expect(synthGist('')).toBe('no output');
  });
});
