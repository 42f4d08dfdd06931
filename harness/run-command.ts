import {
  type CommandSpec,
  choiceFlag,
  intFlag,
  parseFlags,
  passedThrough,
  runIdFlag,
  UsageError,
} from '../common/cli';
import { newRunId, reportsDir } from '../common/paths';
import { killTrackedChildren } from '../common/processes';
import type { CompareSettings } from '../compare/index';
import {
  DEFAULT_THRESHOLDS,
  formatThreshold,
  METRIC_KINDS,
  type MetricKind,
  parseBaselineFlag,
  parseThreshold,
} from '../compare/index';
import { readPriceFile } from '../cost/index';
import { stackNames } from '../infra/names';
import { LOAD_PROFILES, type LoadProfile, MAX_RUNNERS } from '../load/runner/index';
import { BUDGET_FLAGS, parseBudgetFlags } from '../logcheck/budget-flags';
import { deployedStageCommands, REHEARSAL_ENV } from '../rehearsal/recipe';
import { TARGETS, type Target } from './ids';
import type { RunSummary } from './results';
import type { RunOptions } from './run-context';
import { planHelpLines } from './step-docs';
import { signalExitCode, watchSignals } from './steps';

/**
 * `pets-harness run` (`npm start`): the whole harness in one command, then the report.
 * Exit 0 = every check passed, 1 = a check failed (named last), 2 = could not run (with the fix),
 * 130/143 = stopped by SIGINT/SIGTERM after stopping everything it started.
 */

/**
 * Loaded when the run starts, not for `--help` or a flag error. `require` (this is a CommonJS
 * package) keeps the lazy load typed without file extensions.
 */
const pipeline = (): typeof import('./pipeline') => require('./pipeline');
const report = (): typeof import('./report') => require('./report');
const chromium = (): typeof import('../tools/chromium') => require('../tools/chromium');

/** A `--regression-<kind>` flag, its default said in its help. */
function thresholdFlag(kind: MetricKind, what: string) {
  const help = `${what} (default '${formatThreshold(DEFAULT_THRESHOLDS[kind], kind)}')`;
  return { type: 'string', value: 'T', help } as const;
}

const flags = {
  target: {
    type: 'string',
    value: 'local|aws|rehearsal',
    help: 'where the API runs (default local; rehearsal: the aws path against moto, docs/deploy.md)',
  },
  profile: { type: 'string', value: 'NAME', help: `k6 profile: ${LOAD_PROFILES.join(', ')} (default smoke)` },
  port: {
    type: 'string',
    value: 'N',
    help: 'local stage port (default 0 = any free port, so a running `npm run stage` on 3000 is left alone)',
  },
  'run-id': {
    type: 'string',
    value: 'ID',
    help: 'run id sent as x-harness-run-id and used for reports/<run-id> (default a new time-sorted id)',
  },
  'skip-load': { type: 'boolean', help: 'skip k6 (newman and the log check still run)' },
  'dynamodb-image': {
    type: 'string',
    value: 'IMAGE',
    help: "local: container image for DynamoDB instead of the project's own (serving port 8000; e.g. amazon/dynamodb-local you pulled)",
  },
  runners: {
    type: 'string',
    value: 'N',
    help: `k6 processes sharing the profile by execution segments, judged together (default 1, at most ${MAX_RUNNERS})`,
  },
  'skip-screenshot': { type: 'boolean', help: 'do not render report.png with Chromium' },
  seed: {
    type: 'boolean',
    help: 'aws: reset the table and load the 20 seed pets before the checks (the rehearsal always does)',
  },
  'stack-name': {
    type: 'string',
    value: 'NAME',
    help: 'aws: the CloudFormation stack (default PetsStack; with --outputs, picks the stack in the file)',
  },
  region: {
    type: 'string',
    value: 'R',
    help: "aws: region (default AWS_REGION or the profile); rehearsal: moto's (default us-east-1)",
  },
  outputs: {
    type: 'string',
    value: 'FILE',
    help: 'aws: read the stack outputs from `cdk deploy --outputs-file FILE` instead of DescribeStacks',
  },
  'wait-ms': {
    type: 'string',
    value: 'N',
    help: 'log check: wait up to N ms for the log lines (default 3000 local, 120000 cloudwatch)',
  },
  baseline: {
    type: 'string',
    value: 'RUN',
    help: 'compare with a run id, a run folder or summary.json, latest-passed (the default: the\nlatest passing run of the same target and profile), or none',
  },
  'regression-latency': thresholdFlag('latency', 'a latency regression is worse than T'),
  'regression-init': thresholdFlag('init', 'Init Duration'),
  'regression-init-cpu': thresholdFlag(
    'init-cpu',
    'the CPU time of init, on cold starts measured for the comparison',
  ),
  'regression-memory': thresholdFlag('memory', 'peak Max Memory Used'),
  'regression-bundle': thresholdFlag('bundle', 'bundle size'),
  'regression-log-lines': thresholdFlag('log-lines', 'log lines per request, per route'),
  'regression-log-bytes': thresholdFlag('log-bytes', 'log bytes per request, per route'),
  'regression-access': thresholdFlag(
    'access',
    'DynamoDB calls per request and items read per item returned, per route',
  ),
  'regression-confidence': {
    type: 'string',
    value: 'C',
    help: 'confidence of the comparison, 0.5–0.9999 (default 0.99)',
  },
  prices: {
    type: 'string',
    value: 'FILE',
    help: 'price table for the cost section (JSON, the shape of cost/prices.ts)',
  },
  ...passedThrough(BUDGET_FLAGS, '(log check budget, passed through)'),
} as const;

export const spec = {
  name: 'pets-harness run',
  summary: [
    'Run the whole harness and write reports/<run-id>/index.html (+ summary.json, report.png).',
    'Steps (docs/harness.md says what each does, needs and judges):',
    ...planHelpLines(),
    'Exit 0 = all checks passed, 1 = a check failed (named last), 2 = could not run (the message says how to fix it),',
    '130/143 = stopped by Ctrl-C/SIGTERM (everything started is stopped first).',
  ].join('\n'),
  flags,
} satisfies CommandSpec<typeof flags>;

export interface ParsedRun {
  options: RunOptions;
  screenshot: boolean;
}

/** `--profile` is the k6 load profile here; someone meaning an AWS profile is told where that goes. */
function loadProfile(raw: string | undefined): LoadProfile {
  try {
    return choiceFlag('profile', raw, LOAD_PROFILES, 'smoke');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${error.message} (the k6 load profile; for an AWS profile set AWS_PROFILE=NAME)`);
  }
}

/** Flags only some targets take: the others refuse them, saying why. */
function checkTargetFlags(target: Target, values: Partial<Record<string, unknown>>): void {
  const awsOnly = ['seed', 'stack-name', 'outputs'];
  const rehearsalStack = stackNames(REHEARSAL_ENV).stackName;
  const refused: Record<Target, [readonly string[], string][]> = {
    local: [
      [awsOnly, '--target aws only (the local target always seeds its own table)'],
      [['region'], '--target aws and rehearsal only (the local target runs on its own stand-ins)'],
    ],
    rehearsal: [
      [
        awsOnly,
        `--target aws only (the rehearsal deploys ${rehearsalStack} into moto, reads it with DescribeStacks and always seeds it)`,
      ],
      [['dynamodb-image'], "--target local only (the rehearsal uses the stack's table in moto)"],
    ],
    aws: [
      [['port'], '--target local and rehearsal only (aws uses the stage URL from the stack outputs)'],
      [['dynamodb-image'], "--target local only (aws uses the stack's table)"],
    ],
  };
  for (const [flags, why] of refused[target]) {
    for (const flag of flags) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to ${why}`);
    }
  }
}

/**
 * The rehearsal's aws steps run with the flags the deployed-stage job passes (rehearsal/recipe.ts):
 * the stack of the rehearsal's environment, seeded.
 */
function rehearsedAwsOptions(): Pick<RunOptions, 'stackName' | 'seed'> {
  const parsed = parseRunFlags(deployedStageCommands(REHEARSAL_ENV).run);
  if (!parsed) throw new Error("the deployed-stage job's flags asked for help");
  return { stackName: parsed.options.stackName, seed: parsed.options.seed };
}

/** Flags → run options; every wrong flag or combination is a UsageError that names it. */
export function parseRunFlags(argv: string[]): ParsedRun | undefined {
  const values = parseFlags(spec, argv);
  if (!values) return undefined;
  const target = choiceFlag('target', values.target, TARGETS, 'local');
  const profile = loadProfile(values.profile);
  const runId = runIdFlag(values['run-id'], newRunId);
  checkTargetFlags(target, values);
  const budgets = parseBudgetFlags(values);
  const waitMs =
    values['wait-ms'] === undefined ? undefined : intFlag('wait-ms', values['wait-ms'], 0, 0, 900_000);
  const baseline = parseBaselineFlag(values.baseline);
  return {
    screenshot: !values['skip-screenshot'],
    options: {
      runId,
      target,
      profile,
      port: intFlag('port', values.port, 0, 0, 65_535),
      skipLoad: Boolean(values['skip-load']),
      ...(values['dynamodb-image'] ? { dynamoDbImage: values['dynamodb-image'] } : {}),
      runners: intFlag('runners', values.runners, 1, 1, MAX_RUNNERS),
      seed: Boolean(values.seed),
      ...(values['stack-name'] ? { stackName: values['stack-name'] } : {}),
      ...(target === 'rehearsal' ? rehearsedAwsOptions() : {}),
      ...(values.region ? { region: values.region } : {}),
      ...(values.outputs ? { outputsFile: values.outputs } : {}),
      budgets,
      ...(waitMs === undefined ? {} : { waitMs }),
      reportsDir: reportsDir(runId),
      baseline,
      compare: compareSettings(values),
      ...(values.prices ? { prices: readPriceFile(values.prices) } : {}),
    },
  };
}

/** `--regression-*` flags over the defaults; each wrong value is a UsageError naming its flag. */
function compareSettings(values: Partial<Record<string, string | boolean | undefined>>): CompareSettings {
  const thresholds = { ...DEFAULT_THRESHOLDS };
  for (const kind of METRIC_KINDS) {
    const raw = values[`regression-${kind}`];
    if (typeof raw === 'string') thresholds[kind] = parseThreshold(`regression-${kind}`, raw, kind);
  }
  const rawConfidence = values['regression-confidence'];
  let confidence = 0.99;
  if (typeof rawConfidence === 'string') {
    confidence = Number(rawConfidence);
    if (!/^0?\.\d+$/.test(rawConfidence) || confidence < 0.5 || confidence > 0.9999) {
      throw new UsageError(
        `--regression-confidence must be a number from 0.5 to 0.9999, got '${rawConfidence}'`,
      );
    }
  }
  return { thresholds, confidence };
}

/** The page, summary.json and (unless skipped) the screenshot; a screenshot failure is a warning. */
async function publish(summary: RunSummary, screenshot: boolean, dir: string): Promise<string> {
  const { estimatePageHeight, writeReport } = report();
  const { html } = writeReport(summary, dir);
  if (!screenshot) return html;
  try {
    const { screenshotPage } = chromium();
    await screenshotPage(html, `${dir}/report.png`, { height: estimatePageHeight(summary) });
    summary.reports['report-screenshot'] = 'report.png';
    writeReport(summary, dir);
    return html;
  } catch (error) {
    summary.warnings.push(
      `report.png was not written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
    writeReport(summary, dir);
    return html;
  }
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseRunFlags(argv);
  if (!parsed) return 0;
  const { options, screenshot } = parsed;
  const interruption = watchSignals((signal) => {
    // A second signal: the user does not want an orderly stop. Kill and go.
    process.stderr.write(`\n${signal} again: killing everything and exiting now\n`);
    killTrackedChildren('SIGKILL');
    process.exit(signalExitCode(signal));
  });
  try {
    process.stderr.write(
      `pets-harness run ${options.runId} — ${options.target} target, ${options.skipLoad ? 'no load' : `${options.profile} profile`}\n`,
    );
    const { runHarness } = pipeline();
    const { summary, interruptedBy } = await runHarness(options, interruption);
    const html = await publish(summary, screenshot && !interruptedBy, options.reportsDir);
    const { renderConsoleSummary } = report();
    console.log(renderConsoleSummary(summary, html));
    if (interruptedBy) {
      // Whatever a part left pending (an HTTP request, a timer) must not keep a stopped run alive.
      setTimeout(() => process.exit(summary.exitCode), 1000).unref();
    }
    return summary.exitCode;
  } finally {
    interruption.dispose();
  }
}
