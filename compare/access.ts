import type { RouteAccess } from '../local/stage/access-patterns';

/**
 * The function's DynamoDB access per route as figures a run keeps (`figures.dynamoDb`), and the
 * two ratios the comparison judges: DynamoDB calls per request that made any, and items read per
 * item returned. Both hold whatever the traffic mix (a list of 5 reads 5 whatever the limit), so
 * they are the same from run to run and a change is the code's: an N+1 pattern raises the first,
 * a filter or a Scan where a Query was raises the second. Counts that move with the mix (requests,
 * capacity units) are kept and shown, not judged.
 */

/** A route's counts as a run keeps them (its name is the key; what the rules need stays in the step). */
export type RouteAccessFigures = Omit<RouteAccess, 'route' | 'keys' | 'maxItemsRead'>;

export function accessFigures(routes: readonly RouteAccess[]): Record<string, RouteAccessFigures> {
  return Object.fromEntries(
    routes.map(({ route, keys: _keys, maxItemsRead: _most, ...figures }) => [
      route,
      { ...figures, operations: { ...figures.operations } },
    ]),
  );
}

export interface AccessRatio {
  metric: 'DynamoDB calls per request' | 'DynamoDB items read per item returned';
  route: string;
  current: number;
  baseline: number;
}

function ratios(figures: RouteAccessFigures): Partial<Record<AccessRatio['metric'], number>> {
  return {
    ...(figures.requestsWithCalls > 0
      ? { 'DynamoDB calls per request': figures.calls / figures.requestsWithCalls }
      : {}),
    ...(figures.itemsReturned > 0
      ? { 'DynamoDB items read per item returned': figures.itemsRead / figures.itemsReturned }
      : {}),
  };
}

/** The ratios both runs have, route by route, sorted. */
export function accessRatios(
  current: Record<string, RouteAccessFigures> | undefined,
  baseline: Record<string, RouteAccessFigures> | undefined,
): AccessRatio[] {
  if (!current || !baseline) return [];
  return Object.keys(current)
    .filter((route) => baseline[route])
    .sort()
    .flatMap((route) => {
      const now = ratios(current[route] as RouteAccessFigures);
      const base = ratios(baseline[route] as RouteAccessFigures);
      return (Object.keys(now) as AccessRatio['metric'][])
        .filter((metric) => base[metric] !== undefined)
        .map((metric) => ({
          metric,
          route,
          current: now[metric] as number,
          baseline: base[metric] as number,
        }));
    });
}
