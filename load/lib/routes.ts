/**
 * The routes the load scripts exercise, by the `route` tag every request carries. Thresholds and
 * summaries are per route. Each maps onto a GET operation of `contract/openapi.yaml`; a jest test
 * proves it, so this list cannot drift from the contract.
 *
 * This module imports nothing, so k6 (as `./routes.ts`) and Node (as `../lib/routes`) share it.
 */
export const ROUTES = {
  list: { method: 'GET', resource: '/pets', summary: 'GET /pets' },
  'list-by-type': { method: 'GET', resource: '/pets', summary: 'GET /pets?type=…' },
  get: { method: 'GET', resource: '/pets/{id}', summary: 'GET /pets/{id}' },
  page: { method: 'GET', resource: '/pets', summary: 'GET /pets?limit=… following Link rel=next' },
} as const;

export type RouteName = keyof typeof ROUTES;

export const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

/**
 * The request `setup()` sends once to prove the API answers before any VU starts. Tagged apart so
 * it counts in `http_reqs` (the log check compares that with the handler's lines) but not in the
 * per-route latency budgets: it is the request that pays the cold start.
 */
export const PREFLIGHT_ROUTE = 'preflight';

/** `P95_MS_LIST_BY_TYPE` for route `list-by-type`: the env suffix of a per-route setting. */
export function routeEnvSuffix(route: string): string {
  return route.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
