import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../common/paths';
import { parseDeployArgs } from '../infra/deploy';
import { deployedStageCommands, REHEARSAL_ENV } from '../rehearsal/recipe';
import { TOOL_NAMES } from '../tools/cli';
import { parseRunFlags } from './run-command';

/**
 * The CI examples cannot run here (they need GitHub and, for one, an AWS account), so this checks
 * what can be checked: they are valid workflows, every npm script they call exists, and the
 * harness flags they pass are ones `pets-harness run` accepts.
 */

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_DIR = join(PROJECT_ROOT, '.github', 'workflows');
const SCRIPTS = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

function load(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOW_DIR, file), 'utf8')) as Workflow;
}

function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps);
}

/** `npm run x`, `npm start`, `npm test` → the script names they call. */
function npmScripts(command: string): string[] {
  const names: string[] = [];
  for (const match of command.matchAll(/\bnpm (run(?:-script)?|start|test)\b(?: ([\w:-]+))?/g)) {
    if (match[1] === 'start') names.push('start');
    else if (match[1] === 'test') names.push('test');
    else if (match[2]) names.push(match[2]);
  }
  return names;
}

/** The flags after `npm start --`, with `${{ … }}` expressions replaced by a plain word. */
function harnessFlags(command: string): string[] | undefined {
  const match = /npm start -- (.+)$/s.exec(command.replace(/\$\{\{[^}]+\}\}/g, 'x'));
  return match?.[1]?.trim().split(/\s+/);
}

const files = readdirSync(WORKFLOW_DIR).filter((file) => /\.ya?ml$/.test(file));

describe('the CI example workflows', () => {
  it('are the pull-request, deployed-stage and mutation-testing pipelines', () => {
    expect(files.sort()).toEqual(['deployed-stage.yml', 'mutation.yml', 'pull-request.yml']);
  });

  it.each(files)(
    '%s is a workflow: triggers, and jobs whose steps each use an action or run a command',
    (file) => {
      const workflow = load(file);

      expect(workflow.name).toEqual(expect.any(String));
      expect(workflow.on).toBeDefined();
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect({ id, runsOn: job['runs-on'] }).toEqual({ id, runsOn: expect.any(String) });
        for (const need of [job.needs ?? []].flat()) expect(Object.keys(workflow.jobs)).toContain(need);
        for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
      }
    },
  );

  it.each(files)('%s pins every action to a major version', (file) => {
    for (const step of allSteps(load(file))) {
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
    }
  });

  it.each(files)('%s calls only npm scripts that package.json defines', (file) => {
    const called = allSteps(load(file)).flatMap((step) => npmScripts(step.run ?? ''));

    expect(called.length).toBeGreaterThan(0);
    for (const script of called) expect(Object.keys(SCRIPTS)).toContain(script);
  });

  it.each(['pull-request.yml', 'deployed-stage.yml'])(
    '%s passes pets-harness run only flags it accepts',
    (file) => {
      const runs = allSteps(load(file))
        .map((step) => harnessFlags(step.run ?? ''))
        .filter((flags): flags is string[] => flags !== undefined);

      expect(runs.length).toBeGreaterThan(0);
      for (const flags of runs) expect(parseRunFlags(flags)).toBeDefined();
    },
  );

  it('runs lint, every jest project (npm run test:<project>, the slow one included) and the local harness on a pull request', () => {
    const workflow = load('pull-request.yml');
    const commands = allSteps(workflow).map((step) => step.run ?? '');
    const projectScripts = Object.keys(SCRIPTS).filter((script) => script.startsWith('test:'));

    expect(projectScripts).toEqual(expect.arrayContaining(['test:handler', 'test:harness', 'test:slow']));
    for (const script of ['lint', ...projectScripts]) {
      expect(commands).toContain(`npm run ${script}`);
    }
    expect(commands.some((command) => command.startsWith('npm start'))).toBe(true);
    expect(workflow.on).toHaveProperty('pull_request');
  });

  it('uploads reports/ as an artifact even when the harness failed, and caches the tool cache', () => {
    const steps = load('pull-request.yml').jobs.harness?.steps ?? [];
    const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact'));
    const cache = steps.find((step) => step.uses?.startsWith('actions/cache'));

    expect(upload).toMatchObject({ if: 'always()', with: { path: 'reports/' } });
    expect(cache?.with?.path).toMatch(/^\$\{\{ env\.PETS_HARNESS_CACHE \}\}$/);
    expect(steps.indexOf(cache as Step)).toBeLessThan(
      steps.findIndex((step) => step.run?.startsWith('npm start')),
    );
  });

  it('deploys an ephemeral stack with OIDC credentials, runs the harness against it, and always destroys it', () => {
    const workflow = load('deployed-stage.yml');
    const steps = workflow.jobs['deployed-stage']?.steps ?? [];
    const index = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);

    expect(workflow.permissions).toMatchObject({ 'id-token': 'write' });
    const credentials =
      steps[index((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials') ?? false)];
    expect(credentials?.with).toHaveProperty('role-to-assume');
    expect(credentials?.with).not.toHaveProperty('aws-access-key-id');
    const deploy = index((step) => step.run?.startsWith('npm run deploy --') ?? false);
    const harness = index((step) => step.run?.startsWith('npm start --') ?? false);
    const destroy = index((step) => step.run?.startsWith('npm run destroy --') ?? false);
    expect(workflow.env?.STAGE_ENV).toMatch(/^pr-\$\{\{/);
    expect(index((step) => step === credentials)).toBeLessThan(deploy);
    expect(deploy).toBeLessThan(harness);
    expect(harness).toBeLessThan(destroy);
    expect(steps[destroy]).toMatchObject({ if: 'always()' });
    expect(destroy).toBe(steps.length - 1);
  });

  it("runs the deployed-stage job's commands with the rehearsal's flags: same steps, same flags", () => {
    const steps = load('deployed-stage.yml').jobs['deployed-stage']?.steps ?? [];
    // The workflow's environment name, as a value the parsers accept.
    const env = 'pr-7';
    const flagsAfter = (prefix: string) => {
      const step = steps.find((candidate) => candidate.run?.startsWith(`${prefix} -- `));
      const command = (step?.run ?? '')
        .replace(/\$\{\{ env\.STAGE_ENV \}\}/g, env)
        .replace(/\$\{\{[^}]+\}\}/g, 'x');
      return command.slice(`${prefix} -- `.length).trim().split(/\s+/);
    };
    const withoutRunId = (flags: string[]) =>
      flags.filter((_, i) => flags[i] !== '--run-id' && flags[i - 1] !== '--run-id');

    const recipe = deployedStageCommands(env);

    expect(flagsAfter('npm run deploy')).toEqual(recipe.deploy);
    expect(withoutRunId(flagsAfter('npm start'))).toEqual(recipe.run);
    expect(flagsAfter('npm run destroy')).toEqual(recipe.destroy);
    // The flags mean the same to the commands themselves.
    expect(parseDeployArgs(['deploy', ...recipe.deploy])).toMatchObject({
      env,
      destroyOnRemoval: true,
      yes: true,
    });
    expect(parseRunFlags(recipe.run)?.options).toMatchObject({
      target: 'aws',
      stackName: `PetsStack-${env}`,
      seed: true,
    });
    expect(parseDeployArgs(['destroy', ...recipe.destroy])).toMatchObject({ command: 'destroy', env });
  });

  it('.ci/run rehearses the aws path after npm start, with moto provisioned by npm run tools', () => {
    const commands = readFileSync(join(PROJECT_ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^npm /.test(line));
    const at = (command: string) => commands.indexOf(command);

    expect(at('npm run tools')).toBeGreaterThanOrEqual(0);
    expect(at('npm run tools')).toBeLessThan(at('npm start'));
    expect(at('npm start')).toBeLessThan(at('npm start -- --target rehearsal'));
    // Without --only, npm run tools provisions every tool, moto among them.
    expect(TOOL_NAMES).toContain('moto');
    // The rehearsal's aws steps get the deployed-stage job's flags (the recipe the workflow is held to above).
    const rehearsal = parseRunFlags(['--target', 'rehearsal'])?.options;
    const deployedStage = parseRunFlags(deployedStageCommands(REHEARSAL_ENV).run)?.options;
    expect(rehearsal).toMatchObject({ stackName: deployedStage?.stackName, seed: deployedStage?.seed });
  });

  it("runs mutation testing on a schedule, keeping Stryker's incremental file and always uploading its report", () => {
    const workflow = load('mutation.yml');
    const steps = workflow.jobs.mutation?.steps ?? [];
    const index = (predicate: (step: Step) => boolean) => steps.findIndex(predicate);

    expect(workflow.on).toHaveProperty('schedule');
    expect(workflow.on).not.toHaveProperty('pull_request');
    const cache = index((step) => step.uses?.startsWith('actions/cache') ?? false);
    const mutation = index((step) => step.run === 'npm run mutation');
    const upload = index((step) => step.uses?.startsWith('actions/upload-artifact') ?? false);
    expect(steps[cache]?.with?.path).toBe('reports/mutation/stryker-incremental.json');
    expect(cache).toBeGreaterThanOrEqual(0);
    expect(cache).toBeLessThan(mutation);
    expect(mutation).toBeLessThan(upload);
    expect(steps[upload]).toMatchObject({ if: 'always()', with: { path: 'reports/mutation/' } });
  });
});
