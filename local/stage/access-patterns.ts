import { READ_OPERATIONS } from './dynamodb-requests';
import type { PartitionKey } from './template';

/**
 * The function's DynamoDB access patterns per route: every call the gateway passed on is tied to
 * the invocation that made it (an execution environment serves one invocation at a time, and
 * each environment reaches the gateway on a path of its own), and each invocation's calls are
 * added up under its route, with the items it read, the items its answer returned and the
 * capacity DynamoDB reported.
 */

/** One DynamoDB call, as the gateway saw it pass. */
export interface DynamoDbCall {
  operation: string;
  /** The index a Query or Scan named. */
  indexName?: string;
  /** DynamoDB's HTTP status; 0 when no answer came (the connection failed). */
  status: number;
  /** Items DynamoDB read for it: ScannedCount of a Query or Scan, the items a Get returned. */
  itemsRead: number;
  readUnits: number;
  writeUnits: number;
}

/** One invocation: its request's route, its answer, its calls. */
export interface InvocationAccess {
  method: string;
  /** The API resource, `/pets/{id}`. */
  resource: string;
  /** Names of the path and query parameters the request carried. */
  pathParameters: string[];
  queryParameters: string[];
  /** Items in the answer: a JSON array's length, 1 for an object, 0 for an error or no body. */
  itemsReturned: number;
  calls: DynamoDbCall[];
}

export interface RouteAccess {
  /** `GET /pets/{id}`; a query parameter that names a key attribute shows: `GET /pets?type=`. */
  route: string;
  /** The partition keys (of the table or an index) the route's requests name: a key condition can serve them. */
  keys: PartitionKey[];
  requests: number;
  /** Requests that made at least one DynamoDB call. */
  requestsWithCalls: number;
  calls: number;
  /** Calls per operation, with the index they named: `Scan`, `Query type-index`, `GetItem`. */
  operations: Record<string, number>;
  itemsRead: number;
  itemsReturned: number;
  /** The most items one request read. */
  maxItemsRead: number;
  readUnits: number;
  writeUnits: number;
}

export interface AccessLog {
  record(invocation: InvocationAccess): void;
  /** Every route seen so far, sorted. */
  routes(): RouteAccess[];
}

type Json = Record<string, unknown>;

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Items DynamoDB read to answer a successful call (writes read none that they report). */
export function itemsReadBy(operation: string, answer: Json): number {
  if (!READ_OPERATIONS.has(operation)) return 0;
  if (typeof answer.ScannedCount === 'number') return answer.ScannedCount;
  if (operation === 'GetItem') return answer.Item === undefined ? 0 : 1;
  const responses = answer.Responses;
  if (Array.isArray(responses)) return responses.filter((part) => (part as Json)?.Item).length;
  if (typeof responses === 'object' && responses !== null) {
    return Object.values(responses).reduce((sum: number, items) => sum + lengthOf(items), 0);
  }
  return 0;
}

/** Items a function's answer returned: what the route handed back, for comparing with what it read. */
export function itemsReturnedBy(status: number, body: Buffer): number {
  if (status < 200 || status > 299 || body.byteLength === 0) return 0;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (Array.isArray(parsed)) return parsed.length;
    return typeof parsed === 'object' && parsed !== null ? 1 : 0;
  } catch {
    return 0;
  }
}

function routeOf(invocation: InvocationAccess, keys: readonly PartitionKey[]) {
  const isKey = (name: string) => keys.some((key) => key.attribute === name);
  const keyQuery = invocation.queryParameters.filter(isKey).sort();
  const named = new Set([...invocation.pathParameters.filter(isKey), ...keyQuery]);
  const query = keyQuery.length === 0 ? '' : `?${keyQuery.map((name) => `${name}=`).join('&')}`;
  return {
    route: `${invocation.method} ${invocation.resource}${query}`,
    keys: keys.filter((key) => named.has(key.attribute)),
  };
}

function emptyRoute(route: string, keys: PartitionKey[]): RouteAccess {
  return {
    route,
    keys,
    requests: 0,
    requestsWithCalls: 0,
    calls: 0,
    operations: {},
    itemsRead: 0,
    itemsReturned: 0,
    maxItemsRead: 0,
    readUnits: 0,
    writeUnits: 0,
  };
}

/** Adds up invocations per route; `keys` are the partition keys of the table and its indexes. */
export function createAccessLog(keys: readonly PartitionKey[]): AccessLog {
  const routes = new Map<string, RouteAccess>();
  return {
    record(invocation) {
      const { route, keys: named } = routeOf(invocation, keys);
      const totals = routes.get(route) ?? emptyRoute(route, named);
      routes.set(route, totals);
      totals.requests += 1;
      totals.itemsReturned += invocation.itemsReturned;
      if (invocation.calls.length > 0) totals.requestsWithCalls += 1;
      let read = 0;
      for (const call of invocation.calls) {
        const operation = call.indexName ? `${call.operation} ${call.indexName}` : call.operation;
        totals.operations[operation] = (totals.operations[operation] ?? 0) + 1;
        totals.calls += 1;
        read += call.itemsRead;
        totals.readUnits += call.readUnits;
        totals.writeUnits += call.writeUnits;
      }
      totals.itemsRead += read;
      totals.maxItemsRead = Math.max(totals.maxItemsRead, read);
    },
    routes: () =>
      [...routes.values()]
        .map((route) => ({ ...route, keys: [...route.keys], operations: { ...route.operations } }))
        .sort((a, b) => a.route.localeCompare(b.route)),
  };
}
