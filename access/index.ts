import type { RouteAccess } from '../local/stage/access-patterns';
import type { PartitionKey } from '../local/stage/template';

export type { RouteAccess } from '../local/stage/access-patterns';

/**
 * The function's DynamoDB access patterns per route (what the local stage's gateway saw, tied to
 * each invocation), judged by rules that hold whatever the table holds: a route whose requests
 * name a partition key must not Scan (a Query or GetItem on that key serves it), and a route must
 * not read many more items than it returns. On a small table neither mistake moves the latency.
 */

export interface AccessFinding {
  route: string;
  rule: 'scan-with-key' | 'reads-per-item';
  message: string;
}

export interface AccessResult {
  passed: boolean;
  routes: RouteAccess[];
  findings: AccessFinding[];
}

/** Items read per item returned that a route may reach, plus one per request (a read before a write). */
const MAX_READS_PER_ITEM = 2;

function keyName(key: PartitionKey, table: string): string {
  return key.index
    ? `${key.attribute}, the partition key of index ${key.index}`
    : `${key.attribute}, the ${table}'s partition key`;
}

function scans(route: RouteAccess): number {
  return Object.entries(route.operations)
    .filter(([operation]) => operation === 'Scan' || operation.startsWith('Scan '))
    .reduce((sum, [, count]) => sum + count, 0);
}

function scanWithKey(route: RouteAccess): AccessFinding | undefined {
  const scanned = scans(route);
  if (scanned === 0 || route.keys.length === 0) return undefined;
  const key = route.keys[0] as PartitionKey;
  const served = key.index ? `a Query on ${key.index}` : 'a GetItem or Query on the key';
  return {
    route: route.route,
    rule: 'scan-with-key',
    message: `${route.route}: ${scanned} Scan call${scanned === 1 ? '' : 's'} for ${route.requests === 1 ? '1 request that names' : `${route.requests} requests that name`} ${keyName(key, 'table')}: ${served} serves them without reading the table (${route.itemsRead} items read for ${route.itemsReturned} returned)`,
  };
}

function readsPerItem(route: RouteAccess): AccessFinding | undefined {
  const allowed = MAX_READS_PER_ITEM * route.itemsReturned + route.requests;
  if (route.itemsRead <= allowed) return undefined;
  const ratio =
    route.itemsReturned === 0
      ? 'none returned'
      : `${(route.itemsRead / route.itemsReturned).toFixed(1)} per item returned`;
  return {
    route: route.route,
    rule: 'reads-per-item',
    message: `${route.route}: read ${route.itemsRead} items to return ${route.itemsReturned} (${ratio}; at most ${MAX_READS_PER_ITEM} per item returned and 1 per request): the route reads items it does not return`,
  };
}

export function judgeAccessPatterns(routes: readonly RouteAccess[]): AccessResult {
  const findings = routes.flatMap((route) =>
    [scanWithKey(route), readsPerItem(route)].filter(
      (finding): finding is AccessFinding => finding !== undefined,
    ),
  );
  return { passed: findings.length === 0, routes: [...routes], findings };
}

function operationsOf(route: RouteAccess): string {
  return Object.entries(route.operations)
    .map(([operation, count]) => `${operation} ×${count}`)
    .join(', ');
}

/** The step's one line: each finding when there are some, else what each route does. */
export function accessLine(result: AccessResult): string {
  if (result.findings.length > 0) return result.findings.map((finding) => finding.message).join('; ');
  const routes = result.routes.filter((route) => route.calls > 0);
  return `${routes.length} routes, no Scan where a request names a key, reads ≤ ${MAX_READS_PER_ITEM} per item returned: ${routes.map((route) => `${route.route} ${operationsOf(route)}`).join('; ')}`;
}
