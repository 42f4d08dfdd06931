import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/paths';
import {
  functionSettings,
  LAMBDA_RUNTIME_PREFIXES,
  LAMBDA_RUNTIME_VARIABLES,
  LOCAL_ONLY_VARIABLES,
} from '../definitions/function';

/** The environment variables the function's code reads, and the ones Lambda's runtime sets itself. */

// `process.env.X`, `process.env['X']`, and `env.X` on an env passed around (repository.ts).
const READ_PATTERN = /\b(?:process\.)?env(?:\.([A-Z_][A-Z0-9_]*)|\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\])/gu;

function sourceFiles(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension) && !file.includes('node_modules'))
    .filter((file) => !file.endsWith(`.test${extension}`) && !file.startsWith('test/'))
    .map((file) => join(dir, file))
    .filter((file) => statSync(file).isFile());
}

/**
 * The variables the function's code reads. For the project's own bundle, from handler/'s sources
 * (the minified bundle renames `env` and carries the SDK's own reads); for any other bundle, from
 * its JavaScript.
 */
export function variablesReadBy(bundleDir: string): string[] {
  const own = resolve(bundleDir) === resolve(PROJECT_ROOT, functionSettings().bundleDir);
  const files = own ? sourceFiles(join(PROJECT_ROOT, 'handler'), '.ts') : sourceFiles(bundleDir, '.js');
  const names = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(READ_PATTERN))
      names.add((match[1] ?? match[2]) as string);
  }
  return [...names].sort();
}

/** Set on AWS without the template: by Lambda's runtime, or (DYNAMODB_ENDPOINT) only ever locally. */
export function setOutsideTemplate(name: string): boolean {
  return (
    (LAMBDA_RUNTIME_VARIABLES as readonly string[]).includes(name) ||
    LAMBDA_RUNTIME_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
    (LOCAL_ONLY_VARIABLES as readonly string[]).includes(name)
  );
}
