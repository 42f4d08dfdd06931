import {
  type CorsSettings,
  corsSettings,
  type HttpMethod,
  type Operation,
  operations,
} from '../../contract/spec';

/** One resource of the REST API with its methods, compiled for matching. */
interface CompiledResource {
  resource: string;
  pattern: RegExp;
  parameterNames: string[];
  methods: Map<string, Route>;
  /** Literal segments count: API Gateway prefers `/pets/mine` over `/pets/{id}`. */
  literalSegments: number;
}

/** A method on a resource: an operation of the spec, or an AWS_PROXY method of the template. */
export type Route = Pick<Operation, 'resource'> & { method: string };

export type RouteMatch =
  | {
      kind: 'operation';
      operation: Route;
      resource: string;
      pathParameters: Record<string, string> | null;
    }
  | { kind: 'preflight'; resource: string }
  | { kind: 'missing' };

export interface Router {
  match(method: string, path: string): RouteMatch;
}

function compile(resource: string): Pick<CompiledResource, 'pattern' | 'parameterNames' | 'literalSegments'> {
  const parameterNames: string[] = [];
  let literalSegments = 0;
  const source = resource
    .split('/')
    .map((segment) => {
      const greedy = /^\{(.+)\+\}$/u.exec(segment);
      if (greedy?.[1]) {
        parameterNames.push(greedy[1]);
        return '(.+)';
      }
      const parameter = /^\{(.+)\}$/u.exec(segment);
      if (parameter?.[1]) {
        parameterNames.push(parameter[1]);
        return '([^/]+)';
      }
      if (segment) literalSegments++;
      return segment.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'u'), parameterNames, literalSegments };
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Matches requests to routes (the template's methods; by default the operations of
 * contract/openapi.yaml) as a deployed REST API would: a path or method it does not have is a 403
 * "Missing Authentication Token", and OPTIONS on a resource with a MOCK preflight (`preflight`;
 * by default every known resource) is the CORS preflight the stage answers itself.
 */
export function createRouter(list: Route[] = operations(), preflight?: ReadonlySet<string>): Router {
  const byResource = new Map<string, CompiledResource>();
  for (const operation of list) {
    let entry = byResource.get(operation.resource);
    if (!entry) {
      entry = { resource: operation.resource, methods: new Map(), ...compile(operation.resource) };
      byResource.set(operation.resource, entry);
    }
    entry.methods.set(operation.method, operation);
  }
  const compiled = [...byResource.values()].sort((a, b) => b.literalSegments - a.literalSegments);
  return {
    match(method, path) {
      for (const entry of compiled) {
        const found = entry.pattern.exec(path);
        if (!found) continue;
        const operation = entry.methods.get(method.toUpperCase());
        if (!operation) {
          const isPreflight = preflight === undefined || preflight.has(entry.resource);
          return method.toUpperCase() === 'OPTIONS' && isPreflight
            ? { kind: 'preflight', resource: entry.resource }
            : { kind: 'missing' };
        }
        const values = found.slice(1);
        const pathParameters =
          entry.parameterNames.length === 0
            ? null
            : Object.fromEntries(
                entry.parameterNames.map((name, i) => [name, decodeSegment(values[i] ?? '')]),
              );
        return { kind: 'operation', operation, resource: entry.resource, pathParameters };
      }
      return { kind: 'missing' };
    },
  };
}

/**
 * The preflight answer of the MOCK integration CDK builds for `defaultCorsPreflightOptions`: 204
 * with the allow-* headers; with a list of origins, the request's origin when it is listed, else
 * the first one (what CDK's response template does).
 */
export function preflightHeaders(
  origin: string | undefined,
  cors: CorsSettings = corsSettings(),
): Record<string, string> {
  const headers: Record<string, string> = {
    'Access-Control-Allow-Headers': cors.allowHeaders.join(','),
    'Access-Control-Allow-Methods': cors.allowMethods.join(','),
    'Access-Control-Max-Age': String(cors.maxAgeSeconds),
  };
  if (cors.allowOrigins.includes('*')) {
    headers['Access-Control-Allow-Origin'] = '*';
  } else {
    headers['Access-Control-Allow-Origin'] =
      origin && cors.allowOrigins.includes(origin) ? origin : (cors.allowOrigins[0] ?? '');
    headers.Vary = 'Origin';
  }
  return headers;
}

export type { HttpMethod };
