import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import type { Step } from '../common/progress';
import { functionSettings } from '../definitions/function';
import { peakConcurrency } from '../load/lib/config';
import type { ApiUnderTest, CheckWork, RunContext } from './run-context';

/**
 * The configuration step: the rules of configcheck/ over the template (docs/configcheck.md). On
 * the local target it is the template the stage obeyed; elsewhere the template synthesized from
 * this checkout (the deployed stack's own is not read back), which the step says.
 */

interface JudgedTemplate {
  path: string;
  /** Which template it is, for the step's line. */
  how: string;
}

async function templateToJudge(run: RunContext, api: ApiUnderTest, progress: Step): Promise<JudgedTemplate> {
  // The rehearsal's stage obeys the copy adjusted for moto: judge what a real deploy would send.
  const deployment = api.rehearsal?.deployment;
  if (deployment) {
    return {
      path: join(deployment.synthesizedDir, `${deployment.stackName}.template.json`),
      how: `synthesized by the CDK CLI for the deploy of ${deployment.stackName} (before moto's adjustments)`,
    };
  }
  if (api.template) return { path: resolve(api.template), how: 'the template the stage obeyed' };
  const synth = run.parts.synth();
  // `cdk deploy` of this checkout wrote the deployed stack's own template: judge it while it is fresh.
  const deployed = api.stackName ? join(synth.CDK_OUT, `${api.stackName}.template.json`) : undefined;
  if (deployed && (await synth.templateStaleness(deployed)) === undefined) {
    return { path: deployed, how: `synthesized from this checkout for ${api.stackName}` };
  }
  progress.update('building the bundle and synthesizing the template from this checkout');
  await run.parts.build().ensureBundle();
  const path = await synth.ensureTemplate((line) => progress.update(line));
  return { path, how: 'synthesized from this checkout, not read from the deployed stack' };
}

/** The most requests the run keeps in flight at once: the k6 profile's VUs, or one at a time. */
function runPeak(options: RunContext['options']): { concurrency: number; source: string } {
  if (options.skipLoad) {
    return { concurrency: 1, source: 'one request at a time (--skip-load: newman and Schemathesis only)' };
  }
  return {
    concurrency: peakConcurrency(options.profile),
    source: `the ${options.profile} profile's peak VUs (load/lib/config.ts), each with a request in flight`,
  };
}

/** The run's highest Max Memory Used, when the log check read REPORT lines that give one. */
function maxMemoryUsed(run: RunContext): { maxMemoryUsedMb?: number } {
  const used = run.logCheck?.metrics.maxMemoryUsedMb;
  return used !== undefined && Number.isFinite(used) ? { maxMemoryUsedMb: used } : {};
}

export const checkConfigurationStep: CheckWork = async (run, api, progress) => {
  const template = await templateToJudge(run, api, progress);
  const configCheck = run.parts.configCheck();
  const result = configCheck.checkConfiguration({
    templatePath: template.path,
    bundleDir: api.bundleDir ?? join(PROJECT_ROOT, functionSettings().bundleDir),
    peak: runPeak(run.options),
    ...maxMemoryUsed(run),
  });
  run.configuration = result;
  run.warnings.push(
    ...result.unusedAcceptances.map(
      (acceptance) =>
        `configuration: ${result.acceptanceFile} accepts ${acceptance.rule} on ${acceptance.resource}, which found nothing there`,
    ),
    ...result.notJudged.map((what) => `configuration: not judged: ${what}`),
  );
  return {
    value: result,
    passed: result.passed,
    detail: `${template.how}: ${configCheck.configurationDetail(result)}`,
  };
};
