import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
  StackStatus,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CannotRunError } from '../common/cli';
import { checkAwsCredentials, describeStackOutputs, resolveRegion, STACK_STATES } from './aws';

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

  it('has decided every status CloudFormation can report', () => {
    expect(Object.keys(STACK_STATES).sort()).toEqual(Object.values(StackStatus).sort());
  });

  it.each([
    [
      'REVIEW_IN_PROGRESS',
      /never executed, so it has no resources yet[\s\S]*execute or delete the change set/,
    ],
    ['UPDATE_ROLLBACK_FAILED', /so did the rollback[\s\S]*continue-update-rollback/],
    ['IMPORT_ROLLBACK_FAILED', /an import failed and so did the rollback/],
    ['IMPORT_ROLLBACK_IN_PROGRESS', /an import failed and is being rolled back/],
    ['UPDATE_FAILED', /rollback disabled/],
    ['CREATE_IN_PROGRESS', /wait until CloudFormation finishes/],
    ['ROLLBACK_COMPLETE', /deploy again/],
    ['DELETE_COMPLETE', /deploy it again/],
  ] as const)('refuses a stack in %s, saying what it means and what to do', async (status, message) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

    const attempt = describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack-pr-7');

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(new RegExp(`is ${status}: `));
    await expect(attempt).rejects.toThrow(message);
  });

  it('does not tell anyone to wait for a stack in review: it never finishes by itself', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack('REVIEW_IN_PROGRESS'));

    const attempt = describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack-pr-7');

    await expect(attempt).rejects.not.toThrow(/wait/);
  });

  it.each(
    Object.entries(STACK_STATES)
      .filter(([, state]) => state.usable === false)
      .map(([status]) => status as StackStatus),
  )('refuses a stack in %s', async (status) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

    await expect(
      describeStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'PetsStack-pr-7'),
    ).rejects.toThrow(CannotRunError);
  });

  it.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE'] as const)(
    'reads the outputs of a stack in %s with no warning',
    async (status) => {
      cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

      const result = await describeStackOutputs(
        new CloudFormationClient({ region: 'eu-west-1' }),
        'PetsStack-pr-7',
      );

      expect(result.tableName).toBe('pets-pr-7');
      expect(result).not.toHaveProperty('warning');
    },
  );

  it.each(['UPDATE_ROLLBACK_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'] as const)(
    'reads a stack in %s and warns that it serves the version before the failed operation',
    async (status) => {
      cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

      const result = await describeStackOutputs(
        new CloudFormationClient({ region: 'eu-west-1' }),
        'PetsStack-pr-7',
      );

      expect(result.warning).toMatch(new RegExp(`is ${status}: .*the version before`));
    },
  );

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

  const sts = mockClient(STSClient);
  beforeEach(() => sts.reset());
  afterAll(() => sts.restore());

  function stsClient(): STSClient {
    return new STSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE1234', secretAccessKey: 'secret' },
    });
  }

  it('asks STS whose the credentials are before anything else starts', async () => {
    sts.on(GetCallerIdentityCommand).resolves({
      Account: '111122223333',
      Arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci',
      UserId: 'AROAEXAMPLE:ci',
    });

    const identity = await checkAwsCredentials(stsClient());

    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    expect(identity).toEqual({
      account: '111122223333',
      arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci',
      accessKeyId: 'AKIAEXAMPLE1234',
    });
  });

  it.each([
    [
      'InvalidClientTokenId',
      /rejected the credentials \(access key …1234\): InvalidClientTokenId: the access key id is not known/,
    ],
    ['SignatureDoesNotMatch', /SignatureDoesNotMatch: the secret access key does not match/],
    ['ExpiredToken', /ExpiredToken: the session has expired: log in again/],
  ])('refuses keys STS answers %s to, with what to do', async (name, message) => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('rejected'), { name }));

    const attempt = checkAwsCredentials(stsClient());

    await expect(attempt).rejects.toThrow(CannotRunError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toThrow(/aws configure/);
  });

  it('says STS could not be reached when the call fails for another reason', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));

    await expect(checkAwsCredentials(stsClient())).rejects.toThrow(
      /STS GetCallerIdentity failed \(TimeoutError: connect ETIMEDOUT\): check the network path/,
    );
  });

  it('turns a provider chain that finds nothing into a CannotRunError that says how to configure credentials', async () => {
    const client = new STSClient({
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
