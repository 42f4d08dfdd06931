/**
 * Which operations and documented statuses of the contract the collection exercises. A request
 * maps to an operation by its method and path (`{{baseUrl}}/pets/{{petId}}` matches `/pets/{id}`);
 * a status counts when the request's test asserts it: `pm.response.to.have.status(N)`, or a call of
 * the script helpers that do, `expectStatus(pm, N)` / `expectError(pm, N, …)`.
 */
import type { Operation } from '../contract/spec';
import type { PostmanCollection } from './build-collection';
import { GATEWAY_FOLDER } from './collection-files';
import { expectError, expectStatus } from './scripts';

/**
 * Documented statuses a client cannot provoke against a healthy stage, so no collection request
 * can assert them. Each stays covered elsewhere: handler unit tests and the stage's fault bundles.
 */
export const UNPROVOKABLE_STATUSES: Record<number, string> = {
  // Only an unexpected failure inside the function (a bug, a crashed dependency) answers 500.
  500: 'Internal server error: needs a broken function or data store',
  // Only DynamoDB throttling or an outage answers 503 with Retry-After.
  503: 'Service unavailable: needs DynamoDB to throttle or be unreachable',
};

export interface CollectionRequest {
  folder: string;
  name: string;
  method: string;
  /** Path after `{{baseUrl}}`, without the query, e.g. `/pets/{{petId}}`. */
  path: string;
  headers: string[];
  /** Statuses the request's own test asserts. */
  statuses: number[];
}

const STATUS_ASSERTION = new RegExp(
  `pm\\.response\\.to\\.have\\.status\\((\\d{3})\\)|^(?:${expectStatus.name}|${expectError.name})\\(pm, (\\d{3})\\b`,
  'gm',
);

export function collectionRequests(collection: PostmanCollection): CollectionRequest[] {
  return collection.item.flatMap((folder) =>
    folder.item.map((item) => {
      const tests = item.event
        .filter((event) => event.listen === 'test')
        .flatMap((event) => event.script.exec)
        .join('\n');
      const statuses = [...tests.matchAll(STATUS_ASSERTION)].map((m) => Number(m[1] ?? m[2]));
      return {
        folder: folder.name,
        name: item.name,
        method: item.request.method,
        path: item.request.url.raw.replace(/^\{\{baseUrl\}\}/, '').replace(/\?.*$/, ''),
        headers: item.request.header.map((header) => header.key.toLowerCase()),
        statuses: [...new Set(statuses)],
      };
    }),
  );
}

/** `/pets/{id}` → a regex matching `/pets/{{petId}}`, `/pets/abc`: one path segment per parameter. */
function templatePattern(resource: string): RegExp {
  const escaped = resource
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}

function operationOf(request: CollectionRequest, list: Operation[]): Operation | undefined {
  return list.find(
    (operation) =>
      operation.method === request.method && templatePattern(operation.resource).test(request.path),
  );
}

export interface CoverageGap {
  operation: string;
  missing: string;
}

/**
 * What the collection does not exercise: an operation no request reaches, a documented status no
 * request asserts (apart from UNPROVOKABLE_STATUSES), a request outside the Gateway folder that
 * matches no operation (the gateway, not the function, would answer it) and a Gateway-folder
 * request that matches one (it would reach the function).
 */
export function coverageGaps(collection: PostmanCollection, list: Operation[]): CoverageGap[] {
  const requests = collectionRequests(collection);
  const gaps: CoverageGap[] = [];
  for (const operation of list) {
    const label = `${operation.operationId} (${operation.method} ${operation.resource})`;
    const reaching = requests.filter((request) => operationOf(request, list) === operation);
    if (reaching.length === 0) {
      gaps.push({ operation: label, missing: 'no request exercises this operation' });
      continue;
    }
    const asserted = new Set(reaching.flatMap((request) => request.statuses));
    // API Gateway's own answers (403, 429, 431, 502, 504, …) never come from an operation's
    // request to a healthy stage; the Gateway folder and the stage's tests cover them.
    for (const status of operation.functionStatuses) {
      if (status in UNPROVOKABLE_STATUSES || asserted.has(status)) continue;
      gaps.push({ operation: label, missing: `no request asserts status ${status}` });
    }
  }
  for (const request of requests) {
    const operation = operationOf(request, list);
    if (request.folder === GATEWAY_FOLDER && operation) {
      gaps.push({
        operation: `${operation.operationId} (${operation.method} ${operation.resource})`,
        missing: `request '${request.folder} / ${request.name}' would reach the function, not stay at the gateway`,
      });
    }
    if (request.folder === GATEWAY_FOLDER || operation) continue;
    gaps.push({
      operation: `${request.method} ${request.path}`,
      missing: `request '${request.folder} / ${request.name}' matches no operation of the contract`,
    });
  }
  return gaps;
}
