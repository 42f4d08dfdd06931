import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../../common/paths';
import { INTEGRATION_TIMEOUT_MS } from '../../definitions/api-gateway';
import { functionSettings, LOCAL_ONLY_VARIABLES } from '../../definitions/function';
import type { StageFunction } from './template';

/**
 * Configuration findings about the function as the template configures it: stated before anything
 * runs (and, for memory, after a run from the REPORT lines), in the stage's output and the report.
 */

// What Lambda's runtime sets in every environment (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
const RUNTIME_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'LANG',
  'PATH',
  'LD_LIBRARY_PATH',
  'NODE_PATH',
  'TZ',
]);
const RUNTIME_PREFIXES = ['AWS_LAMBDA_', 'AWS_XRAY_'];
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

function setByRuntime(name: string): boolean {
  return RUNTIME_VARIABLES.has(name) || RUNTIME_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Findings before anything runs: the timeout against API Gateway's, variables the code reads and the template does not set. */
export function configurationFindings(
  fn: StageFunction,
  variablesRead: string[],
  where = 'the handler',
): string[] {
  const findings: string[] = [];
  const integrationSeconds = INTEGRATION_TIMEOUT_MS / 1000;
  if (fn.timeoutSeconds >= integrationSeconds) {
    findings.push(
      `function timeout ${fn.timeoutSeconds} s is at or above API Gateway's ${integrationSeconds} s integration timeout: a slow request gets 504 while the function runs on, and bills, to ${fn.timeoutSeconds} s`,
    );
  }
  const localOnly = new Set<string>(LOCAL_ONLY_VARIABLES);
  for (const name of variablesRead) {
    if (name in fn.environment || setByRuntime(name) || localOnly.has(name)) continue;
    findings.push(`${where} reads the environment variable ${name}, which the template does not set`);
  }
  return findings;
}

/** After a run: a memory size more than 4× the peak the REPORT lines show pays for memory never used. */
export function memoryFinding(memorySizeMb: number, maxMemoryUsedMb: number): string | undefined {
  if (!(maxMemoryUsedMb > 0) || memorySizeMb <= 4 * maxMemoryUsedMb) return undefined;
  return `memory size ${memorySizeMb} MB is ${(memorySizeMb / maxMemoryUsedMb).toFixed(1)}× the ${maxMemoryUsedMb} MB Max Memory Used: more than 4× what the function uses`;
}
