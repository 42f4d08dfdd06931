import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { loadSpec, type OpenApiDocument, operations } from './spec';

/**
 * Checks a response of the handler against the spec for its operation and status: the status is
 * documented, the body validates against the documented JSON schema (or is empty when none is),
 * and every API header the handler sends is documented for that response and fits its schema.
 */
export interface CheckedResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body; undefined when the body is empty. */
  body: unknown;
}

// Headers every response carries by design and are not per-operation API headers.
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'vary',
]);
// The spec's `multipleOf: 0.01` is exact arithmetic; ajv's float division needs a tolerance (1e-6 cents).
export const MULTIPLE_OF_PRECISION = 6;

function pointerSegment(text: string): string {
  return text.replaceAll('~', '~0').replaceAll('/', '~1');
}

function resolvePointer(spec: OpenApiDocument, pointer: string): unknown {
  return pointer
    .replace(/^#\//u, '')
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], spec);
}

/** Every schema of the spec, compiled on demand; `verbose` errors carry the schema that failed. */
export function specAjv(spec: OpenApiDocument = loadSpec(), { verbose = false } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    verbose,
    multipleOfPrecision: MULTIPLE_OF_PRECISION,
  });
  addFormats(ajv);
  ajv.addSchema(spec, 'spec.json');
  return ajv;
}

export function responseChecker(spec: OpenApiDocument = loadSpec()) {
  const ajv = specAjv(spec);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.getSchema(`spec.json${pointer}`);
      if (!validate) throw new Error(`the spec has no schema at ${pointer}`);
      validators.set(pointer, validate);
    }
    return validate;
  };

  /** Problems with one response; empty when it agrees with the spec. */
  return function check(operationId: string, response: CheckedResponse): string[] {
    const operation = operations(spec).find((candidate) => candidate.operationId === operationId);
    if (!operation) return [`the spec has no operation ${operationId}`];
    if (!operation.statuses.includes(response.status)) {
      return [`${operationId} answered ${response.status}, a status the spec does not document for it`];
    }
    let pointer = `#/paths/${pointerSegment(operation.resource)}/${operation.method.toLowerCase()}/responses/${response.status}`;
    const declared = resolvePointer(spec, pointer) as { $ref?: string };
    if (declared.$ref) pointer = declared.$ref;
    const documented = resolvePointer(spec, pointer) as {
      content?: Record<string, unknown>;
      headers?: Record<string, unknown>;
    };
    const problems: string[] = [];
    if (documented.content?.['application/json']) {
      const validate = validatorAt(`${pointer}/content/application~1json/schema`);
      if (!validate(response.body)) {
        problems.push(`${operationId} ${response.status} body: ${ajv.errorsText(validate.errors)}`);
      }
    } else if (response.body !== undefined) {
      problems.push(`${operationId} ${response.status} has a body, the spec documents none`);
    }
    const documentedHeaders = new Map(
      Object.keys(documented.headers ?? {}).map((name) => [name.toLowerCase(), name] as const),
    );
    for (const [name, value] of Object.entries(response.headers)) {
      const lower = name.toLowerCase();
      if (TRANSPORT_HEADERS.has(lower)) continue;
      const specName = documentedHeaders.get(lower);
      if (!specName) {
        problems.push(
          `${operationId} ${response.status} sends header ${lower}, which the spec does not document`,
        );
        continue;
      }
      let headerPointer = `${pointer}/headers/${pointerSegment(specName)}`;
      const headerObject = resolvePointer(spec, headerPointer) as { $ref?: string };
      if (headerObject.$ref) headerPointer = headerObject.$ref;
      const schema = resolvePointer(spec, `${headerPointer}/schema`) as { type?: string };
      // Header values are text; a numeric header schema describes the number the text spells.
      const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
      const validate = validatorAt(`${headerPointer}/schema`);
      if (!validate(typed))
        problems.push(
          `${operationId} ${response.status} header ${lower}: ${ajv.errorsText(validate.errors)}`,
        );
    }
    return problems;
  };
}
