import { loadSpec, type OpenApiDocument, operations } from '../contract/spec';

/**
 * The routes the contract says a table index serves (a parameter marked `x-dynamodb-index`), and
 * the attributes each route's 200 answer returns (its schema's properties): what the index's
 * projection must hold, or a Query on the index answers without them.
 */

export interface IndexedRoute {
  /** `GET /pets?type=` */
  route: string;
  operationId: string;
  indexName: string;
  /** The attributes of one returned item, from the contract's response schema. */
  attributes: string[];
  /** Where the attributes come from, for the message (`contract/openapi.yaml, schema Pet`). */
  schemaName: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `$ref` into components (`#/components/<kind>/<name>`), or the value itself. */
function resolved(spec: OpenApiDocument, value: unknown): { value: unknown; name?: string } {
  const ref = isObject(value) ? value.$ref : undefined;
  if (typeof ref !== 'string') return { value };
  const [, , kind, name] = ref.split('/');
  const components = spec.components as Json;
  const group = kind ? components[kind] : undefined;
  return { value: isObject(group) && name ? group[name] : undefined, ...(name ? { name } : {}) };
}

/** The item schema of a 200 JSON answer (an array's items, or the object itself) and its name. */
function answerItem(spec: OpenApiDocument, operation: Json): { properties: string[]; name: string } {
  const ok = resolved(spec, (operation.responses as Json | undefined)?.['200']).value;
  const content = isObject(ok) ? (ok.content as Json | undefined) : undefined;
  const json = content?.['application/json'];
  const schema = resolved(spec, isObject(json) ? json.schema : undefined);
  const item = isObject(schema.value) && schema.value.type === 'array' ? schema.value.items : schema.value;
  const itemSchema = resolved(spec, item);
  const properties = isObject(itemSchema.value) ? (itemSchema.value.properties as Json | undefined) : {};
  return {
    properties: Object.keys(properties ?? {}).sort(),
    name: itemSchema.name ?? schema.name ?? 'inline schema',
  };
}

export function indexedRoutes(spec: OpenApiDocument = loadSpec()): IndexedRoute[] {
  const routes: IndexedRoute[] = [];
  for (const { operationId, method, resource } of operations(spec)) {
    const pathItem = spec.paths[resource] ?? {};
    const operation = pathItem[method.toLowerCase()] as Json;
    const parameters = [
      ...((pathItem.parameters as unknown[] | undefined) ?? []),
      ...((operation.parameters as unknown[] | undefined) ?? []),
    ].map((parameter) => resolved(spec, parameter).value);
    for (const parameter of parameters) {
      const indexName = isObject(parameter) ? parameter['x-dynamodb-index'] : undefined;
      if (typeof indexName !== 'string' || !isObject(parameter)) continue;
      const item = answerItem(spec, operation);
      routes.push({
        route: `${method} ${resource}?${String(parameter.name)}=`,
        operationId,
        indexName,
        attributes: item.properties,
        schemaName: item.name,
      });
    }
  }
  return routes;
}
