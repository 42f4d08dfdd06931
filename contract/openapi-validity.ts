import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENAPI_PATH } from './spec';

export interface OpenApiValidity {
  valid: boolean;
  version: string;
  errors: unknown;
}

/**
 * Validates the spec file with @seriousme/openapi-schema-validator (the OpenAPI 3.1 JSON schemas).
 * That package is ES-module only and jest runs this project as CommonJS, so it runs in a child
 * Node process (contract/validate-openapi.mts, through tsx), which loads ES modules natively.
 */
export async function validateOpenApiFile(path = OPENAPI_PATH): Promise<OpenApiValidity> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'validate-openapi.mts'), path],
    { cwd: __dirname },
  );
  return JSON.parse(stdout) as OpenApiValidity;
}
