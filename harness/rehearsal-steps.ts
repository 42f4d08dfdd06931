import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CannotRunError } from '../common/cli';
import { plural } from './format';
import { found, type SetupFacts, type SetupWork, type UndoWork } from './run-context';
import { stageFacts } from './setup-steps';

/**
 * The rehearsal's own steps (`--target rehearsal`): moto stands in for AWS, the CDK CLI deploys the
 * stack into it, the local stage serves the stack's URL on its table with its logs shipped to
 * moto's CloudWatch Logs, and the stack is destroyed at the end. Between them the aws target's
 * steps run unchanged (harness/setup-steps.ts, harness/check-steps.ts), their SDK clients pointed
 * at the stand-in.
 */

const DEFAULT_REGION = 'us-east-1';

/** Where the rehearsal keeps its assemblies and the CDK CLI's output: beside the run's reports. */
function workDir(reportsDir: string): string {
  return join(reportsDir, 'rehearsal');
}

export const startStandIn: SetupWork = async (run, _facts, progress) => {
  const { options, parts } = run;
  progress.update('moto server (PyPI, in the tool cache)');
  const moto = await parts.rehearsal().startAwsStandIn(options.region ?? DEFAULT_REGION);
  run.own('moto (the AWS stand-in)', () => moto.stop());
  const { standIn } = moto;
  return {
    value: { standIn },
    detail: `moto ${moto.motoVersion} at ${standIn.endpoint} (${standIn.region})`,
  };
};

export const deployIntoStandIn: SetupWork = async (run, facts, progress) => {
  const { options, parts } = run;
  const standIn = found(facts.standIn, 'AWS stand-in');
  const rehearsal = parts.rehearsal();
  const deployment = await rehearsal.deployRehearsal({
    standIn,
    account: found(facts.account, 'AWS account'),
    workDir: workDir(options.reportsDir),
    onLine: (line) => progress.update(line),
  });
  const adjusted = deployment.adjustments.filter((adjustment) => adjustment.changed.length > 0).length;
  return {
    value: { rehearsal: { motoVersion: rehearsal.MOTO_VERSION, deployment } },
    detail: `${deployment.stackName} by cdk bootstrap + deploy, ${plural(deployment.adjustments.length, 'moto adjustment')} (${adjusted} to the template copy: ${relative(options.reportsDir, deployment.assembly.dir)})`,
  };
};

/** The REST API id in an execute-api URL (`https://<id>.execute-api…`), for the proxy event. */
function restApiId(url: string): string {
  return /^https?:\/\/([a-z0-9]+)\.execute-api\./u.exec(url)?.[1] ?? 'rehearsal';
}

export const serveDeployedStage: SetupWork = async (run, facts, progress) => {
  const { options, parts } = run;
  const standIn = found(facts.standIn, 'AWS stand-in');
  const rehearsal = found(facts.rehearsal, 'deployment');
  const stackUrl = found(facts.baseUrl, 'stage URL');
  const logDir = join(options.reportsDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const { assembly } = rehearsal.deployment;
  const phase = await parts.localApi().stagePhase(
    {
      port: options.port,
      logDir,
      // The shipped bundle: the code asset that was deployed, not dist/handler.
      bundleDir: assembly.functionBundleDir,
      tableName: found(facts.tableName, 'table'),
      dynamoDbEndpoint: standIn.endpoint,
      // The stage is ours here too: the fault round asks it for DynamoDB faults (x-harness-fault).
      faultInjection: true,
      deployed: {
        templatePath: assembly.templatePath,
        accountId: found(facts.account, 'AWS account'),
        apiId: restApiId(stackUrl),
        region: standIn.region,
        credentials: standIn.credentials,
      },
    },
    run.own,
    (line) => progress.update(line),
  );
  const stage = phase.value;
  if (stage.logGroupName !== facts.logGroupName) {
    throw new CannotRunError(
      `the deployed template's function logs to ${stage.logGroupName}, the stack's outputs say ${facts.logGroupName}`,
    );
  }
  const logShipping = parts
    .rehearsal()
    .startLogShipping({ standIn, logGroupName: stage.logGroupName, logDir });
  run.own('the log shipping to moto', async () => {
    await logShipping.stop();
  });
  run.warnings.push(...stage.notes.map((note) => `stage: ${note}`));
  const served: SetupFacts = {
    ...stageFacts(stage),
    stackUrl,
    rehearsal: { ...rehearsal, logShipping, deniedCalls: () => stage.deniedCalls() },
  };
  return {
    value: served,
    detail: `${stackUrl} served at ${stage.url}, its logs shipped to moto's ${stage.logGroupName}`,
  };
};

/**
 * A check, the last: `npm run destroy`'s command line against moto removes the stack, and nothing
 * of it stays (the throwaway stack's table goes with it). The log shipping stops first, its last
 * lines sent.
 */
export const destroyDeployedStack: UndoWork = async (run, facts, progress) => {
  const rehearsal = found(facts.rehearsal, 'deployment');
  const shipped = await rehearsal.logShipping?.stop();
  const detail = await run.parts.rehearsal().destroyRehearsal(rehearsal.deployment, {
    standIn: found(facts.standIn, 'AWS stand-in'),
    workDir: workDir(run.options.reportsDir),
    onLine: (line) => progress.update(line),
  });
  const shipping = shipped
    ? `; ${plural(shipped.events, 'log line')} had been shipped to moto (${shipped.batches} PutLogEvents)`
    : '';
  return { value: undefined, passed: true, detail: `${detail}${shipping}` };
};
