import { rmSync } from 'node:fs';
import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addPetsStack } from '../app';
import type { PetsStack } from '../stack';
import type { TemplateJson } from './iam-audit';

export interface SynthesizedStack {
  app: App;
  stack: PetsStack;
  template: Template;
  json: TemplateJson;
}

/**
 * For a synth that checks something else than the template's validity (names, IAM usage, nag
 * findings): CDK's built-in CloudFormation validation starts a WASM engine that costs about 10 s of
 * CPU in every test file that synthesizes with it. stack.test.ts synthesizes the app as `cdk synth`
 * does, validation on, so the template is still validated once per run.
 */
export const WITHOUT_CLOUDFORMATION_VALIDATION = {
  builtinCloudFormationValidation: false,
} satisfies AppProps;

/**
 * Synthesizes the real app (the same `addPetsStack` as `cdk synth`) with the given context and,
 * unless told otherwise, CDK's CloudFormation validation as `cdk synth` runs it.
 */
export function synthPetsApp(context: Record<string, string> = {}, props: AppProps = {}): SynthesizedStack {
  const app = new App({ ...props, context });
  try {
    const stack = addPetsStack(app);
    const template = Template.fromStack(stack);
    return { app, stack, template, json: template.toJSON() as TemplateJson };
  } catch (error) {
    disposeApp(app);
    throw error;
  }
}

/** The one logical id of a resource type, failing loudly when there are none or several. */
export function onlyLogicalId(json: TemplateJson, type: string): string {
  const ids = Object.entries(json.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0] as string;
}

/** Removes the temporary cloud assembly (template and a copy of the bundle) an App wrote. */
export function disposeApp(app: App): void {
  rmSync(app.outdir, { recursive: true, force: true });
}
