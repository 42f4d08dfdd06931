import type { LoadProfile } from '../load/runner/index';
import {
  checkAccessPatterns,
  checkLogs,
  compareWithBaseline,
  RUN_FUZZ_SECONDS,
  runFaultRoundStep,
  runFuzzStep,
  runK6,
  runNewmanStep,
} from './check-steps';
import { checkConfigurationStep } from './config-step';
import { STEP_IDS, type StepId, TARGETS, type Target } from './ids';
import { deployIntoStandIn, destroyDeployedStack, serveDeployedStage, startStandIn } from './rehearsal-steps';
import type { CheckWork, RunOptions, SetupWork, UndoWork } from './run-context';
import {
  checkCredentials,
  ensureLocalBundle,
  provisionTools,
  readStackOutputs,
  seedLocalTable,
  seedStackTable,
  startLocalDynamoDb,
  startLocalStage,
} from './setup-steps';

/**
 * The harness's steps, defined once: the plan, the progress labels, the console table, the
 * report's step rows, `pets-harness run --help` and docs/harness.md all come from this table. The
 * ids and their order are harness/ids.ts's literal list; a new step is one id there, one entry
 * here and its work (docs/harness.md, "Adding a step or a target").
 */

interface OnTarget<Work> {
  /** What the step does on this target, for people (docs, --help). */
  does: string;
  work: Work;
}

interface StepText {
  /** The progress line's and the report's name for the step. */
  label: string | ((options: { profile: LoadProfile }) => string);
  /** What the step needs before it can run. */
  needs: string;
  /** When it passes. */
  passesWhen: string;
  /** When a planned step is skipped: `when` for people, `reason` decides for one run. */
  skip?: { when: string; reason: (options: RunOptions) => string | undefined };
  /** The part shows its own progress (newman, k6): the runner only prints the closing line. */
  ownProgress?: boolean;
}

/** A setup step must pass for the run to go on; it returns the facts it found. */
export interface SetupStep extends StepText {
  check: false;
  /** The targets it runs on; a target not listed never plans the step. */
  on: Partial<Record<Target, OnTarget<SetupWork>>>;
}

/** A check judges the API; a failed one does not stop the others. */
export interface CheckStep extends StepText {
  check: true;
  on: Partial<Record<Target, OnTarget<CheckWork>>>;
}

/**
 * A check that undoes a setup step (the rehearsal's destroy undoes its deploy): it runs last, and
 * also when a step after the one it undoes stopped the run, as a workflow's `if: always()` step.
 * It gets what the run found, whatever that is.
 */
export interface UndoStep extends StepText {
  check: true;
  undoes: StepId;
  on: Partial<Record<Target, OnTarget<UndoWork>>>;
}

export type StepDefinition = SetupStep | CheckStep | UndoStep;

/** The same work, described the same way, on every target. */
function onEveryTarget<Work>(
  does: string | Record<Target, string>,
  work: Work,
): Partial<Record<Target, OnTarget<Work>>> {
  return Object.fromEntries(
    TARGETS.map((target) => [target, { does: typeof does === 'string' ? does : does[target], work }]),
  );
}

/** A deployed stack's DynamoDB cannot be made to fail, nor its calls seen, from here. */
const onlyWhereTheStageIsOurs = (what: string) => ({
  when: 'aws (a deployed stack)',
  reason: (options: RunOptions) =>
    options.target === 'aws'
      ? `a deployed stack's DynamoDB calls pass no gateway of ours: ${what} needs the local stage (local, rehearsal)`
      : undefined,
});

const notNeededWithoutLoad = {
  when: '`--skip-load`',
  reason: (options: RunOptions) => (options.skipLoad ? 'k6 not needed (--skip-load)' : undefined),
};

/** The steps the aws target and the rehearsal share: the same work, the rehearsal's against moto. */
function onAwsAndRehearsal<Work>(does: string, rehearsalDoes: string, work: Work) {
  return { aws: { does, work }, rehearsal: { does: rehearsalDoes, work } };
}

export const STEPS: Record<StepId, StepDefinition> = {
  moto: {
    label: 'AWS stand-in (moto)',
    check: false,
    needs: 'Python 3 (moto is provisioned into the tool cache from PyPI), a free port',
    passesWhen: "moto's server answers on a loopback port",
    on: {
      rehearsal: {
        does: 'starts moto: CloudFormation, IAM, STS, S3, DynamoDB and CloudWatch Logs for every later step',
        work: startStandIn,
      },
    },
  },
  credentials: {
    label: 'AWS credentials',
    check: false,
    needs: 'AWS credentials from the default chain (env, profile, SSO, role)',
    passesWhen: 'STS GetCallerIdentity accepts them',
    on: onAwsAndRehearsal(
      'asks STS whose the credentials are before anything else starts',
      "asks moto's STS",
      checkCredentials,
    ),
  },
  tools: {
    label: 'tools',
    check: false,
    needs: 'the tool cache (k6 is fetched into it the first time)',
    passesWhen: 'k6 is in the tool cache',
    on: onEveryTarget('provisions k6', provisionTools),
    skip: notNeededWithoutLoad,
  },
  deploy: {
    label: 'deploy (CDK CLI)',
    check: false,
    needs: 'the CDK app (synthesized here with `npm run deploy`’s context), moto',
    passesWhen: 'cdk bootstrap and cdk deploy succeed',
    on: {
      rehearsal: {
        does: 'synthesizes the stack as `npm run deploy -- --env rehearsal --destroy-on-removal` would, adjusts a copy of the assembly for moto, `cdk bootstrap` and `cdk deploy` into moto',
        work: deployIntoStandIn,
      },
    },
  },
  dynamodb: {
    label: 'DynamoDB',
    check: false,
    needs: 'one of: `DYNAMODB_ENDPOINT`, a container engine (Docker), or nothing (dynalite in process)',
    passesWhen:
      'the first provider that answers is listening; its detail names it, and a container its image',
    on: {
      local: {
        does: "starts DynamoDB: `DYNAMODB_ENDPOINT`, else a container of the project's dynalite image (built on first use; `--dynamodb-image` names another), else dynalite in process",
        work: startLocalDynamoDb,
      },
    },
  },
  outputs: {
    label: 'stack outputs',
    check: false,
    needs: 'a deployed stack (`--outputs FILE` or CloudFormation DescribeStacks)',
    passesWhen: 'the stage URL, table and log group are read',
    on: onAwsAndRehearsal(
      'reads the stage URL, table and log group of the stack',
      "DescribeStacks in moto: the rehearsal stack's outputs",
      readStackOutputs,
    ),
  },
  seed: {
    label: 'seed',
    check: false,
    needs: 'the table',
    passesWhen: 'the 20 seed pets are written',
    on: {
      local: { does: 'creates the `pets` table, empties it, loads the 20 seed pets', work: seedLocalTable },
      aws: { does: 'with `--seed`: empties the stack’s table, loads the 20 seed pets', work: seedStackTable },
      rehearsal: { does: 'as aws with `--seed`, in moto’s DynamoDB', work: seedStackTable },
    },
    skip: {
      when: 'aws without `--seed`',
      reason: (options) =>
        options.target === 'aws' && !options.seed
          ? 'not asked (--seed resets the table to the 20 seed pets)'
          : undefined,
    },
  },
  bundle: {
    label: 'bundle',
    check: false,
    needs: 'the handler’s sources',
    passesWhen: 'the bundle is up to date (rebuilt only when a source changed)',
    on: { local: { does: 'rebuilds the handler bundle when it is stale', work: ensureLocalBundle } },
  },
  stage: {
    label: 'stage',
    check: false,
    needs: 'the bundle, DynamoDB, a free port (`--port`, default any)',
    passesWhen: 'the local API Gateway stage serves the bundle',
    on: {
      local: { does: 'serves the bundle on a local API Gateway stage', work: startLocalStage },
      rehearsal: {
        does: 'serves the stack’s URL: the deployed bundle on the stack’s table in moto, IAM from the deployed template enforced, its log lines shipped to moto’s CloudWatch Logs',
        work: serveDeployedStage,
      },
    },
  },
  newman: {
    label: 'newman',
    check: true,
    needs: 'the stage URL',
    passesWhen: 'every assertion of the Postman collection passes',
    on: onEveryTarget('runs the Postman collection against the stage URL', runNewmanStep),
    ownProgress: true,
  },
  load: {
    label: ({ profile }) => `k6 (${profile})`,
    check: true,
    needs: 'k6, the stage URL',
    passesWhen: 'every threshold of the k6 profile (`--profile`, default `smoke`) holds',
    on: onEveryTarget('runs the k6 load script against the stage URL', runK6),
    skip: {
      when: '`--skip-load`',
      reason: (options) => (options.skipLoad ? '--skip-load' : undefined),
    },
    ownProgress: true,
  },
  fuzz: {
    label: 'fuzz (Schemathesis)',
    check: true,
    needs: 'Python 3 (Schemathesis is provisioned into the tool cache), the stage URL',
    passesWhen: `every Schemathesis check holds for ${RUN_FUZZ_SECONDS} s of generated and stateful requests, and the table is put back`,
    on: onEveryTarget(
      {
        local: 'fuzzes the stage from the contract (`npm run fuzz` for longer)',
        aws: 'fuzzes the deployed stage from the contract',
        rehearsal: 'as aws',
      },
      runFuzzStep,
    ),
  },
  faults: {
    label: 'DynamoDB faults',
    check: true,
    needs: 'the local stage (it fails DynamoDB calls on request)',
    passesWhen:
      'during throttling and an outage every route answers 503 with Retry-After, during a hung call the function’s own 5xx (within its timeout), during an unexpected error a 5xx; never a 2xx, a stack trace or a non-JSON 5xx; the table is left as it was',
    on: onEveryTarget(
      {
        local:
          'sends every route while the stage fails its DynamoDB calls in each way DynamoDB fails, for seconds',
        aws: 'skipped: a deployed stack’s DynamoDB cannot be made to fail from here',
        rehearsal: 'as local: the stage serving the stack is ours',
      },
      runFaultRoundStep,
    ),
    skip: onlyWhereTheStageIsOurs('injecting faults'),
  },
  access: {
    label: 'access patterns',
    check: true,
    needs: "the local stage's record of the function's DynamoDB calls",
    passesWhen:
      'no route whose requests name a partition key (of the table or an index) Scans, and no route reads more than 2 items per item it returns (plus 1 per request)',
    on: onEveryTarget(
      {
        local:
          'judges the DynamoDB calls of every request so far, per route: operations, items read and returned, capacity',
        aws: 'skipped: a deployed stack’s DynamoDB calls are not seen from here',
        rehearsal: 'as local, on the stack’s table in moto',
      },
      checkAccessPatterns,
    ),
    skip: onlyWhereTheStageIsOurs('seeing the calls'),
  },
  logcheck: {
    label: 'log check',
    check: true,
    needs: 'the function’s log group; the request counts of newman, k6 and the fuzz',
    passesWhen:
      'every request was logged, no ERROR/timeout/runtime-exit line, REPORT latency, cold starts and memory within budget, no log-hygiene finding (docs/logcheck.md), no environment whose memory growth reaches its memory size within the horizon',
    on: onEveryTarget(
      {
        local: 'checks the stage’s log store',
        aws: 'checks CloudWatch Logs (waits for ingestion)',
        rehearsal: 'checks moto’s CloudWatch Logs through FilterLogEvents',
      },
      checkLogs,
    ),
  },
  configuration: {
    label: 'configuration',
    check: true,
    needs:
      'the synthesized template (`cdk.out/`, synthesized when stale), the contract, the k6 profile; the log check’s REPORT lines for memory',
    passesWhen:
      'no configuration rule (docs/configcheck.md) finds anything that `configuration-accepted.json` does not accept with a reason',
    on: onEveryTarget(
      {
        local: 'judges the template the stage obeyed against the configuration rules',
        aws: 'judges the template synthesized from this checkout (not the deployed stack’s) against the configuration rules',
        rehearsal: 'judges the template the CDK CLI synthesized for the deploy (before moto’s adjustments)',
      },
      checkConfigurationStep,
    ),
  },
  baseline: {
    label: 'baseline comparison',
    check: true,
    needs:
      'the log check’s lines, k6’s samples; an earlier passing run of the same target and profile (`--baseline`)',
    passesWhen:
      'no latency, init, memory, bundle-size or log-volume figure got significantly worse than the baseline’s (docs/compare.md); the run’s cost is computed either way',
    on: onEveryTarget(
      'keeps the run’s figures and cost, compares them with the baseline',
      compareWithBaseline,
    ),
  },
  destroy: {
    label: 'destroy (CDK CLI)',
    check: true,
    undoes: 'deploy',
    needs: 'the deployed stack (it runs even when a step after the deploy stopped the run)',
    passesWhen: 'cdk destroy succeeds and neither the stack nor its table is left in moto',
    on: {
      rehearsal: {
        does: '`npm run destroy -- --env rehearsal` against moto, then DescribeStacks and DescribeTable prove both gone',
        work: destroyDeployedStack,
      },
    },
  },
};

export function stepDefinition(id: StepId): StepDefinition {
  return STEPS[id];
}

export function stepLabel(id: StepId, options: { profile: LoadProfile }): string {
  const { label } = stepDefinition(id);
  return typeof label === 'function' ? label(options) : label;
}

/** The steps a run of this target goes through, in order. */
export function plannedStepIds(target: Target): StepId[] {
  return STEP_IDS.filter((id) => stepDefinition(id).on[target] !== undefined);
}
