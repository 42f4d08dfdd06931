import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { Collection, type CollectionDefinition, type Item, VariableScope } from 'postman-collection';
import { buildCollection, collectionText, type PostmanCollection } from '../postman/build-collection';
import { COLLECTION_PATH, ENVIRONMENT_PATHS, FOLDERS } from '../postman/collection-files';
import { COLLECTION_V21_SCHEMA } from '../postman/collection-schema';
import { collectionRequests, coverageGaps, UNPROVOKABLE_STATUSES } from '../postman/coverage';
import { componentSchema, operations } from './spec';

const committed = (): PostmanCollection =>
  JSON.parse(readFileSync(COLLECTION_PATH, 'utf8')) as PostmanCollection;

function describeGaps(gaps: { operation: string; missing: string }[]): string {
  return gaps.map((gap) => `${gap.operation}: ${gap.missing}`).join('\n');
}

describe('the Postman collection', () => {
  it('is exactly what postman/build-collection.ts generates from the contract now', () => {
    // On failure: run `npx tsx postman/build-collection.ts` and commit the result.
    expect(readFileSync(COLLECTION_PATH, 'utf8')).toBe(collectionText());
  });

  it('inlines the contract schemas it checks responses with', () => {
    const variables = new Map(committed().variable.map((variable) => [variable.key, variable.value]));
    expect(JSON.parse(variables.get('petSchema') ?? '')).toEqual(componentSchema('Pet'));
    expect(JSON.parse(variables.get('errorSchema') ?? '')).toEqual(componentSchema('Error'));
    expect(JSON.parse(variables.get('petListSchema') ?? '')).toEqual({
      type: 'array',
      items: componentSchema('Pet'),
    });
  });

  it('is a valid v2.1 collection', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(COLLECTION_V21_SCHEMA);
    const valid = validate(committed());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a collection with an unknown key, so the schema check can fail', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(COLLECTION_V21_SCHEMA);
    const broken = { ...committed(), item: [{ ...committed().item[0], requests: [] }] };
    expect(validate(broken)).toBe(false);
  });

  it('loads with the postman-collection SDK with every folder, request and script intact', () => {
    const json = committed();
    // The SDK's typings know `info.description` only as an object; the format also allows a string.
    const definition: CollectionDefinition = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8'));
    const collection = new Collection(definition);
    const sdkRequests: Item[] = [];
    collection.forEachItem((item) => {
      sdkRequests.push(item);
    });
    expect(Collection.isCollection(collection)).toBe(true);
    expect(collection.items.map((folder) => folder.name)).toEqual(Object.values(FOLDERS));
    const generated = json.item.flatMap((folder) => folder.item);
    expect(sdkRequests.map((item) => [item.id, item.name, item.request.method])).toEqual(
      generated.map((item) => [item.id, item.name, item.request.method]),
    );
    expect(sdkRequests.map((item) => item.request.url.toString())).toEqual(
      generated.map((item) => item.request.url.raw),
    );
    expect(collection.events.count()).toBe(2);
    // The SDK's own serialisation keeps every script line.
    const roundTrip = JSON.stringify(collection.toJSON());
    for (const line of generated.flatMap((item) => item.event.flatMap((event) => event.script.exec))) {
      expect(roundTrip).toContain(JSON.stringify(line).slice(1, -1));
    }
  });

  it('sends x-correlation-id and x-harness-run-id with every request', () => {
    const missing = collectionRequests(committed()).filter(
      (request) =>
        !request.headers.includes('x-correlation-id') || !request.headers.includes('x-harness-run-id'),
    );
    expect(missing.map((request) => request.name)).toEqual([]);
  });

  it.each(Object.entries(ENVIRONMENT_PATHS))('has a %s environment with baseUrl and runId', (_name, path) => {
    const environment = new VariableScope(JSON.parse(readFileSync(path, 'utf8')));
    expect(environment.get('baseUrl')).toMatch(/^https?:\/\//);
    expect(environment.get('runId')).toEqual(expect.any(String));
  });
});

describe('collection coverage of contract/openapi.yaml', () => {
  beforeAll(() => {
    // Printed so that a reader of the test output sees what is deliberately not covered, and why.
    console.log(
      `Statuses no collection request can provoke against a healthy stage (excluded from coverage):\n${Object.entries(
        UNPROVOKABLE_STATUSES,
      )
        .map(([status, why]) => `  ${status}: ${why}`)
        .join('\n')}`,
    );
  });

  it('exercises every operation and every documented status a client can provoke', () => {
    const gaps = coverageGaps(committed(), operations());
    expect(describeGaps(gaps)).toBe('');
  });

  it('excludes only statuses the contract documents', () => {
    const documented = new Set(operations().flatMap((operation) => operation.statuses));
    expect(
      Object.keys(UNPROVOKABLE_STATUSES)
        .map(Number)
        .filter((status) => !documented.has(status)),
    ).toEqual([]);
  });

  it.each([
    ['Body over 16 KiB', 'createPet (POST /pets): no request asserts status 413'],
    ['Wrong content type', 'createPet (POST /pets): no request asserts status 415'],
    ['Duplicate id', 'createPet (POST /pets): no request asserts status 409'],
    ['Delete a non-integer id', 'deletePet (DELETE /pets/{id}): no request asserts status 400'],
  ])("names the missing status when the request '%s' is removed", (removed, expected) => {
    const collection = buildCollection();
    for (const folder of collection.item) folder.item = folder.item.filter((item) => item.name !== removed);
    expect(describeGaps(coverageGaps(collection, operations()))).toContain(expected);
  });

  it('names an operation no request exercises', () => {
    const collection = buildCollection();
    for (const folder of collection.item) {
      folder.item = folder.item.filter((item) => item.request.method !== 'DELETE');
    }
    expect(describeGaps(coverageGaps(collection, operations()))).toContain(
      'deletePet (DELETE /pets/{id}): no request exercises this operation',
    );
  });

  it('names a request outside the Gateway folder that no operation matches', () => {
    const collection = buildCollection();
    const gateway = collection.item.find((folder) => folder.name === FOLDERS.gateway);
    collection.item[0]?.item.push(...(gateway?.item ?? []));
    expect(describeGaps(coverageGaps(collection, operations()))).toContain(
      "GET /no-such-resource: request 'Pets / Unknown path' matches no operation of the contract",
    );
  });
});
