import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBundle } from '../build';
import { PROJECT_ROOT } from '../common/paths';
import { readStageTemplate, type StageTemplate } from '../local/stage/template';
import {
  operationsInBundle,
  operationsInSource,
  requiredChecks,
  type SentOperation,
  usageFindings,
} from './test/dynamodb-usage';
import {
  disposeApp,
  type SynthesizedStack,
  synthPetsApp,
  WITHOUT_CLOUDFORMATION_VALIDATION,
} from './test/synth';

// Synthesizing copies the bundle and runs cdk-nag: seconds, not ms.
const SYNTH_TIMEOUT_MS = 180_000;
const LOCALS = { region: 'us-east-1', accountId: '123456789012' };

let synthesized: SynthesizedStack;
let bundleFile: string;
let workDir: string;

beforeAll(async () => {
  bundleFile = join((await ensureBundle()).dir, 'index.js');
  synthesized = synthPetsApp({}, WITHOUT_CLOUDFORMATION_VALIDATION);
  workDir = mkdtempSync(join(tmpdir(), 'iam-usage-'));
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  disposeApp(synthesized.app);
  rmSync(workDir, { recursive: true, force: true });
});

/** The synthesized template as the stage reads it, after `change` edits its JSON. */
function stageTemplate(
  change: (resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>) => void = () =>
    undefined,
): StageTemplate {
  const json = structuredClone(synthesized.json);
  change(json.Resources);
  // The stack's name is the file's, as in cdk.out.
  const path = join(mkdtempSync(join(workDir, 'template-')), 'PetsStack.template.json');
  writeFileSync(path, JSON.stringify(json));
  return readStageTemplate(path, LOCALS);
}

function handlerOperations(): SentOperation[] {
  return operationsInSource(join(PROJECT_ROOT, 'handler'));
}

describe('what the function can send to DynamoDB against what its role allows (synth time)', () => {
  it('finds the same operations in the bundle as in the handler sources', () => {
    const fromSource = [...new Set(handlerOperations().map((sent) => sent.operation))].sort();

    expect(operationsInBundle(bundleFile)).toEqual(fromSource);
    expect(fromSource).toEqual(['DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan']);
  });

  it('allows every operation the bundle can send, and nothing the bundle does not send', async () => {
    const template = stageTemplate();

    expect(await usageFindings(template, requiredChecks(handlerOperations(), template))).toEqual([]);
  });

  it('reports an operation the role does not grant, naming the action and resource', async () => {
    const template = stageTemplate();
    const sent = [...handlerOperations(), { operation: 'BatchGetItem', onIndex: false }];

    expect(await usageFindings(template, requiredChecks(sent, template))).toEqual([
      expect.stringMatching(
        /^not allowed: dynamodb:BatchGetItem on arn:aws:dynamodb:us-east-1:123456789012:table\/pets \(User: .* because no identity-based policy allows the dynamodb:BatchGetItem action\)$/u,
      ),
    ]);
  });

  it('reports an action the role grants that nothing sends', async () => {
    const template = stageTemplate();
    const sent = handlerOperations().filter((op) => op.operation !== 'DeleteItem');

    expect(await usageFindings(template, requiredChecks(sent, template))).toEqual([
      expect.stringMatching(
        /^unused: .* allows dynamodb:DeleteItem on arn:aws:dynamodb:us-east-1:123456789012:table\/pets$/u,
      ),
    ]);
  });

  it('needs Query on the index, not on the table, for a Query with an IndexName', () => {
    const template = stageTemplate();

    expect(requiredChecks([{ operation: 'Query', onIndex: true }], template)).toEqual([
      {
        action: 'dynamodb:Query',
        resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/pets/index/type-index',
      },
    ]);
  });
});
