import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_AWS_ENV } from '../../../definitions/local-aws';
import { type RunningStage, startStage } from '../index';
import { TEMPLATE_PATH } from '../synth';

/** Purpose-built templates for the stage's tests: copies of the real synthesized one, changed. */
export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function realResources(): Resources {
  return (JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as { Resources: Resources }).Resources;
}

/** Writes the real template with `change` applied, as `PetsStack.template.json` in a directory of its own (the stack's name is the file's). */
export function writeTemplate(workDir: string, change: (resources: Resources) => void): string {
  const resources = realResources();
  change(resources);
  const path = join(mkdtempSync(join(workDir, 'template-')), 'PetsStack.template.json');
  writeFileSync(path, JSON.stringify({ Resources: resources }));
  return path;
}

/** A stage on `templatePath` in front of the jest run's DynamoDB, its table resolving to `tableName`. */
export function startOnTemplate(options: {
  templatePath: string;
  tableName: string;
  logDir: string;
  bundleDir?: string;
}): Promise<RunningStage> {
  return startStage({
    port: 0,
    ...options,
    env: { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT ?? '' },
  });
}
