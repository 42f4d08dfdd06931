import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import { disposeApp, onlyLogicalId, type SynthesizedStack, synthPetsApp } from '../infra/test/synth';
import { TOOL_VERSIONS } from '../tools/cache';
import {
  adjustTemplate,
  MOCK_INTEGRATION_FIELDS,
  MOTO_ADJUSTMENTS,
  STAGE_FROM_DEPLOYMENT,
  type Template,
} from './adjustments';
import { adjustAssembly } from './assembly';
import { REHEARSAL_ENV } from './recipe';

/**
 * Each template adjustment on the rehearsal's own template (the real app, synthesized with the
 * rehearsal's context): what it changes, and that it changes nothing else. That moto still needs
 * each: `without` (rehearsal/index.ts) leaves one out, to check by hand after a moto upgrade.
 */

let synthesized: SynthesizedStack;

beforeAll(() => {
  synthesized = synthPetsApp({ env: REHEARSAL_ENV, destroyOnRemoval: 'true' });
}, 60_000);

afterAll(() => {
  if (synthesized) disposeApp(synthesized.app);
});

function freshTemplate(): Template {
  return structuredClone(synthesized.json) as unknown as Template;
}

function ofType(template: Template, type: string) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

describe('the moto adjustments', () => {
  it('are each named once, with what they do and why moto needs it, naming the moto version', () => {
    const ids = MOTO_ADJUSTMENTS.map((adjustment) => adjustment.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      'template-url-localhost',
      'direct-deploy',
      'mock-integration-fields',
      'stage-from-deployment',
    ]);
    for (const adjustment of MOTO_ADJUSTMENTS) {
      expect(adjustment.does.length).toBeGreaterThan(20);
      expect(adjustment.why).toContain(`moto ${TOOL_VERSIONS.moto}`);
    }
  });

  it('are the ones docs/deploy.md lists, for the moto version tools/cache.ts pins', () => {
    const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'deploy.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z-]+)` +\|/gmu)].map((match) => match[1]);

    expect(listed).toEqual(MOTO_ADJUSTMENTS.map((adjustment) => adjustment.id));
    expect(doc).toContain(`moto ${TOOL_VERSIONS.moto}`);
  });
});

describe('mock-integration-fields', () => {
  it('gives each MOCK preflight an IntegrationHttpMethod and a Uri, and leaves the proxy methods alone', () => {
    const template = freshTemplate();
    const before = freshTemplate();

    const changed = MOCK_INTEGRATION_FIELDS.apply(template);

    const methods = ofType(template, 'AWS::ApiGateway::Method');
    const mocks = methods.filter(
      ([, method]) => (method.Properties?.Integration as { Type?: string } | undefined)?.Type === 'MOCK',
    );
    expect(mocks.map(([id]) => id).sort()).toEqual([...changed].sort());
    expect(changed).toHaveLength(2);
    for (const [, method] of mocks) {
      expect(method.Properties?.Integration).toMatchObject({ IntegrationHttpMethod: 'OPTIONS', Uri: '' });
    }
    for (const [id, method] of methods) {
      if (!changed.includes(id)) expect(method).toEqual(before.Resources[id]);
    }
  });

  it('changes nothing the second time', () => {
    const template = freshTemplate();
    MOCK_INTEGRATION_FIELDS.apply(template);

    expect(MOCK_INTEGRATION_FIELDS.apply(template)).toEqual([]);
  });
});

describe('stage-from-deployment', () => {
  it('moves the stage onto its deployment and names it wherever the stage was referred to', () => {
    const template = freshTemplate();
    const [stageId, stage] = ofType(template, 'AWS::ApiGateway::Stage')[0] ?? ['', { Type: '' }];
    const deploymentId = (stage.Properties?.DeploymentId as { Ref?: string } | undefined)?.Ref ?? '';

    const changed = STAGE_FROM_DEPLOYMENT.apply(template);

    expect(changed).toEqual([stageId, deploymentId]);
    expect(ofType(template, 'AWS::ApiGateway::Stage')).toEqual([]);
    expect(JSON.stringify(template)).not.toContain(`"${stageId}"`);
    expect(template.Resources[deploymentId]?.Properties).toMatchObject({ StageName: 'default' });
    // What the stage waited for (the account's logging role, the execution log group), its deployment now does.
    expect(template.Resources[deploymentId]?.DependsOn).toEqual(
      expect.arrayContaining([stage.DependsOn].flat()),
    );
    const apiUrl = JSON.stringify(template.Outputs?.ApiUrl);
    expect(apiUrl).toContain('"/","default"');
  });

  it('refuses a stage named by more than a Ref or DependsOn, rather than deploy a template it broke', () => {
    const template = freshTemplate();
    const stageId = ofType(template, 'AWS::ApiGateway::Stage')[0]?.[0] ?? '';
    template.Outputs = { ...template.Outputs, StageArn: { Value: { 'Fn::GetAtt': [stageId, 'Arn'] } } };

    expect(() => STAGE_FROM_DEPLOYMENT.apply(template)).toThrow(/named by more than a Ref or DependsOn/);
  });
});

describe('adjustTemplate', () => {
  it('makes every template adjustment in order and says what each changed', () => {
    const template = freshTemplate();

    const applied = adjustTemplate(template);

    expect(applied.map((adjustment) => adjustment.id)).toEqual([
      'mock-integration-fields',
      'stage-from-deployment',
    ]);
    expect(applied.every((adjustment) => adjustment.changed.length > 0)).toBe(true);
  });
});

describe('the cloud assembly given to moto', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rehearsal-assembly-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it("is an adjusted copy: the synthesized assembly is untouched, and the copy's manifest and asset list name the adjusted template's own hash", () => {
    const from = synthesized.app.outdir;
    const stackName = synthesized.stack.stackName;
    const original = join(from, `${stackName}.template.json`);
    const originalHash = sha256(original);

    const assembly = adjustAssembly({
      from,
      to: join(dir, 'cdk.out.moto'),
      stackName,
      functionId: () => onlyLogicalId(synthesized.json, 'AWS::Lambda::Function'),
    });

    expect(sha256(original)).toBe(originalHash);
    const adjustedHash = sha256(assembly.templatePath);
    expect(adjustedHash).not.toBe(originalHash);
    for (const file of ['manifest.json', `${stackName}.assets.json`]) {
      const text = readFileSync(join(assembly.dir, file), 'utf8');
      expect({ file, adjusted: text.includes(adjustedHash), original: text.includes(originalHash) }).toEqual({
        file,
        adjusted: true,
        original: false,
      });
    }
    expect(assembly.applied.map((applied) => applied.id)).toEqual([
      'mock-integration-fields',
      'stage-from-deployment',
    ]);
    expect(existsSync(join(assembly.functionBundleDir, 'index.js'))).toBe(true);
  });
});
