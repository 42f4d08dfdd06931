/**
 * `node --import tsx contract/validate-openapi.mts FILE`: validates an OpenAPI file with
 * @seriousme/openapi-schema-validator (the OpenAPI 3.1 JSON schemas) and prints the verdict as one
 * JSON line. The package is ES-module only, so it runs as a module of its own in a child Node
 * (contract/openapi-validity.ts); jest runs the contract project as CommonJS.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OpenApiValidity } from './openapi-validity.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: validate-openapi.mts FILE');
const validator = new Validator();
const result = await validator.validate(readFileSync(file, 'utf8'));
const validity: OpenApiValidity = {
  valid: result.valid,
  version: validator.version,
  errors: result.errors ?? null,
};
process.stdout.write(JSON.stringify(validity));
