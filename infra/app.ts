import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ensureBundle } from '../build';
import { applyNagSuppressions } from './nag';
import { DESTROY_CONTEXT_KEY, ENV_CONTEXT_KEY, stackNames } from './names';
import { PetsStack } from './stack';

/** `-c destroyOnRemoval=true` (string from the CLI) or `true` (JSON context) turns DESTROY on. */
function contextFlag(app: App, key: string): boolean {
  const value: unknown = app.node.tryGetContext(key);
  return value === true || value === 'true';
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`context '${key}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Adds the Pets stack to `app` from its context (`env`, `destroyOnRemoval`) and checks it with
 * cdk-nag's AWS Solutions rules: an unacknowledged error or warning fails `cdk synth`.
 */
export function addPetsStack(app: App, options: { bundleDir?: string } = {}): PetsStack {
  const names = stackNames(contextString(app, ENV_CONTEXT_KEY));
  // Environment-agnostic (no account/region): synth needs no credentials, deploy uses the caller's.
  const stack = new PetsStack(app, names.stackName, {
    names,
    destroyOnRemoval: contextFlag(app, DESTROY_CONTEXT_KEY),
    bundleDir: options.bundleDir,
    description: `Pets API${names.deployment ? ` (${names.deployment})` : ''}: API Gateway -> Lambda -> DynamoDB (pets-harness)`,
  });
  applyNagSuppressions(stack);
  // cdk-nag 3 is a CDK validation plugin (v2 was an Aspect): any unacknowledged finding stops synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}

async function main(): Promise<void> {
  // `npm run synth` builds first; `cdk deploy` and a bare `cdk synth` get a fresh bundle here.
  await ensureBundle();
  const app = new App();
  addPetsStack(app);
  app.synth();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
