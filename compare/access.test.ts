import type { RouteAccess } from '../local/stage/access-patterns';
import { accessFigures, accessRatios } from './access';
import { compareFigures } from './compare';
import { figuresWith } from './test/figures';

function route(name: string, fields: Partial<RouteAccess>): RouteAccess {
  return {
    route: name,
    keys: [],
    requests: 40,
    requestsWithCalls: 36,
    calls: 36,
    operations: {},
    itemsRead: 0,
    itemsReturned: 0,
    maxItemsRead: 0,
    readUnits: 18,
    writeUnits: 0,
    ...fields,
  };
}

/** A run's DynamoDB access as the real bundle makes it: one call per request, reading what it returns. */
function sound(scale: number): RouteAccess[] {
  return [
    route('GET /pets?type=', {
      operations: { 'Query type-index': 36 },
      itemsRead: 150 * scale,
      itemsReturned: 150 * scale,
    }),
    route('GET /pets/{id}', { operations: { GetItem: 36 }, itemsRead: 30, itemsReturned: 30 }),
    route('DELETE /pets/{id}', { operations: { DeleteItem: 36 } }),
  ];
}

function withAccess(routes: RouteAccess[]) {
  return { ...figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 200, seed: 1 }), dynamoDb: accessFigures(routes) };
}

describe('the DynamoDB access figures in the comparison', () => {
  it('judges calls per request and items read per item returned, per route, and they do not move with the mix', () => {
    const comparison = compareFigures(withAccess(sound(3)), withAccess(sound(1)));

    expect(comparison.regressions).toEqual([]);
    expect(
      comparison.comparisons
        .filter((c) => c.kind === 'access')
        .map((c) => `${c.metric} on ${c.route}: ${c.current}`),
    ).toEqual([
      'DynamoDB calls per request on DELETE /pets/{id}: 1',
      'DynamoDB calls per request on GET /pets/{id}: 1',
      'DynamoDB items read per item returned on GET /pets/{id}: 1',
      'DynamoDB calls per request on GET /pets?type=: 1',
      'DynamoDB items read per item returned on GET /pets?type=: 1',
    ]);
  });

  it('finds a route that reads what it does not return, naming the route, both ratios and the threshold', () => {
    const scanned = sound(1).map((r) =>
      r.route === 'GET /pets?type=' ? { ...r, operations: { Scan: 36 }, itemsRead: 720 } : r,
    );

    const { regressions } = compareFigures(withAccess(scanned), withAccess(sound(1)));

    expect(regressions.map((r) => r.text)).toEqual([
      'DynamoDB items read per item returned value on GET /pets?type=: 1.00 × → 4.80 × (+3.80 ×, +380%) [threshold +50% and +0.5 ×]',
    ]);
  });

  it('finds an N+1 pattern: more calls per request than the baseline made', () => {
    const perItem = sound(1).map((r) => (r.route === 'GET /pets/{id}' ? { ...r, calls: 72 } : r));

    const { regressions } = compareFigures(withAccess(perItem), withAccess(sound(1)));

    expect(regressions.map((r) => `${r.metric} on ${r.route}`)).toEqual([
      'DynamoDB calls per request on GET /pets/{id}',
    ]);
  });

  it('compares nothing with a baseline that kept no access figures (a deployed stack, an older run)', () => {
    expect(accessRatios(accessFigures(sound(1)), undefined)).toEqual([]);
    expect(
      compareFigures(
        withAccess(sound(1)),
        figuresWith({ k6Ms: 20, lambdaMs: 8, initMs: 200, seed: 1 }),
      ).comparisons.some((c) => c.kind === 'access'),
    ).toBe(false);
  });
});
