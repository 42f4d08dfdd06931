import { readFileSync } from 'node:fs';
import { CannotRunError } from '../common/cli';
import { parseBaseUrl } from '../common/url';
import { OUTPUT_KEYS, type OutputKey } from './names';

/** The file `npm run deploy` writes (`cdk deploy --outputs-file`), relative to the project root. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

/** One deployed stack's outputs, as the harness uses them for `--target aws`. */
export interface StackOutputs {
  stackName: string;
  /**
   * Stage URL without a trailing slash: `https://abc.execute-api.eu-west-1.amazonaws.com/default`, or
   * a custom domain's (`https://pets.example.com/v1`). It says nothing reliable about the region: a
   * custom domain hides it, so the region comes from the caller's configuration instead.
   */
  apiUrl: string;
  tableName: string;
  functionName: string;
  logGroupName: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Picks one stack from `cdk deploy --outputs-file` content (`{ "<StackName>": { "ApiUrl": … } }`):
 * the named one, or the only one. Throws CannotRunError saying what is missing.
 */
export function parseStackOutputs(
  content: unknown,
  stackName?: string,
  source = 'the outputs',
): StackOutputs {
  if (!isRecord(content)) throw new CannotRunError(`${source} is not a JSON object of stacks`);
  const stacks = Object.keys(content);
  const chosen = stackName ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (chosen === undefined) {
    throw new CannotRunError(
      stacks.length === 0
        ? `${source} lists no stacks: run 'npm run deploy' first`
        : `${source} lists several stacks (${stacks.join(', ')}): say which one`,
    );
  }
  const outputs = content[chosen];
  if (!isRecord(outputs)) {
    throw new CannotRunError(`${source} has no stack '${chosen}' (it has: ${stacks.join(', ') || 'none'})`);
  }
  const missing = OUTPUT_KEYS.filter((key) => typeof outputs[key] !== 'string' || outputs[key] === '');
  if (missing.length > 0) {
    throw new CannotRunError(
      `${source}: stack '${chosen}' lacks ${missing.join(', ')}; redeploy with 'npm run deploy'`,
    );
  }
  const value = (key: OutputKey) => outputs[key] as string;
  return {
    stackName: chosen,
    apiUrl: stageUrl(value('ApiUrl'), source),
    tableName: value('TableName'),
    functionName: value('FunctionName'),
    logGroupName: value('LogGroupName'),
  };
}

/** The ApiUrl under common/url.ts's rule (its trailing slash dropped); anything else is refused with the reason. */
function stageUrl(raw: string, source: string): string {
  const parsed = parseBaseUrl(raw);
  if ('problem' in parsed) throw new CannotRunError(`${source}: ApiUrl '${raw}' ${parsed.problem}`);
  return parsed.url;
}

/** Reads `cdk-outputs.json` (or `file`) as written by `npm run deploy`. */
export function readStackOutputs(file = DEFAULT_OUTPUTS_FILE, stackName?: string): StackOutputs {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CannotRunError(
      `no stack outputs at ${file}: deploy first with 'npm run deploy' (it writes that file)`,
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new CannotRunError(
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseStackOutputs(content, stackName, file);
}
