import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCEPTANCE_FILE, checkConfiguration, configurationDetail, readAcceptances } from './index';
import { props, stackTemplate } from './test/template';

let dir: string;
let templatePath: string;
let acceptanceFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'configcheck-'));
  templatePath = join(dir, 'PetsStack.template.json');
  acceptanceFile = join(dir, 'accepted.json');
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => ({});\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The stack's template without deletion protection on its retained table. */
function unprotected(): void {
  const template = stackTemplate();
  props(template, 'Table').DeletionProtectionEnabled = false;
  writeFileSync(templatePath, JSON.stringify({ Resources: template.resources }));
}

function check(accepted: unknown) {
  writeFileSync(acceptanceFile, JSON.stringify(accepted));
  return checkConfiguration({
    templatePath,
    bundleDir: dir,
    peak: { concurrency: 1, source: 'the smoke profile’s VUs' },
    acceptanceFile,
  });
}

describe('checkConfiguration', () => {
  it('fails on a finding, naming what and where in the step’s line', () => {
    unprotected();
    const result = check({ accepted: [] });
    expect(result.passed).toBe(false);
    expect(configurationDetail(result)).toContain(
      'deletion-protection: Table (PetsStack/Table/Resource) DeletionProtectionEnabled = false (limit: true on a table with DeletionPolicy Retain)',
    );
  });

  it.each([
    ['its logical id', 'Table'],
    ['its CDK path', 'PetsStack/Table/Resource'],
  ])('passes a finding accepted with a reason, by %s', (_how, resource) => {
    unprotected();
    const reason = 'a scratch table, dropped by hand after each demo';
    const result = check({ accepted: [{ rule: 'deletion-protection', resource, reason }] });
    expect(result.passed).toBe(true);
    expect(result.accepted).toEqual([{ finding: expect.objectContaining({ resource: 'Table' }), reason }]);
    expect(configurationDetail(result)).toMatch(/: no finding, 1 accepted$/);
  });

  it.each([
    [{ rule: 'deletion-protection', resource: 'Table' }, 'gives no reason'],
    [{ rule: 'deletion-protection', resource: 'Table', reason: '  ' }, 'gives no reason'],
    [{ rule: 'deletion-protectoin', resource: 'Table', reason: 'x' }, 'is not one of timeout'],
    [{ rule: 'deletion-protection', resource: 'Table', reson: 'typo' }, 'unknown fields reson'],
  ])('rejects %j: it accepts nothing and fails the check', (entry, problem) => {
    unprotected();
    const result = check({ accepted: [entry] });
    expect(result.passed).toBe(false);
    expect(result.failures.map((finding) => finding.rule)).toEqual(['deletion-protection']);
    expect(result.rejectedAcceptances).toEqual([expect.stringContaining(problem)]);
    expect(configurationDetail(result)).toContain(`rejected acceptance: ${acceptanceFile}: acceptance 1`);
  });

  it('reports an acceptance that matches nothing, without failing', () => {
    writeFileSync(templatePath, JSON.stringify({ Resources: stackTemplate().resources }));
    const stale = { rule: 'timeout', resource: 'Function', reason: 'was 60 s for a batch import' };
    const result = check({ accepted: [stale] });
    expect(result.passed).toBe(true);
    expect(result.unusedAcceptances).toEqual([stale]);
  });

  it('says when there is no REPORT line to judge memory against', () => {
    writeFileSync(templatePath, JSON.stringify({ Resources: stackTemplate().resources }));
    expect(check({ accepted: [] }).notJudged).toEqual([expect.stringMatching(/^memory against use/)]);
  });
});

describe('the project’s acceptance file', () => {
  it('is valid, and every acceptance in it gives a reason', () => {
    expect(JSON.parse(readFileSync(ACCEPTANCE_FILE, 'utf8'))).toHaveProperty('accepted');
    expect(readAcceptances().rejected).toEqual([]);
  });
});
