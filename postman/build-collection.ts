/**
 * Writes `postman/pets.postman_collection.json` (Postman Collection v2.1). The collection is
 * generated rather than hand-kept so that its schema checks use the contract's own schemas
 * (`contract/spec.ts`) and its seeded-pet check uses `seed/pets.json`; a contract test proves the
 * committed file equals what this script writes now. Run: `npx tsx postman/build-collection.ts`.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { componentSchema, corsSettings } from '../contract/spec';
import { loadSeedPets } from '../seed';
import { COLLECTION_PATH, FOLDERS, GATEWAY_FOLDER } from './collection-files';

const POSTMAN_SCHEMA_URL = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

interface Header {
  key: string;
  value: string;
}

export interface PostmanRequestItem {
  id: string;
  name: string;
  event: PostmanEvent[];
  request: {
    method: string;
    header: Header[];
    url: { raw: string; host: string[]; path: string[]; query?: Header[] };
    body?: { mode: 'raw'; raw: string };
    description: string;
  };
}

export interface PostmanEvent {
  listen: 'prerequest' | 'test';
  script: { type: 'text/javascript'; exec: string[] };
}

export interface PostmanFolder {
  id: string;
  name: string;
  description: string;
  item: PostmanRequestItem[];
  event?: PostmanEvent[];
}

export interface PostmanCollection {
  info: { _postman_id: string; name: string; description: string; schema: string };
  item: PostmanFolder[];
  event: PostmanEvent[];
  variable: { key: string; value: string; type: 'string' }[];
}

interface RequestSpec {
  name: string;
  description: string;
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'OPTIONS';
  /** Path after `{{baseUrl}}`, e.g. `/pets/{{petId}}`. */
  path: string;
  query?: [string, string][];
  body?: string;
  /** Defaults to `application/json` when there is a body. */
  contentType?: string;
  /** Extra headers beyond the two every request sends. */
  headers?: Header[];
  prerequest?: string;
  test: string;
}

/** Stable ids (uuid-shaped, from the name) so regenerating changes nothing unless content changes. */
function stableId(name: string): string {
  const hex = createHash('sha1').update(`pets-harness/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Script source → Postman's `exec` lines, with the template literal's indentation removed. */
function script(listen: PostmanEvent['listen'], source: string): PostmanEvent {
  const lines = source.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return { listen, script: { type: 'text/javascript', exec: lines.map((l) => l.slice(indent)) } };
}

function requestItem(folder: string, spec: RequestSpec): PostmanRequestItem {
  const header: Header[] = [
    { key: 'x-correlation-id', value: '{{correlationId}}' },
    { key: 'x-harness-run-id', value: '{{runId}}' },
  ];
  if (spec.body !== undefined)
    header.push({ key: 'content-type', value: spec.contentType ?? 'application/json' });
  const query = spec.query?.map(([key, value]) => ({ key, value }));
  const queryString = query ? `?${query.map((q) => `${q.key}=${q.value}`).join('&')}` : '';
  const event = [script('test', spec.test)];
  if (spec.prerequest) event.unshift(script('prerequest', spec.prerequest));
  return {
    id: stableId(`${folder}/${spec.name}`),
    name: spec.name,
    event,
    request: {
      method: spec.method,
      header,
      url: {
        raw: `{{baseUrl}}${spec.path}${queryString}`,
        host: ['{{baseUrl}}'],
        path: spec.path.split('/').filter(Boolean),
        ...(query ? { query } : {}),
      },
      ...(spec.body !== undefined ? { body: { mode: 'raw' as const, raw: spec.body } } : {}),
      description: spec.description,
    },
  };
}

function folder(name: string, description: string, specs: RequestSpec[], prerequest?: string): PostmanFolder {
  return {
    id: stableId(name),
    name,
    description,
    item: specs.map((spec) => requestItem(name, spec)),
    ...(prerequest ? { event: [script('prerequest', prerequest)] } : {}),
  };
}

// Ids this run creates: high enough never to meet seeded or generated pets, at most 15 digits so
// that they are also valid as numeric strings.
const NEW_ID = 'String(900000000000 + Math.floor(Math.random() * 99999999999))';

const expectStatus = (status: number) =>
  `pm.test('status is ${status}', () => { pm.response.to.have.status(${status}); });`;

const expectError = (status: number, field?: string) =>
  [
    expectStatus(status),
    `pm.test('body is an Error', () => { pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('errorSchema'))); });`,
    field === undefined
      ? ''
      : `pm.test('errors name the field ${field}', () => { pm.expect(pm.response.json().errors.map((e) => e.field)).to.include('${field}'); });`,
  ]
    .filter(Boolean)
    .join('\n');

function petsFolder(): PostmanFolder {
  return folder(
    FOLDERS.pets,
    'The happy path: list, filter by type, create with numeric strings, read back, delete, 404 after.',
    [
      {
        name: 'List pets',
        description: 'GET /pets: a JSON array of pets; the seeded pets are all there.',
        method: 'GET',
        path: '/pets',
        test: `
          ${expectStatus(200)}
          pm.test('every pet matches the Pet schema', () => {
            pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('petListSchema')), { multipleOfPrecision: 9 });
          });
          pm.test('the seeded pets are all there', () => {
            const byId = new Map(pm.response.json().map((pet) => [pet.id, pet]));
            for (const seeded of JSON.parse(pm.collectionVariables.get('seededPets'))) {
              pm.expect(byId.get(seeded.id), 'pet ' + seeded.id).to.deep.equal(seeded);
            }
          });
        `,
      },
      {
        name: 'List dogs',
        description: 'GET /pets?type=dog: only dogs (a query on the type index), the seeded dogs among them.',
        method: 'GET',
        path: '/pets',
        query: [['type', 'dog']],
        test: `
          ${expectStatus(200)}
          pm.test('every pet matches the Pet schema', () => {
            pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('petListSchema')), { multipleOfPrecision: 9 });
          });
          pm.test('only dogs, and every seeded dog', () => {
            const pets = pm.response.json();
            pm.expect(pets.filter((pet) => pet.type !== 'dog')).to.deep.equal([]);
            const ids = pets.map((pet) => pet.id);
            const seededDogs = JSON.parse(pm.collectionVariables.get('seededPets')).filter((pet) => pet.type === 'dog');
            pm.expect(seededDogs.length, 'the seed has dogs').to.be.above(0);
            pm.expect(ids).to.include.members(seededDogs.map((pet) => pet.id));
          });
        `,
      },
      {
        name: 'Create a pet',
        description: 'POST /pets with an id unique to the run, id and price as numeric strings.',
        method: 'POST',
        path: '/pets',
        body: '{\n  "id": "{{petId}}",\n  "type": "dog",\n  "breed": "Newman Terrier",\n  "price": "12.50"\n}',
        prerequest: `
          const petId = ${NEW_ID};
          pm.collectionVariables.set('petId', petId);
          // Recorded before sending: the Cleanup folder deletes it even if this response is lost.
          const created = JSON.parse(pm.collectionVariables.get('createdIds') || '[]');
          pm.collectionVariables.set('createdIds', JSON.stringify(created.concat([petId])));
        `,
        test: `
          ${expectStatus(201)}
          pm.test('the stored pet matches the Pet schema', () => {
            pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('petSchema')), { multipleOfPrecision: 9 });
          });
          pm.test('numeric strings come back as numbers', () => {
            const pet = pm.response.json();
            pm.expect(pet).to.deep.equal({ id: Number(pm.collectionVariables.get('petId')), type: 'dog', breed: 'Newman Terrier', price: 12.5 });
            pm.expect(pet.id).to.be.a('number');
            pm.expect(pet.price).to.be.a('number');
          });
          pm.test('Location names the new pet', () => {
            pm.expect(pm.response.headers.get('location')).to.match(new RegExp('/pets/' + pm.collectionVariables.get('petId') + '$'));
          });
        `,
      },
      {
        name: 'Read the pet back',
        description: 'GET /pets/{id}: the pet as created, numbers as numbers.',
        method: 'GET',
        path: '/pets/{{petId}}',
        test: `
          ${expectStatus(200)}
          pm.test('the pet matches the Pet schema', () => {
            pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('petSchema')), { multipleOfPrecision: 9 });
          });
          pm.test('it is the pet just created', () => {
            pm.expect(pm.response.json()).to.deep.equal({ id: Number(pm.collectionVariables.get('petId')), type: 'dog', breed: 'Newman Terrier', price: 12.5 });
          });
        `,
      },
      {
        name: 'Delete the pet',
        description: 'DELETE /pets/{id}: 204 without a body.',
        method: 'DELETE',
        path: '/pets/{{petId}}',
        test: expectStatus(204),
      },
      {
        name: 'Read the deleted pet',
        description: 'GET /pets/{id} after the delete: 404.',
        method: 'GET',
        path: '/pets/{{petId}}',
        test: expectError(404),
      },
    ],
  );
}

/** One broken rule of the NewPet schema each: [case name, the field it breaks, body]. */
function brokenPetRules(): [string, string, string][] {
  const valid = { id: '{{unusedId}}', type: 'dog', breed: 'Newman Terrier', price: 12.5 };
  const withField = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });
  const without = (field: string) =>
    JSON.stringify(Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field)));
  const cases: [string, string, string][] = [
    ['id missing', 'id', without('id')],
    ['id of the wrong type', 'id', withField('id', true)],
    ['id not a whole number', 'id', withField('id', 1.5)],
    ['id below 1', 'id', withField('id', 0)],
    ['id above the largest safe integer', 'id', withField('id', 9007199254740992)],
    ['id a non-numeric string', 'id', withField('id', '12ab')],
    ['type missing', 'type', without('type')],
    ['type not a string', 'type', withField('type', 7)],
    ['type empty', 'type', withField('type', '')],
    ['type only spaces', 'type', withField('type', '   ')],
    ['type over 50 characters', 'type', withField('type', 'd'.repeat(51))],
    ['breed missing', 'breed', without('breed')],
    ['breed not a string', 'breed', withField('breed', ['Terrier'])],
    ['breed empty', 'breed', withField('breed', '')],
    ['breed only spaces', 'breed', withField('breed', '  ')],
    ['breed over 100 characters', 'breed', withField('breed', 'b'.repeat(101))],
    ['price missing', 'price', without('price')],
    ['price of the wrong type', 'price', withField('price', true)],
    ['price negative', 'price', withField('price', -1)],
    ['price with three decimals', 'price', withField('price', 1.234)],
    ['price above 1000000', 'price', withField('price', 1000000.01)],
    ['price a non-numeric string', 'price', withField('price', 'cheap')],
    ['an unknown field', 'color', withField('color', 'brown')],
  ];
  // The id placeholder stands for a number: unquote it so the body is valid JSON once resolved.
  return cases.map(([name, field, body]) => [name, field, body.replace('"{{unusedId}}"', '{{unusedId}}')]);
}

function validationFolder(): PostmanFolder {
  const collide: RequestSpec[] = [
    {
      name: 'Create a pet to collide with',
      description: 'POST /pets: a pet the duplicate below collides with.',
      method: 'POST',
      path: '/pets',
      body: '{ "id": {{collisionId}}, "type": "cat", "breed": "Original", "price": 3 }',
      prerequest: `
        const collisionId = ${NEW_ID};
        pm.collectionVariables.set('collisionId', collisionId);
        const created = JSON.parse(pm.collectionVariables.get('createdIds') || '[]');
        pm.collectionVariables.set('createdIds', JSON.stringify(created.concat([collisionId])));
      `,
      test: expectStatus(201),
    },
    {
      name: 'Duplicate id',
      description: 'POST /pets with an id that exists: 409, nothing overwritten.',
      method: 'POST',
      path: '/pets',
      body: '{ "id": {{collisionId}}, "type": "cat", "breed": "Overwritten", "price": 4 }',
      test: expectError(409),
    },
    {
      name: 'The duplicate changed nothing',
      description: 'GET /pets/{id}: still the original pet.',
      method: 'GET',
      path: '/pets/{{collisionId}}',
      test: `
        ${expectStatus(200)}
        pm.test('the original pet is untouched', () => {
          pm.expect(pm.response.json()).to.deep.equal({ id: Number(pm.collectionVariables.get('collisionId')), type: 'cat', breed: 'Original', price: 3 });
        });
      `,
    },
    {
      name: 'Delete the pet collided with',
      description: 'DELETE /pets/{id}: 204.',
      method: 'DELETE',
      path: '/pets/{{collisionId}}',
      test: expectStatus(204),
    },
  ];
  const rules: RequestSpec[] = brokenPetRules().map(([name, field, body]) => ({
    name: `Invalid pet: ${name}`,
    description: `POST /pets with ${name}: 400 naming ${field}.`,
    method: 'POST',
    path: '/pets',
    body,
    test: expectError(400, field),
  }));
  const others: RequestSpec[] = [
    {
      name: 'Malformed JSON',
      description: 'POST /pets with a body that is not JSON: 400.',
      method: 'POST',
      path: '/pets',
      body: '{ "id": {{unusedId}}, "type": "dog",',
      test: expectError(400),
    },
    {
      name: 'Wrong content type',
      description: 'POST /pets with text/plain: 415.',
      method: 'POST',
      path: '/pets',
      body: '{ "id": {{unusedId}}, "type": "dog", "breed": "Newman Terrier", "price": 1 }',
      contentType: 'text/plain',
      test: expectError(415),
    },
    {
      name: 'Body over 16 KiB',
      description: 'POST /pets with a 17 KiB body: 413.',
      method: 'POST',
      path: '/pets',
      body: '{ "id": {{unusedId}}, "type": "dog", "breed": "{{oversizedBreed}}", "price": 1 }',
      prerequest: `pm.variables.set('oversizedBreed', 'x'.repeat(17 * 1024));`,
      test: expectError(413),
    },
    {
      name: 'Unknown id',
      description: 'GET /pets/{id} for an id nobody created: 404 (so none of the invalid pets was stored).',
      method: 'GET',
      path: '/pets/{{unusedId}}',
      test: expectError(404),
    },
    {
      name: 'Delete an unknown id',
      description: 'DELETE /pets/{id} for an id nobody created: 404.',
      method: 'DELETE',
      path: '/pets/{{unusedId}}',
      test: expectError(404),
    },
    {
      name: 'Non-integer id',
      description: 'GET /pets/abc: 400 naming id.',
      method: 'GET',
      path: '/pets/abc',
      test: expectError(400, 'id'),
    },
    {
      name: 'Delete a non-integer id',
      description: 'DELETE /pets/1.5: 400 naming id.',
      method: 'DELETE',
      path: '/pets/1.5',
      test: expectError(400, 'id'),
    },
    ...(
      [
        ['Limit zero', 'limit', '0'],
        ['Limit over 1000', 'limit', '1001'],
        ['Limit not a number', 'limit', 'ten'],
        ['Bad nextToken', 'nextToken', 'not-a-token'],
        ['Empty type filter', 'type', ''],
      ] as const
    ).map(
      ([name, parameter, value]): RequestSpec => ({
        name,
        description: `GET /pets?${parameter}=${value}: 400 naming ${parameter}.`,
        method: 'GET',
        path: '/pets',
        query: [[parameter, value]],
        test: expectError(400, parameter),
      }),
    ),
  ];
  return folder(
    FOLDERS.validation,
    'Every rule of the Pet schema broken once, malformed and oversized bodies, wrong content type, duplicate and unknown ids, bad paging parameters.',
    [...collide, ...rules, ...others],
    // A fresh id per request that nothing creates; if a bug stored one, the collection-level test records it for Cleanup.
    `pm.variables.set('unusedId', ${NEW_ID});`,
  );
}

function pagingFolder(): PostmanFolder {
  // The shared page check: schema, no pet twice, then either follow Link rel="next" or compare totals.
  const followPages = `
    ${expectStatus(200)}
    const pageLimit = Number(pm.collectionVariables.get('pageLimit'));
    const page = pm.response.json();
    pm.test('every pet matches the Pet schema', () => {
      pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get('petListSchema')), { multipleOfPrecision: 9 });
    });
    pm.test('the page holds at most ' + pageLimit + ' pets', () => { pm.expect(page.length).to.be.at.most(pageLimit); });
    const seen = JSON.parse(pm.collectionVariables.get('pagedIds') || '[]');
    const ids = page.map((pet) => pet.id);
    pm.test('no pet appears twice', () => { pm.expect(ids.filter((id) => seen.includes(id))).to.deep.equal([]); });
    const allSeen = seen.concat(ids);
    pm.collectionVariables.set('pagedIds', JSON.stringify(allSeen));
    const pages = Number(pm.collectionVariables.get('pageCount') || '0') + 1;
    pm.collectionVariables.set('pageCount', String(pages));
    const everyId = JSON.parse(pm.collectionVariables.get('everyPetId') || '[]');
    const maxPages = Math.ceil(everyId.length / pageLimit) + 1;
    const link = /<([^>]+)>\\s*;\\s*rel="?next"?/.exec(pm.response.headers.get('link') || '');
    if (link && pages < maxPages) {
      pm.test('Link rel="next" points at /pets with the same limit and a nextToken', () => {
        pm.expect(link[1]).to.match(/\\/pets\\?/);
        pm.expect(link[1]).to.match(new RegExp('[?&]limit=' + pageLimit + '(&|$)'));
        pm.expect(link[1]).to.match(/[?&]nextToken=[^&]+/);
      });
      // The token exactly as the link carries it (already URL-encoded).
      pm.collectionVariables.set('nextToken', /[?&]nextToken=([^&]+)/.exec(link[1])[1]);
      pm.execution.setNextRequest('Next page');
    } else {
      pm.collectionVariables.set('nextToken', '');
      pm.test('the pages end within ' + maxPages + ' pages', () => { pm.expect(link, 'a Link rel="next" on page ' + pages).to.equal(null); });
      pm.test('the pages hold every pet of the unpaged list, each once', () => {
        pm.expect(allSeen.slice().sort((a, b) => a - b)).to.deep.equal(everyId.slice().sort((a, b) => a - b));
      });
      pm.test('there were several pages', () => { pm.expect(pages).to.be.above(1); });
    }
  `;
  return folder(
    FOLDERS.paging,
    'Page through every pet with a small limit following Link rel="next"; no pet twice, the count equals an unpaged list taken first.',
    [
      {
        name: 'List every pet in one page',
        description: 'GET /pets?limit=1000: the reference list the pages are compared with.',
        method: 'GET',
        path: '/pets',
        query: [['limit', '1000']],
        test: `
          ${expectStatus(200)}
          pm.test('one page holds them all (no Link rel="next")', () => { pm.expect(pm.response.headers.get('link') || '').not.to.match(/rel="?next/); });
          pm.collectionVariables.set('everyPetId', JSON.stringify(pm.response.json().map((pet) => pet.id)));
          pm.collectionVariables.set('pagedIds', '[]');
          pm.collectionVariables.set('pageCount', '0');
          pm.collectionVariables.set('nextToken', '');
        `,
      },
      {
        name: 'First page',
        description: 'GET /pets?limit={{pageLimit}}: the first page.',
        method: 'GET',
        path: '/pets',
        query: [['limit', '{{pageLimit}}']],
        test: followPages,
      },
      {
        name: 'Next page',
        description: 'GET the Link rel="next" target; repeats itself until a page has no Link rel="next".',
        method: 'GET',
        path: '/pets',
        query: [
          ['limit', '{{pageLimit}}'],
          ['nextToken', '{{nextToken}}'],
        ],
        // Reached by falling through only when the first page was the last: nothing to fetch then.
        prerequest: `if (!pm.collectionVariables.get('nextToken')) { pm.execution.skipRequest(); }`,
        test: followPages,
      },
    ],
  );
}

function gatewayFolder(): PostmanFolder {
  const cors = corsSettings();
  const missingToken = `
    ${expectStatus(403)}
    pm.test('the gateway says Missing Authentication Token', () => {
      pm.expect(pm.response.json()).to.deep.equal({ message: 'Missing Authentication Token' });
      pm.expect(pm.response.headers.get('x-amzn-errortype') || '').to.match(/^MissingAuthenticationTokenException/);
    });
  `;
  return folder(
    GATEWAY_FOLDER,
    'Answered by the API Gateway stage itself; these requests never reach the function and leave no handler log line.',
    [
      {
        name: 'Unknown path',
        description: 'GET an unknown resource: 403 from the stage.',
        method: 'GET',
        path: '/no-such-resource',
        test: missingToken,
      },
      {
        name: 'Unknown method',
        description: 'PUT /pets (no such method on the resource): 403 from the stage.',
        method: 'PUT',
        path: '/pets',
        body: '{}',
        test: missingToken,
      },
      {
        name: 'CORS preflight',
        description:
          "OPTIONS /pets from a browser origin: the stage's preflight answer (MOCK integration), as x-cors in the contract says.",
        method: 'OPTIONS',
        path: '/pets',
        headers: [
          { key: 'origin', value: 'https://example.org' },
          { key: 'access-control-request-method', value: 'POST' },
          { key: 'access-control-request-headers', value: 'content-type,x-correlation-id,x-harness-run-id' },
        ],
        test: `
          pm.test('status is 2xx', () => { pm.expect(pm.response.code).to.be.oneOf([200, 204]); });
          pm.test('allows the methods and headers of the contract', () => {
            const split = (name) => (pm.response.headers.get(name) || '').toLowerCase().split(/\\s*,\\s*/);
            pm.expect(split('access-control-allow-methods')).to.include.members(${JSON.stringify(cors.allowMethods.map((m) => m.toLowerCase()))});
            pm.expect(split('access-control-allow-headers')).to.include.members(${JSON.stringify(cors.allowHeaders.map((h) => h.toLowerCase()))});
            pm.expect(pm.response.headers.get('access-control-allow-origin')).to.be.oneOf(['*', 'https://example.org']);
          });
        `,
      },
    ],
    // Read by the collection-level test: the stage answers these, so nothing echoes the correlation id.
    `pm.variables.set('answeredBy', 'gateway');`,
  );
}

function cleanupFolder(): PostmanFolder {
  return folder(
    FOLDERS.cleanup,
    'Deletes every pet this run created and did not delete itself, also when a request in the middle failed. Sends nothing when there is nothing to delete.',
    [
      {
        name: 'Delete a pet this run created',
        description: 'DELETE /pets/{id} for each id left in createdIds; repeats itself until none is left.',
        method: 'DELETE',
        path: '/pets/{{cleanupId}}',
        prerequest: `
          const left = JSON.parse(pm.collectionVariables.get('createdIds') || '[]');
          if (left.length === 0) {
            pm.execution.skipRequest();
          } else {
            pm.collectionVariables.set('cleanupId', String(left[0]));
          }
        `,
        test: `
          const cleanupId = pm.collectionVariables.get('cleanupId');
          pm.test('pet ' + cleanupId + ' is gone (204, or 404 if it was never stored)', () => {
            pm.expect(pm.response.code).to.be.oneOf([204, 404]);
          });
          // Each id is tried once, whatever the answer, so a failing delete cannot loop forever.
          const left = JSON.parse(pm.collectionVariables.get('createdIds') || '[]').filter((id) => String(id) !== cleanupId);
          pm.collectionVariables.set('createdIds', JSON.stringify(left));
          if (left.length > 0) { pm.execution.setNextRequest('Delete a pet this run created'); }
        `,
      },
    ],
  );
}

/** Runs before every request: the fresh correlation id that the function logs and echoes. */
const COLLECTION_PREREQUEST = `
  pm.variables.set('correlationId', require('uuid').v4());
  // The Gateway folder's own pre-request script sets 'gateway' after this one runs.
  pm.variables.set('answeredBy', 'function');
`;

/** Runs after every request: the checks every response must pass, and bookkeeping for Cleanup. */
const COLLECTION_TEST = `
  const sentCorrelationId = pm.variables.get('correlationId');
  if (pm.variables.get('answeredBy') === 'gateway') {
    // The stage answers without invoking the function, so nothing can echo the id: an echo here
    // would mean the request reached the function after all.
    pm.test('answered by the gateway (no x-correlation-id echo)', () => {
      pm.expect(pm.response.headers.get('x-correlation-id')).to.equal(undefined);
    });
  } else {
    pm.test('echoes x-correlation-id', () => {
      pm.expect(pm.response.headers.get('x-correlation-id')).to.equal(sentCorrelationId);
    });
  }
  if (pm.response.code === 204) {
    // 204 has no body, so there is no JSON to label; if a content type is sent it must still be JSON.
    pm.test('204 has no body', () => { pm.expect(pm.response.text()).to.equal(''); });
    pm.test('204 content type, if any, is JSON', () => {
      pm.expect(pm.response.headers.get('content-type') || 'application/json').to.match(/^application\\/json\\b/i);
    });
  } else {
    pm.test('answers JSON (content-type application/json)', () => {
      pm.expect(pm.response.headers.get('content-type')).to.match(/^application\\/json\\b/i);
      pm.response.json();
    });
  }
  // Cleanup deletes what this run stored and did not delete: every 201 is recorded, every 204/404 on
  // a DELETE crosses the id off.
  const created = JSON.parse(pm.collectionVariables.get('createdIds') || '[]').map(String);
  if (pm.request.method === 'POST' && pm.response.code === 201) {
    const id = String(pm.response.json().id);
    if (!created.includes(id)) { pm.collectionVariables.set('createdIds', JSON.stringify(created.concat([id]))); }
  }
  if (pm.request.method === 'DELETE' && (pm.response.code === 204 || pm.response.code === 404)) {
    const id = pm.request.url.path[pm.request.url.path.length - 1];
    pm.collectionVariables.set('createdIds', JSON.stringify(created.filter((createdId) => createdId !== id)));
  }
`;

export function buildCollection(): PostmanCollection {
  const petSchema = componentSchema('Pet');
  const variables: Record<string, string> = {
    baseUrl: 'http://127.0.0.1:3000/default',
    runId: 'postman-app',
    pageLimit: '7',
    petSchema: JSON.stringify(petSchema),
    petListSchema: JSON.stringify({ type: 'array', items: petSchema }),
    errorSchema: JSON.stringify(componentSchema('Error')),
    seededPets: JSON.stringify(loadSeedPets()),
    createdIds: '[]',
  };
  return {
    info: {
      _postman_id: stableId('collection'),
      name: 'Pets API',
      description:
        'Generated by postman/build-collection.ts from contract/openapi.yaml and seed/pets.json; edit the generator, not this file. Set baseUrl (a stage URL such as http://127.0.0.1:3000/default) and runId in an environment.',
      schema: POSTMAN_SCHEMA_URL,
    },
    item: [petsFolder(), validationFolder(), pagingFolder(), gatewayFolder(), cleanupFolder()],
    event: [script('prerequest', COLLECTION_PREREQUEST), script('test', COLLECTION_TEST)],
    variable: Object.entries(variables).map(([key, value]) => ({ key, value, type: 'string' as const })),
  };
}

/** The file's exact text, so the contract test can compare it byte for byte. */
export function collectionText(): string {
  return `${JSON.stringify(buildCollection(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(COLLECTION_PATH, collectionText());
  console.log(`wrote ${COLLECTION_PATH}`);
}
