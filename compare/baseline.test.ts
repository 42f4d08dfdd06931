import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../common/cli';
import { latestPassedRun, parseBaselineFlag, selectBaseline } from './baseline';
import { figuresWith } from './test/figures';

let root: string;
const figures = figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 200, seed: 1 });

function run(runId: string, fields: Record<string, unknown>): void {
  mkdirSync(join(root, runId), { recursive: true });
  writeFileSync(
    join(root, runId, 'summary.json'),
    JSON.stringify({ runId, target: 'local', profile: 'smoke', verdict: 'passed', figures, ...fields }),
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'baseline-'));
  run('a-old', { startedAt: '2026-11-30T00:00:00Z' });
  run('b-newest-passed', { startedAt: '2026-11-30T01:00:00Z' });
  run('c-failed', { startedAt: '2026-11-30T02:00:00Z', verdict: 'failed' });
  run('d-other-profile', { startedAt: '2026-11-30T03:00:00Z', profile: 'load' });
  run('e-no-figures', { startedAt: '2026-11-30T04:00:00Z', figures: undefined });
  mkdirSync(join(root, 'f-broken'));
  writeFileSync(join(root, 'f-broken', 'summary.json'), '{not json');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const current = { runId: 'now', target: 'local', profile: 'smoke' };

describe('baseline selection', () => {
  it('takes the latest passing run of the same target and profile that kept figures', () => {
    expect(latestPassedRun(root, current)?.summary.runId).toBe('b-newest-passed');
  });

  it('never picks the run itself', () => {
    expect(latestPassedRun(root, { ...current, runId: 'b-newest-passed' })?.summary.runId).toBe('a-old');
  });

  it('says there was none, and where it looked', () => {
    const selected = selectBaseline(parseBaselineFlag(undefined), join(root, 'now'), {
      ...current,
      profile: 'soak',
    });
    expect(selected.run).toBeUndefined();
    expect(selected.reason).toBe(`no earlier passing local/soak run under ${root}`);
  });

  it('takes a named run by id or by path, even one that failed', () => {
    expect(
      selectBaseline({ kind: 'named', value: 'c-failed' }, join(root, 'now'), current).run?.summary.runId,
    ).toBe('c-failed');
    const byPath = selectBaseline({ kind: 'named', value: join(root, 'a-old') }, join(root, 'now'), current);
    expect(byPath.run?.summary.runId).toBe('a-old');
    expect(byPath.selectedBy).toBe('named');
  });

  it('says a named run from before baselines cannot be compared', () => {
    expect(
      selectBaseline({ kind: 'named', value: 'e-no-figures' }, join(root, 'now'), current).reason,
    ).toMatch(/has no figures of version 1/);
  });

  it('refuses a named run that does not exist, naming the flag', () => {
    expect(() => selectBaseline({ kind: 'named', value: 'nope' }, join(root, 'now'), current)).toThrow(
      UsageError,
    );
    expect(() => selectBaseline({ kind: 'named', value: 'f-broken' }, join(root, 'now'), current)).toThrow(
      /--baseline f-broken: .* is not a run's summary.json/,
    );
  });

  it('compares with nothing when asked', () => {
    expect(selectBaseline(parseBaselineFlag('none'), join(root, 'now'), current)).toEqual({
      selectedBy: 'none',
      reason: 'not asked (--baseline none)',
    });
  });
});
