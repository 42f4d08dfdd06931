import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IndexedRoute, indexedRoutes } from './indexed-routes';
import { type ConfigFinding, judgeConfiguration, type RuleInputs } from './rules';
import type { ConfigTemplate } from './template';
import { props, stackTemplate } from './test/template';
import { variablesReadBy } from './variables';

let bundleDir: string;

beforeEach(() => {
  bundleDir = mkdtempSync(join(tmpdir(), 'configcheck-bundle-'));
  writeFileSync(join(bundleDir, 'index.js'), 'exports.handler = async () => ({ statusCode: 200 });\n');
});

afterEach(() => rmSync(bundleDir, { recursive: true, force: true }));

const LIST_BY_TYPE: IndexedRoute = {
  route: 'GET /pets?type=',
  operationId: 'listPets',
  indexName: 'type-index',
  attributes: ['breed', 'id', 'price', 'type'],
  schemaName: 'Pet',
};

function judge(template: ConfigTemplate, overrides: Partial<RuleInputs> = {}): ConfigFinding[] {
  return judgeConfiguration({
    template,
    peak: { concurrency: 5, source: 'the most requests the load profile keeps in flight' },
    indexedRoutes: [LIST_BY_TYPE],
    variablesRead: ['TABLE_NAME', 'AWS_REGION'],
    bundleDir,
    ...overrides,
  });
}

/** The one finding of a changed template, as `rule resource property = value`. */
function only(findings: ConfigFinding[]): string {
  expect(findings).toHaveLength(1);
  const [finding] = findings as [ConfigFinding];
  return `${finding.rule} ${finding.resource} ${finding.property} = ${finding.value}`;
}

describe('the configuration rules', () => {
  it('find nothing in a template of the stack’s shape', () => {
    expect(judge(stackTemplate())).toEqual([]);
  });

  it.each([29, 30, 900])('name a function timeout of %i s, at or above API Gateway’s 29 s', (seconds) => {
    const template = stackTemplate();
    props(template, 'Function').Timeout = seconds;
    const findings = judge(template);
    expect(only(findings)).toBe(`timeout Function Timeout = ${seconds} s`);
    expect(findings[0]?.message).toMatch(
      new RegExp(
        `^Function \\(PetsStack/Function/Resource\\) Timeout = ${seconds} s \\(limit: < 29 s\\): at or above API Gateway's 29 s integration timeout`,
      ),
    );
  });

  it('judge only the functions the API invokes, not CDK’s helpers', () => {
    const template = stackTemplate();
    template.resources.Helper = { Type: 'AWS::Lambda::Function', Properties: { Timeout: 900 } };
    expect(judge(template)).toEqual([]);
  });

  it.each([
    [1, 1],
    [5, 5],
    [3, 20],
    [0, 1],
  ])('name a reserved concurrency of %i with a peak of %i requests in flight', (reserved, peak) => {
    const template = stackTemplate();
    props(template, 'Function').ReservedConcurrentExecutions = reserved;
    const findings = judge(template, { peak: { concurrency: peak, source: 'the smoke profile’s VUs' } });
    expect(only(findings)).toBe(`reserved-concurrency Function ReservedConcurrentExecutions = ${reserved}`);
    expect(findings[0]?.limit).toBe(`more than ${peak}, the smoke profile’s VUs`);
  });

  it('let a reserved concurrency above the peak pass', () => {
    const template = stackTemplate();
    props(template, 'Function').ReservedConcurrentExecutions = 6;
    expect(judge(template)).toEqual([]);
  });

  it.each([
    ['KEYS_ONLY', undefined, 'breed, price'],
    ['INCLUDE', ['breed'], 'price'],
  ])('name an index projection %s that lacks what the route returns', (type, nonKey, missing) => {
    const template = stackTemplate();
    const [index] = props(template, 'Table').GlobalSecondaryIndexes as Record<string, unknown>[];
    (index as Record<string, unknown>).Projection = {
      ProjectionType: type,
      ...(nonKey ? { NonKeyAttributes: nonKey } : {}),
    };
    const findings = judge(template);
    expect(only(findings)).toMatch(
      /^index-projection Table GlobalSecondaryIndexes\[type-index\]\.Projection = (KEYS_ONLY|INCLUDE) \(id, type/,
    );
    expect(findings[0]?.message).toContain(
      `a Query on the index answers without ${missing}, so GET /pets?type= returns pets without them`,
    );
    expect(findings[0]?.limit).toContain('listPets answers Pet');
  });

  it('name a route the contract serves from an index the template lacks', () => {
    const findings = judge(stackTemplate(), {
      indexedRoutes: [{ ...LIST_BY_TYPE, indexName: 'kind-index' }],
    });
    expect(only(findings)).toBe('index-projection Table GlobalSecondaryIndexes = no index kind-index');
  });

  it.each([
    ['point-in-time-recovery', 'PointInTimeRecoverySpecification', { PointInTimeRecoveryEnabled: false }],
    ['point-in-time-recovery', 'PointInTimeRecoverySpecification', undefined],
    ['deletion-protection', 'DeletionProtectionEnabled', false],
    ['deletion-protection', 'DeletionProtectionEnabled', undefined],
  ])('name %s off (%s = %j) on a retained table', (rule, property, value) => {
    const template = stackTemplate();
    props(template, 'Table')[property] = value;
    expect(only(judge(template))).toMatch(new RegExp(`^${rule} Table ${property}`));
  });

  it('leave the protection of a table the stack deletes to the stack', () => {
    const template = stackTemplate();
    const table = template.resources.Table as ConfigTemplate['resources'][string];
    table.DeletionPolicy = 'Delete';
    Object.assign(props(template, 'Table'), {
      DeletionProtectionEnabled: false,
      PointInTimeRecoverySpecification: undefined,
    });
    expect(judge(template)).toEqual([]);
  });

  it('name a log group kept forever, and a function whose log group Lambda would create', () => {
    const template = stackTemplate();
    delete props(template, 'LogGroup').RetentionInDays;
    expect(only(judge(template))).toBe('log-retention LogGroup RetentionInDays = absent');
    delete template.resources.LogGroup;
    delete props(template, 'Function').LoggingConfig;
    expect(only(judge(template))).toBe('log-retention Function LoggingConfig.LogGroup = absent');
  });

  it('accept CDK’s log retention resource for the function’s group', () => {
    const template = stackTemplate();
    delete template.resources.LogGroup;
    delete props(template, 'Function').LoggingConfig;
    template.resources.Retention = {
      Type: 'Custom::LogRetention',
      Properties: { LogGroupName: '/aws/lambda/Pets', RetentionInDays: 30 },
    };
    expect(judge(template)).toEqual([]);
  });

  it.each([64, 20_000])('name a memory size of %i MB, outside what Lambda accepts', (size) => {
    const template = stackTemplate();
    props(template, 'Function').MemorySize = size;
    expect(only(judge(template))).toBe(`memory Function MemorySize = ${size} MB`);
  });

  it('name a memory size more than 4× what the run used, once REPORT lines said so', () => {
    const template = stackTemplate();
    props(template, 'Function').MemorySize = 1024;
    expect(judge(template)).toEqual([]);
    const findings = judge(template, { maxMemoryUsedMb: 200 });
    expect(only(findings)).toBe('memory Function MemorySize = 1024 MB');
    expect(findings[0]?.message).toContain('5.1× what the function used');
    expect(judge(template, { maxMemoryUsedMb: 256 })).toEqual([]);
  });

  it.each([[['arm64', 'x86_64']], [['sparc']], [[]]])('name Architectures %j', (architectures) => {
    const template = stackTemplate();
    props(template, 'Function').Architectures = architectures;
    expect(only(judge(template))).toMatch(/^architecture Function Architectures = /);
  });

  it('name a native module built for another CPU than the function’s', () => {
    // An ELF header: magic, 64-bit, little-endian, …, e_machine 0x3e (x86-64) at offset 18.
    const header = Buffer.alloc(64);
    header.write('\x7fELF', 0, 'latin1');
    header.writeUInt16LE(0x3e, 18);
    writeFileSync(join(bundleDir, 'sharp.node'), header);
    const findings = judge(stackTemplate());
    expect(only(findings)).toBe('architecture Function Architectures = arm64');
    expect(findings[0]?.limit).toContain('sharp.node is built for: x86_64');
    header.writeUInt16LE(0xb7, 18);
    writeFileSync(join(bundleDir, 'sharp.node'), header);
    expect(judge(stackTemplate())).toEqual([]);
  });

  it('name a variable the handler reads that the template does not set, not those Lambda sets', () => {
    const findings = judge(stackTemplate(), {
      variablesRead: [
        'TABLE_NAME',
        'AWS_REGION',
        'AWS_LAMBDA_FUNCTION_NAME',
        'DYNAMODB_ENDPOINT',
        'SECRET_ARN',
      ],
    });
    expect(only(findings)).toBe('variables Function Environment.Variables.SECRET_ARN = absent');
  });
});

describe('variablesReadBy', () => {
  it('reads the variables a purpose-built bundle’s JavaScript reads', () => {
    const faults = join(__dirname, '..', 'local', 'test-bundles', 'faults');
    expect(variablesReadBy(faults)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'AWS_REGION', 'JEST_WORKER_ID']),
    );
  });
});

describe('the contract’s indexed routes', () => {
  it('are GET /pets?type= on type-index, returning every property of Pet', () => {
    expect(indexedRoutes()).toEqual([LIST_BY_TYPE]);
  });
});
