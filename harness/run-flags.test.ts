import { UsageError } from '../common/cli';
import { plannedSteps } from './pipeline';
import { parseRunFlags } from './run-command';

function parse(argv: string[]) {
  const parsed = parseRunFlags(argv);
  if (!parsed) throw new Error('expected flags, got --help');
  return parsed;
}

describe('pets-harness run flags', () => {
  it('defaults to the local target, the smoke profile, a free port and a fresh run id', () => {
    const { options, screenshot } = parse([]);

    expect(options).toMatchObject({
      target: 'local',
      profile: 'smoke',
      port: 0,
      skipLoad: false,
      seed: false,
    });
    expect(options.runId).toMatch(/^\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(options.reportsDir.endsWith(`reports/${options.runId}`)).toBe(true);
    expect(screenshot).toBe(true);
  });

  it('reads every aws flag', () => {
    const { options } = parse([
      '--target',
      'aws',
      '--profile',
      'load',
      '--seed',
      '--stack-name',
      'PetsStack-pr-7',
      '--region',
      'eu-west-1',
      '--outputs',
      'cdk-outputs.json',
      '--run-id',
      'pr-7.run_1',
      '--wait-ms',
      '60000',
    ]);

    expect(options).toMatchObject({
      target: 'aws',
      profile: 'load',
      seed: true,
      stackName: 'PetsStack-pr-7',
      region: 'eu-west-1',
      outputsFile: 'cdk-outputs.json',
      runId: 'pr-7.run_1',
      waitMs: 60_000,
    });
  });

  it('passes the budget flags through to the log check under its own names', () => {
    const { options } = parse([
      '--budget-errors',
      '1',
      '--budget-p95-ms',
      '800',
      '--budget-p99-ms',
      '2000',
      '--budget-cold-starts',
      '3',
      '--budget-init-p95-ms',
      '1500',
      '--budget-memory-pct',
      '75',
    ]);

    expect(options.budgets).toEqual({
      maxErrors: 1,
      p95Ms: 800,
      p99Ms: 2000,
      maxColdStarts: 3,
      initP95Ms: 1500,
      maxMemoryPct: 75,
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--target', 'mars'], /--target must be one of local, aws, rehearsal, got 'mars'/],
    [['--profile', 'huge'], /--profile must be one of smoke, load, stress, spike, soak/],
    [['--profile', 'sandbox'], /the k6 load profile; for an AWS profile set AWS_PROFILE=NAME/],
    [['--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--port'], /--port/],
    [['--run-id', '../escape'], /--run-id must be/],
    [['--seed'], /--seed applies to --target aws only/],
    [['--outputs', 'x.json'], /--outputs applies to --target aws only/],
    [['--target', 'aws', '--port', '3000'], /--port applies to --target local and rehearsal only/],
    [
      ['--target', 'rehearsal', '--seed'],
      /--seed applies to --target aws only \(the rehearsal deploys PetsStack-rehearsal/,
    ],
    [['--target', 'rehearsal', '--stack-name', 'X'], /--stack-name applies to --target aws only/],
    [['--target', 'rehearsal', '--outputs', 'x.json'], /--outputs applies to --target aws only/],
    [['--budget-memory-pct', '0'], /--budget-memory-pct must be a whole number from 1 to 100/],
    [['--budget-p95-ms', 'fast'], /--budget-p95-ms must be a whole number/],
    [['extra'], /extra/],
  ])('rejects %j with a UsageError that names the flag', (argv, message) => {
    expect(() => parseRunFlags(argv)).toThrow(UsageError);
    expect(() => parseRunFlags(argv)).toThrow(message);
  });

  it("gives the rehearsal the deployed-stage job's aws flags: its own stack, seeded", () => {
    const parsed = parseRunFlags(['--target', 'rehearsal', '--port', '0', '--region', 'eu-west-1']);

    expect(parsed?.options).toMatchObject({
      target: 'rehearsal',
      stackName: 'PetsStack-rehearsal',
      seed: true,
      port: 0,
      region: 'eu-west-1',
    });
  });

  it('prints the help and returns nothing for --help', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(parseRunFlags(['--help'])).toBeUndefined();
      expect(log.mock.calls.join('\n')).toContain('--target local|aws|rehearsal');
    } finally {
      log.mockRestore();
    }
  });
});

const CHECKS = ['newman', 'load', 'fuzz', 'faults', 'access', 'logcheck', 'configuration', 'baseline'];

describe('the steps of a run', () => {
  it.each([
    ['local', ['tools', 'dynamodb', 'seed', 'bundle', 'stage', ...CHECKS]],
    // The fault round and the access patterns are planned there too, and skipped with the reason.
    ['aws', ['credentials', 'tools', 'outputs', 'seed', ...CHECKS]],
  ] as const)('plans the %s target as %j, the checks last', (target, ids) => {
    const planned = plannedSteps({ target, profile: 'smoke' });

    expect(planned.map((step) => step.id)).toEqual(ids);
    expect(planned.filter((step) => step.check).map((step) => step.id)).toEqual(CHECKS);
  });

  it("plans the rehearsal as every step of the aws target, between moto's start, the deploy and the stage, and the destroy", () => {
    const rehearsal = plannedSteps({ target: 'rehearsal', profile: 'smoke' }).map((step) => step.id);
    const aws = plannedSteps({ target: 'aws', profile: 'smoke' }).map((step) => step.id);

    expect(rehearsal).toEqual([
      'moto',
      'credentials',
      'tools',
      'deploy',
      'outputs',
      'seed',
      'stage',
      ...CHECKS,
      'destroy',
    ]);
    expect(rehearsal.filter((id) => aws.includes(id))).toEqual(aws);
  });
});
