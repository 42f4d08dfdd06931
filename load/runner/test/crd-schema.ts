import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates a custom resource against its CustomResourceDefinition's `openAPIV3Schema`, as the API
 * server does with `kubectl apply --validate=strict`: the schema's types, enums, required fields
 * and formats, and no field the schema does not declare (the server would drop or refuse it).
 */

type Schema = Record<string, unknown>;

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
}

/** Objects that declare their properties accept no others, unless the schema says otherwise. */
function strict(schema: Schema): Schema {
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object') {
      copy[key] = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, strict(child)]),
      );
    } else if (key === 'items' || key === 'additionalProperties') {
      copy[key] = value && typeof value === 'object' ? strict(value as Schema) : value;
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf') {
      copy[key] = (value as Schema[]).map(strict);
    } else {
      copy[key] = value;
    }
  }
  if (
    copy.properties &&
    copy.additionalProperties === undefined &&
    !copy['x-kubernetes-preserve-unknown-fields']
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

export interface CrdValidator {
  apiVersion: string;
  kind: string;
  /** The problems found, as `path: message`; empty when the resource is valid. */
  validate(resource: unknown): string[];
}

export function crdValidator(crdFile: string): CrdValidator {
  const crd = parse(readFileSync(crdFile, 'utf8')) as Crd;
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${crdFile} declares no version`);
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const int = (bits: number) => ({
    type: 'number' as const,
    validate: (value: number) => Number.isInteger(value) && Math.abs(value) <= 2 ** (bits - 1),
  });
  ajv.addFormat('int32', int(32));
  ajv.addFormat('int64', int(64));
  const check = ajv.compile(strict(version.schema.openAPIV3Schema));
  const apiVersion = `${crd.spec.group}/${version.name}`;
  const kind = crd.spec.names.kind;
  return {
    apiVersion,
    kind,
    validate(resource) {
      const problems: string[] = [];
      const head = resource as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
      if (head.apiVersion !== apiVersion)
        problems.push(`apiVersion: must be ${apiVersion}, got ${head.apiVersion}`);
      if (head.kind !== kind) problems.push(`kind: must be ${kind}, got ${head.kind}`);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(head.metadata?.name ?? '')) {
        problems.push(`metadata.name: '${head.metadata?.name}' is not a DNS label`);
      }
      if (!check(resource)) {
        problems.push(
          ...(check.errors ?? []).map(
            (error: ErrorObject) =>
              `${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`,
          ),
        );
      }
      return problems;
    },
  };
}
