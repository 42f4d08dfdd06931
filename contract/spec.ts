import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the contract lives; everything that needs routes reads this one file. */
export const OPENAPI_PATH = join(__dirname, 'openapi.yaml');

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** API Gateway resource path, e.g. `/pets/{id}`. */
  resource: string;
  /** Documented response statuses, as numbers, ascending. */
  statuses: number[];
  /** The documented statuses the function itself answers: all but those marked `x-answered-by: gateway`. */
  functionStatuses: number[];
}

export interface CorsSettings {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

// The parsed document is plain JSON-compatible data; callers narrow what they read.
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> } & Record<string, unknown>;
};

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

let cached: OpenApiDocument | undefined;

/** The spec, parsed once per process. */
export function loadSpec(): OpenApiDocument {
  cached ??= parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
  return cached;
}

/** Whether a response (inline or `$ref` to components/responses) is API Gateway's own answer. */
function answeredByGateway(spec: OpenApiDocument, response: unknown): boolean {
  const ref = (response as { $ref?: unknown } | undefined)?.$ref;
  const responses = (spec.components.responses ?? {}) as Record<string, Record<string, unknown>>;
  const resolved = typeof ref === 'string' ? responses[ref.replace('#/components/responses/', '')] : response;
  return (resolved as Record<string, unknown> | undefined)?.['x-answered-by'] === 'gateway';
}

/** Every operation of the spec: the one list of routes for the stack, the stage and the tests. */
export function operations(spec: OpenApiDocument = loadSpec()): Operation[] {
  const result: Operation[] = [];
  for (const [resource, pathItem] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method.toLowerCase()] as
        | { operationId?: string; responses?: Record<string, unknown> }
        | undefined;
      if (!operation) continue;
      if (!operation.operationId) throw new Error(`${method} ${resource} has no operationId in the spec`);
      const responses = operation.responses ?? {};
      const statuses = Object.keys(responses)
        .map(Number)
        .sort((a, b) => a - b);
      const functionStatuses = statuses.filter(
        (status) => !answeredByGateway(spec, responses[String(status)]),
      );
      result.push({ operationId: operation.operationId, method, resource, statuses, functionStatuses });
    }
  }
  return result;
}

/** Resource paths with at least one operation, e.g. `/pets`, `/pets/{id}`. */
export function resources(spec: OpenApiDocument = loadSpec()): string[] {
  return [...new Set(operations(spec).map((operation) => operation.resource))];
}

export function corsSettings(spec: OpenApiDocument = loadSpec()): CorsSettings {
  const cors = spec['x-cors'] as CorsSettings | undefined;
  if (!cors) throw new Error('the spec has no x-cors section');
  return cors;
}

/** A component schema by name, e.g. `Pet`, `NewPet`, `Error`. */
export function componentSchema(name: string, spec: OpenApiDocument = loadSpec()): Record<string, unknown> {
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`the spec has no schema ${name}`);
  return schema as Record<string, unknown>;
}
