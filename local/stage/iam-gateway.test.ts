import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSeededTable,
  dropTable,
  testClient,
  uniqueTableName,
} from '../../integration/support/dynamodb';
import type { RunningStage } from './index';
import { type Resources, realResources, startOnTemplate, writeTemplate } from './test/templates';

// The stage with a purpose-built function that sends one DynamoDB call per request, under the real
// synthesized template with its role's policies replaced: what the IAM gateway allows and denies.
const CALLS = join(__dirname, '..', 'test-bundles', 'dynamodb-calls');
const ACCOUNT = '000000000000';

let tableName: string;
let tableArn: string;
let workDir: string;
const stages: RunningStage[] = [];

beforeAll(async () => {
  tableName = uniqueTableName('iam');
  tableArn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${tableName}`;
  workDir = mkdtempSync(join(tmpdir(), 'iam-gateway-'));
  await createSeededTable(tableName);
});

afterEach(async () => {
  await Promise.all(stages.splice(0).map((stage) => stage.stop()));
});

afterAll(async () => {
  await dropTable(testClient(), tableName);
  rmSync(workDir, { recursive: true, force: true });
});

/** `Fn::GetAtt` of the template's table ARN. */
function tableRef() {
  const [id] =
    Object.entries(realResources()).find(([, resource]) => resource.Type === 'AWS::DynamoDB::Table') ?? [];
  return { 'Fn::GetAtt': [id, 'Arn'] };
}

/** The caller DynamoDB names: the role as CloudFormation names it (without the random suffix), the function's session. */
function principal(): string {
  return `arn:aws:sts::${ACCOUNT}:assumed-role/PetsStack-${roleIdOf(realResources())}/Pets`;
}

function roleIdOf(resources: Resources): string {
  const fn = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function');
  const role = fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** The synthesized template with the function role's policies replaced by `statements`. */
function templateWith(
  statements: unknown[],
  change: (resources: Resources, roleId: string) => void = () => undefined,
) {
  return writeTemplate(workDir, (resources) => {
    const roleId = roleIdOf(resources);
    const role = resources[roleId]?.Properties ?? {};
    role.Policies = [
      { PolicyName: 'Test', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
    ];
    change(resources, roleId);
  });
}

async function start(templatePath: string): Promise<RunningStage> {
  const stage = await startOnTemplate({
    templatePath,
    tableName,
    bundleDir: CALLS,
    logDir: join(workDir, 'logs'),
  });
  stages.push(stage);
  return stage;
}

async function call(stage: RunningStage, query: string) {
  const response = await fetch(`${stage.url}/pets?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const implicit = (action: string, resource: string) =>
  `User: ${principal()} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe('the IAM gateway in front of DynamoDB', () => {
  const getOnly = [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableRef() }];

  it('lets a granted call through to DynamoDB', async () => {
    const stage = await start(templateWith(getOnly));

    const answer = await call(stage, 'call=get&id=1');

    expect(answer).toMatchObject({ status: 200, body: { keys: ['Item'] } });
    expect(stage.deniedCalls()).toEqual([]);
  });

  it('denies an action the role does not grant with DynamoDB’s own AccessDeniedException', async () => {
    const stage = await start(templateWith(getOnly));

    const answer = await call(stage, 'call=batch-get');

    expect(answer).toEqual({
      status: 500,
      body: {
        name: 'AccessDeniedException',
        message: implicit('dynamodb:BatchGetItem', tableArn),
        status: 400,
      },
    });
  });

  it('names the table a batch request is denied on when it names several', async () => {
    const other = 'another-table';
    const stage = await start(
      templateWith([{ Effect: 'Allow', Action: 'dynamodb:BatchGetItem', Resource: tableRef() }]),
    );

    const answer = await call(stage, `call=batch-get&tables=${tableName},${other}`);

    expect(answer.body.message).toBe(
      implicit('dynamodb:BatchGetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${other}`),
    );
  });

  it('needs Query on the index for a Query with an IndexName, not on the table', async () => {
    const stage = await start(
      templateWith([{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: tableRef() }]),
    );

    const answer = await call(stage, 'call=query-index');

    expect(answer.body.message).toBe(implicit('dynamodb:Query', `${tableArn}/index/type-index`));
  });

  it('checks each part of a transaction as its item action', async () => {
    const stage = await start(
      templateWith([{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: tableRef() }]),
    );

    const answer = await call(stage, 'call=transact');

    expect(answer.body.message).toBe(implicit('dynamodb:DeleteItem', tableArn));
  });

  it('puts an explicit Deny over an Allow, in AWS’s explicit-deny wording', async () => {
    const stage = await start(
      templateWith([
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: tableRef() },
        { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' },
      ]),
    );

    const answer = await call(stage, 'call=delete&id=424242');

    expect(answer.body).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${principal()} is not authorized to perform: dynamodb:DeleteItem on resource: ${tableArn} with an explicit deny in an identity-based policy`,
    });
  });

  it('honours wildcards in actions and resources', async () => {
    const stage = await start(
      templateWith([{ Effect: 'Allow', Action: 'dynamodb:Get*', Resource: 'arn:aws:dynamodb:*:*:table/*' }]),
    );

    expect(await call(stage, 'call=get&id=1')).toMatchObject({ status: 200 });
    expect((await call(stage, 'call=put')).body.message).toBe(implicit('dynamodb:PutItem', tableArn));
  });

  it('says at start which condition it cannot evaluate, and never lets it allow a call', async () => {
    const stage = await start(
      templateWith([
        {
          Sid: 'OwnItems',
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: tableRef(),
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['1'] } },
        },
      ]),
    );

    expect(stage.notes).toEqual([
      expect.stringMatching(
        /inline Test statement OwnItems: the stage cannot evaluate the condition on dynamodb:LeadingKeys; that Allow grants nothing locally$/u,
      ),
    ]);
    expect((await call(stage, 'call=get&id=1')).body.message).toBe(implicit('dynamodb:GetItem', tableArn));
  });

  it('says at start that a managed policy from outside the template grants nothing', async () => {
    const managed = 'arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess';
    const stage = await start(
      templateWith([], (resources, roleId) => {
        (resources[roleId]?.Properties as Record<string, unknown>).ManagedPolicyArns = [managed];
      }),
    );

    expect(stage.notes).toContainEqual(expect.stringContaining(`managed policy ${managed}`));
    expect((await call(stage, 'call=get&id=1')).body.message).toBe(implicit('dynamodb:GetItem', tableArn));
  });

  it('counts read and write capacity per table, and keeps it out of answers that did not ask', async () => {
    const stage = await start(
      templateWith([
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: tableRef() },
      ]),
    );

    const got = await call(stage, 'call=get&id=1');
    const put = await call(stage, 'call=put&id=9100');
    const asked = await call(stage, 'call=get-capacity');

    expect(got.body.keys).toEqual(['Item']);
    expect(put.body.keys).toEqual([]);
    expect(asked.body.keys).toEqual(['ConsumedCapacity', 'Item']);
    const units = stage.consumedCapacity()[tableName];
    expect(units?.readUnits).toBeGreaterThanOrEqual(1);
    expect(units?.writeUnits).toBeGreaterThanOrEqual(1);
  });
});
