import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OPENAPI_PATH } from './spec';

/**
 * Validates the spec file with @seriousme/openapi-schema-validator (the OpenAPI 3.1 JSON schemas).
 * That package is ES-module only and jest runs this project as CommonJS, so it runs in a child
 * Node process, which loads ES modules natively.
 */
export async function validateOpenApiFile(
  path = OPENAPI_PATH,
): Promise<{ valid: boolean; version: string; errors: unknown }> {
  const script = `
    import { readFileSync } from 'node:fs';
    import { Validator } from '@seriousme/openapi-schema-validator';
    const validator = new Validator();
    const result = await validator.validate(readFileSync(process.argv[1], 'utf8'));
    process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, path],
    {
      cwd: __dirname,
    },
  );
  return JSON.parse(stdout) as { valid: boolean; version: string; errors: unknown };
}
