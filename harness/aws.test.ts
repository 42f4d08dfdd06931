import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CannotRunError } from '../common/cli';
import { checkAwsCredentials, describeStackOutputs, resolveRegion } from './aws';

const cloudFormation = mockClient(CloudFormationClient);

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/default/';

function outputs(overrides: Record<string, string | undefined> = {}): Output[] {
  const values: Record<string, string | undefined> = {
    ApiUrl: API_URL,
    TableName: 'pets-pr-7',
    FunctionName: 'Pets-pr-7',
    LogGroupName: '/aws/lambda/Pets-pr-7',
    ...overrides,
  };
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}

function stack(status: StackStatus, stackOutputs: Output[] = outputs()) {
  return {
    Stacks: [
      { StackName: 'PetsStack-pr-7', StackStatus: status, CreationTime: new Date(), Outputs: stackOutputs },
    ],
  };
}

describe('reading the stack outputs with DescribeStacks', () => {
  beforeEach(() => {
    cloudFormation.reset();
  });

  it('asks CloudFormation for the named stack and returns its outputs without the trailing slash', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));

    const result = await describeStackOutputs(
      new CloudFormationClient({ region: 'eu-west-1' }),
      'PetsStack-pr-7',
    );

    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'PetsStack-pr-7' });
    expect(result).toEqual({
      stackName: 'PetsStack-pr-7',
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/default',
      tableName: 'pets-pr-7',
      functionName: 'Pets-pr-7',
      logGroupName: '/aws/lambda/Pets-pr-7',
      region: 'eu-west-1',
    });
  });

  it('says the stack does not exist and how to deploy it when CloudFormation does not know it', async () => {
    const error = Object.assign(new Error('Stack with id PetsStack does not exist'), {
      name: 'ValidationError',
    });
    cloudFormation.on(DescribeStacksCommand).rejects(error);

    const attempt = describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack');

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(/'PetsStack' does not exist .*npm run deploy/);
  });

  it.each([
    ['CREATE_IN_PROGRESS', /wait until the deployment finishes/],
    ['UPDATE_IN_PROGRESS', /wait until the deployment finishes/],
    ['ROLLBACK_COMPLETE', /deploy it again/],
    ['DELETE_COMPLETE', /deploy it again/],
  ] as const)('refuses a stack in %s', async (status, message) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

    await expect(
      describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack-pr-7'),
    ).rejects.toThrow(message);
  });

  it('names the output a stack lacks', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves(stack('CREATE_COMPLETE', outputs({ LogGroupName: undefined })));

    await expect(
      describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack-pr-7'),
    ).rejects.toThrow(/lacks LogGroupName/);
  });
});

describe('AWS credentials and region', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('returns the credentials the provider chain resolves', async () => {
    const client = new CloudFormationClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
    });

    await expect(checkAwsCredentials(client)).resolves.toMatchObject({ accessKeyId: 'AKIAEXAMPLE' });
  });

  it('turns a provider chain that finds nothing into a CannotRunError that says how to configure credentials', async () => {
    const client = new CloudFormationClient({
      region: 'eu-west-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });

    const attempt = checkAwsCredentials(client);

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(
      /Could not load credentials[\s\S]*aws configure[\s\S]*role-to-assume/,
    );
  });

  it.each([
    ['the flag', 'ap-south-1', { AWS_REGION: 'eu-west-1' }, 'ap-south-1'],
    ['AWS_REGION', undefined, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'eu-west-1'],
    ['AWS_DEFAULT_REGION', undefined, { AWS_DEFAULT_REGION: 'us-west-2' }, 'us-west-2'],
  ])('takes the region from %s first', async (_source, flag, env, region) => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    Object.assign(process.env, env);

    await expect(resolveRegion(flag)).resolves.toBe(region);
  });

  it('asks for --region when no flag, environment or profile names one', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_PROFILE;
    process.env.AWS_CONFIG_FILE = '/nonexistent/pets-harness/config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/pets-harness/credentials';

    await expect(resolveRegion(undefined, new CloudFormationClient({}))).rejects.toThrow(/pass --region/);
  });
});
