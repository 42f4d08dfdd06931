import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adjustTemplate, TEMPLATE_ADJUSTMENTS, type Template, type TemplateAdjustment } from './adjustments';

/**
 * The cloud assembly moto is given: a copy of the synthesized one with the template adjustments
 * made (rehearsal/adjustments.ts). The template is also a file asset, stored under the hash of its
 * content: the copy's manifest and asset list name the adjusted template's own hash, so the copy is
 * a consistent assembly and an adjusted template never hides behind the original's key.
 */
export interface AdjustedAssembly {
  dir: string;
  templatePath: string;
  /** Each template adjustment and the logical ids it changed. */
  applied: { id: string; changed: string[] }[];
  /** The folder of the function's code asset: the bundle that was deployed. */
  functionBundleDir: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function rewrite(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not name the template asset ${from}`);
  writeFileSync(path, text.split(from).join(to));
}

/** The code asset folder of the function: its Code.S3Key is `<asset hash>.zip`. */
function codeAssetDir(dir: string, stackName: string, template: Template, functionId: string): string {
  const code = template.Resources[functionId]?.Properties?.Code as { S3Key?: unknown } | undefined;
  const hash = typeof code?.S3Key === 'string' ? code.S3Key.replace(/\.zip$/u, '') : undefined;
  const assets = JSON.parse(readFileSync(join(dir, `${stackName}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging?: string } }>;
  };
  const source = hash ? assets.files[hash]?.source : undefined;
  if (source?.packaging !== 'zip') {
    throw new Error(`function ${functionId}: its code is not a zip asset of ${stackName}.assets.json`);
  }
  return join(dir, source.path);
}

export function adjustAssembly(options: {
  from: string;
  to: string;
  stackName: string;
  /** The logical id of the function behind the API (its bundle is what the stage runs). */
  functionId: (templatePath: string) => string;
  adjustments?: readonly TemplateAdjustment[];
}): AdjustedAssembly {
  const { to, stackName } = options;
  cpSync(options.from, to, { recursive: true });
  const templatePath = join(to, `${stackName}.template.json`);
  const original = readFileSync(templatePath, 'utf8');
  const template = JSON.parse(original) as Template;
  const applied = adjustTemplate(template, options.adjustments ?? TEMPLATE_ADJUSTMENTS);
  const adjusted = JSON.stringify(template, null, 1);
  writeFileSync(templatePath, adjusted);
  for (const file of ['manifest.json', `${stackName}.assets.json`]) {
    rewrite(join(to, file), sha256(original), sha256(adjusted));
  }
  const functionBundleDir = codeAssetDir(to, stackName, template, options.functionId(templatePath));
  return { dir: to, templatePath, applied, functionBundleDir };
}
