import { accessLine, judgeAccessPatterns, type RouteAccess } from './index';

function route(fields: Partial<RouteAccess> & Pick<RouteAccess, 'route'>): RouteAccess {
  return {
    keys: [],
    requests: 10,
    requestsWithCalls: 10,
    calls: 10,
    operations: {},
    itemsRead: 0,
    itemsReturned: 0,
    maxItemsRead: 0,
    readUnits: 5,
    writeUnits: 0,
    ...fields,
  };
}

/** What the real bundle does on a 20-pet table: each route one call, reads what it returns. */
const HEALTHY = [
  route({ route: 'GET /pets', operations: { Scan: 10 }, itemsRead: 200, itemsReturned: 200 }),
  route({
    route: 'GET /pets?type=',
    keys: [{ attribute: 'type', index: 'type-index' }],
    operations: { 'Query type-index': 10 },
    itemsRead: 60,
    itemsReturned: 60,
  }),
  route({
    route: 'GET /pets/{id}',
    keys: [{ attribute: 'id' }],
    operations: { GetItem: 10 },
    itemsRead: 9,
    itemsReturned: 9,
  }),
  route({
    route: 'POST /pets',
    operations: { PutItem: 10 },
    itemsReturned: 10,
    readUnits: 0,
    writeUnits: 10,
  }),
  route({ route: 'DELETE /pets/{id}', keys: [{ attribute: 'id' }], operations: { DeleteItem: 10 } }),
];

describe('the access-pattern rules', () => {
  it('pass a route per key served by its key and reading what it returns', () => {
    const result = judgeAccessPatterns(HEALTHY);

    expect(result).toMatchObject({ passed: true, findings: [] });
    expect(accessLine(result)).toMatch(/^5 routes, no Scan where a request names a key/u);
  });

  it('name a route whose requests name an index key but that Scans, with what would serve it', () => {
    const scanned = route({
      route: 'GET /pets?type=',
      keys: [{ attribute: 'type', index: 'type-index' }],
      operations: { Scan: 10 },
      itemsRead: 200,
      itemsReturned: 60,
    });

    const result = judgeAccessPatterns([scanned]);

    expect(result.passed).toBe(false);
    expect(result.findings.map((finding) => finding.rule)).toEqual(['scan-with-key', 'reads-per-item']);
    expect(result.findings[0]?.message).toBe(
      'GET /pets?type=: 10 Scan calls for 10 requests that name type, the partition key of index type-index: a Query on type-index serves them without reading the table (200 items read for 60 returned)',
    );
    expect(result.findings[1]?.message).toBe(
      'GET /pets?type=: read 200 items to return 60 (3.3 per item returned; at most 2 per item returned and 1 per request): the route reads items it does not return',
    );
  });

  it('name a Scan on a route keyed by the table’s own key', () => {
    const scanned = route({
      route: 'GET /pets/{id}',
      keys: [{ attribute: 'id' }],
      operations: { Scan: 1 },
      requests: 1,
    });

    expect(judgeAccessPatterns([scanned]).findings[0]?.message).toMatch(
      /^GET \/pets\/\{id\}: 1 Scan call for 1 request that names id, the table's partition key: a GetItem or Query on the key serves them/u,
    );
  });

  it('allow one read per request beyond twice the items returned, and no more', () => {
    const atLimit = route({
      route: 'DELETE /pets/{id}',
      operations: { GetItem: 10, DeleteItem: 10 },
      itemsRead: 10,
    });
    const over = { ...atLimit, itemsRead: 11 };

    expect(judgeAccessPatterns([atLimit]).passed).toBe(true);
    expect(judgeAccessPatterns([over]).findings[0]).toMatchObject({ rule: 'reads-per-item' });
    expect(judgeAccessPatterns([over]).findings[0]?.message).toContain(
      'read 11 items to return 0 (none returned;',
    );
  });
});
