import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
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

/** Synthesizes the real app (the same `addPetsStack` as `cdk synth`) with the given context. */
export function synthPetsApp(context: Record<string, string> = {}): SynthesizedStack {
  const app = new App({ context });
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
