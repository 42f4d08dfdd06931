import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateFindings } from '../../configcheck/index';
import { operations } from '../../contract/spec';
import { functionSettings } from '../../definitions/function';
import {
  createSeededTable,
  dropTable,
  testClient,
  uniqueTableName,
} from '../../integration/support/dynamodb';
import type { RunningStage } from './index';
import { resolveString, Unresolvable } from './intrinsics';
import { TEMPLATE_PATH } from './synth';
import { readStageTemplate } from './template';
import { type Resources, startOnTemplate, writeTemplate } from './test/templates';

// What the stage reads from the synthesized template, and what it says about a template that
// drifts: purpose-built copies of the real one with one thing changed.
const LOCALS = { region: 'us-east-1', accountId: '000000000000' };
let workDir: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'stage-template-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function ofType(resources: Resources, type: string): [string, NonNullable<Resources[string]>][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function functionProps(resources: Resources): Record<string, unknown> {
  return ofType(resources, 'AWS::Lambda::Function')[0]?.[1].Properties ?? {};
}

function templateWith(change: (resources: Resources) => void): string {
  return writeTemplate(workDir, change);
}

describe('the synthesized template as the stage reads it', () => {
  it('gives the function the settings of definitions/function.ts and the table’s local name', () => {
    const template = readStageTemplate(TEMPLATE_PATH, { ...LOCALS, tableName: 'local-pets' });
    const settings = functionSettings();

    expect(template.function).toMatchObject({
      functionName: settings.functionName,
      handler: settings.handler,
      runtime: settings.runtime,
      architecture: settings.architecture,
      memorySizeMb: settings.memorySizeMb,
      timeoutSeconds: settings.timeoutSeconds,
      logGroupName: settings.logGroupName,
      variables: { ...settings.variables, TABLE_NAME: 'local-pets' },
    });
    expect(template.tables).toEqual([
      expect.objectContaining({
        localName: 'local-pets',
        arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/local-pets',
        indexes: ['type-index'],
        // The table's partition key and the type index's: what a key condition can name.
        partitionKeys: [{ attribute: 'id' }, { attribute: 'type', index: 'type-index' }],
      }),
    ]);
    expect(template.notes).toEqual([]);
  });

  it('serves exactly the methods of the contract, with a MOCK preflight on each resource', () => {
    const template = readStageTemplate(TEMPLATE_PATH, LOCALS);
    const byKey = (a: { method: string; resource: string }) => `${a.method} ${a.resource}`;

    expect(template.routes.map(byKey).sort()).toEqual(operations().map(byKey).sort());
    expect([...template.preflightResources].sort()).toEqual(['/pets', '/pets/{id}']);
  });

  it('resolves the role’s resources to the local table and index ARNs', () => {
    const template = readStageTemplate(TEMPLATE_PATH, { ...LOCALS, tableName: 'local-pets' });
    const resources = template.policies.flatMap((policy) =>
      policy.policy.Statement.flatMap((s) => s.Resource ?? []),
    );

    expect(resources).toEqual(
      expect.arrayContaining([
        'arn:aws:dynamodb:us-east-1:000000000000:table/local-pets',
        'arn:aws:dynamodb:us-east-1:000000000000:table/local-pets/index/type-index',
        'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/Pets:*',
      ]),
    );
  });

  it('says which variable it cannot resolve, and runs the function without it', () => {
    const path = templateWith((resources) => {
      const env = (functionProps(resources).Environment as { Variables: Record<string, unknown> }).Variables;
      env.QUEUE_URL = { Ref: 'SomeQueue' };
    });

    const template = readStageTemplate(path, LOCALS);

    expect(template.function.variables.QUEUE_URL).toBeUndefined();
    expect(template.notes).toEqual([
      expect.stringMatching(/^environment variable QUEUE_URL: .*SomeQueue.* has no local value/u),
    ]);
  });
});

describe('intrinsics', () => {
  const ctx = {
    ...LOCALS,
    stackName: 'S',
    resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'pets' } } },
    tableNames: new Map([['T', 'local']]),
  };

  it.each([
    [{ Ref: 'T' }, 'local'],
    [{ 'Fn::GetAtt': ['T', 'Arn'] }, 'arn:aws:dynamodb:us-east-1:000000000000:table/local'],
    [
      { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['T', 'Arn'] }, 'index', 'x']] },
      'arn:aws:dynamodb:us-east-1:000000000000:table/local/index/x',
    ],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${…} syntax, not a template string
      { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}' },
      'arn:aws:dynamodb:us-east-1:000000000000:table/local',
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${…} syntax, not a template string
    [{ 'Fn::Sub': ['${A}-${T.Arn}', { A: 'x' }] }, 'x-arn:aws:dynamodb:us-east-1:000000000000:table/local'],
  ])('resolves %j', (value, expected) => {
    expect(resolveString(value, ctx)).toBe(expected);
  });

  it('refuses what has no local value instead of guessing', () => {
    expect(() => resolveString({ 'Fn::GetAtt': ['T', 'StreamArn'] }, ctx)).toThrow(Unresolvable);
    expect(() => resolveString({ 'Fn::ImportValue': 'x' }, ctx)).toThrow(Unresolvable);
  });
});

describe('configuration findings at start', () => {
  it('finds nothing in the project’s own template and handler (configcheck/ holds the rules’ tests)', () => {
    expect(templateFindings(TEMPLATE_PATH, join(__dirname, '..', '..', 'dist', 'handler'))).toEqual([]);
  });
});

describe('a stack that drifts fails on the stage as it would on AWS', () => {
  let tableName: string;
  const stages: RunningStage[] = [];

  beforeAll(async () => {
    tableName = uniqueTableName('drift');
    await createSeededTable(tableName);
  });

  afterAll(async () => {
    await Promise.all(stages.map((stage) => stage.stop()));
    await dropTable(testClient(), tableName);
  });

  async function start(templatePath: string): Promise<RunningStage> {
    const stage = await startOnTemplate({ templatePath, tableName, logDir: join(workDir, 'logs') });
    stages.push(stage);
    return stage;
  }

  it('without TABLE_NAME: a finding at start, and the function answers 500', async () => {
    const stage = await start(
      templateWith((resources) => {
        const env = (functionProps(resources).Environment as { Variables: Record<string, unknown> })
          .Variables;
        delete env.TABLE_NAME;
      }),
    );

    expect(stage.findings).toEqual([
      expect.stringMatching(
        /^Function\w+ \(PetsStack\/Function\/Resource\) Environment\.Variables\.TABLE_NAME = absent .*: the handler reads TABLE_NAME, and on AWS it is not set$/u,
      ),
    ]);
    expect((await fetch(`${stage.url}/pets/1`)).status).toBe(500);
  });

  it('without the GET /pets/{id} method: 403 Missing Authentication Token there, the rest served', async () => {
    const stage = await start(
      templateWith((resources) => {
        for (const [id, method] of ofType(resources, 'AWS::ApiGateway::Method')) {
          const target = (method.Properties?.ResourceId as { Ref?: string } | undefined)?.Ref ?? '';
          const pathPart = resources[target]?.Properties?.PathPart;
          if (method.Properties?.HttpMethod === 'GET' && pathPart === '{id}') delete resources[id];
        }
      }),
    );

    const dropped = await fetch(`${stage.url}/pets/1`);
    expect({ status: dropped.status, body: await dropped.json() }).toEqual({
      status: 403,
      body: { message: 'Missing Authentication Token' },
    });
    expect((await fetch(`${stage.url}/pets`)).status).toBe(200);
  });
});
