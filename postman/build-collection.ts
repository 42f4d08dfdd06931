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
import { call, type ScriptCall, scriptLines } from './script-source';
import {
  answeredByTheGateway,
  createdPetComesBack,
  everyResponse,
  expectError,
  expectSchema,
  expectStatus,
  expectThePet,
  followPages,
  missingAuthenticationToken,
  newCorrelationId,
  onlyDogsAreListed,
  petIsGone,
  pickAPetToDelete,
  preflightAllows,
  rememberNewPet,
  seededPetsAreListed,
  skipWithoutNextToken,
  startPaging,
  useAnOversizedBreed,
  useAnUnusedId,
} from './scripts';

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
  prerequest?: ScriptCall[];
  test: ScriptCall[];
}

/**
 * One request of the collection in one call: method and path first, then its name, what it shows
 * (the request's description), its checks, and whatever else it sends.
 */
function request(
  method: RequestSpec['method'],
  path: string,
  name: string,
  description: string,
  test: ScriptCall[],
  extras: Omit<RequestSpec, 'method' | 'path' | 'name' | 'description' | 'test'> = {},
): RequestSpec {
  return { method, path, name, description, test, ...extras };
}

/** Stable ids (uuid-shaped, from the name) so regenerating changes nothing unless content changes. */
function stableId(name: string): string {
  const hex = createHash('sha1').update(`pets-harness/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Calls of postman/scripts.ts functions → one Postman script. */
function script(listen: PostmanEvent['listen'], calls: ScriptCall[]): PostmanEvent {
  return { listen, script: { type: 'text/javascript', exec: scriptLines(calls) } };
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

function folder(
  name: string,
  description: string,
  specs: RequestSpec[],
  prerequest?: ScriptCall[],
): PostmanFolder {
  return {
    id: stableId(name),
    name,
    description,
    item: specs.map((spec) => requestItem(name, spec)),
    ...(prerequest ? { event: [script('prerequest', prerequest)] } : {}),
  };
}

const PET_SCHEMA = 'petSchema';
const PET_LIST_SCHEMA = 'petListSchema';
const NEWMAN_TERRIER = { type: 'dog', breed: 'Newman Terrier', price: 12.5 };

const status = (code: number) => [call(expectStatus, code)];
const error = (code: number, field?: string) => [
  field === undefined ? call(expectError, code) : call(expectError, code, field),
];

function listRequests(): RequestSpec[] {
  return [
    request('GET', '/pets', 'List pets', 'GET /pets: a JSON array of pets; the seeded pets are all there.', [
      call(expectStatus, 200),
      call(expectSchema, 'every pet matches the Pet schema', PET_LIST_SCHEMA),
      call(seededPetsAreListed),
    ]),
    request(
      'GET',
      '/pets',
      'List dogs',
      'GET /pets?type=dog: only dogs (a query on the type index), the seeded dogs among them.',
      [
        call(expectStatus, 200),
        call(expectSchema, 'every pet matches the Pet schema', PET_LIST_SCHEMA),
        call(onlyDogsAreListed),
      ],
      { query: [['type', 'dog']] },
    ),
  ];
}

/** A pet created, read back, deleted, and gone. */
function lifecycleRequests(): RequestSpec[] {
  return [
    request(
      'POST',
      '/pets',
      'Create a pet',
      'POST /pets with an id unique to the run, id and price as numeric strings.',
      [
        call(expectStatus, 201),
        call(expectSchema, 'the stored pet matches the Pet schema', PET_SCHEMA),
        call(createdPetComesBack),
      ],
      {
        body: '{\n  "id": "{{petId}}",\n  "type": "dog",\n  "breed": "Newman Terrier",\n  "price": "12.50"\n}',
        prerequest: [call(rememberNewPet, 'petId')],
      },
    ),
    request(
      'GET',
      '/pets/{{petId}}',
      'Read the pet back',
      'GET /pets/{id}: the pet as created, numbers as numbers.',
      [
        call(expectStatus, 200),
        call(expectSchema, 'the pet matches the Pet schema', PET_SCHEMA),
        call(expectThePet, 'it is the pet just created', 'petId', NEWMAN_TERRIER),
      ],
    ),
    request(
      'DELETE',
      '/pets/{{petId}}',
      'Delete the pet',
      'DELETE /pets/{id}: 204 without a body.',
      status(204),
    ),
    request(
      'GET',
      '/pets/{{petId}}',
      'Read the deleted pet',
      'GET /pets/{id} after the delete: 404.',
      error(404),
    ),
  ];
}

function petsFolder(): PostmanFolder {
  return folder(
    FOLDERS.pets,
    'The happy path: list, filter by type, create with numeric strings, read back, delete, 404 after.',
    [...listRequests(), ...lifecycleRequests()],
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

/** A pet, a duplicate of its id (409), proof that nothing was overwritten, and its deletion. */
function collisionRequests(): RequestSpec[] {
  return [
    request(
      'POST',
      '/pets',
      'Create a pet to collide with',
      'POST /pets: a pet the duplicate below collides with.',
      status(201),
      {
        body: '{ "id": {{collisionId}}, "type": "cat", "breed": "Original", "price": 3 }',
        prerequest: [call(rememberNewPet, 'collisionId')],
      },
    ),
    request(
      'POST',
      '/pets',
      'Duplicate id',
      'POST /pets with an id that exists: 409, nothing overwritten.',
      error(409),
      { body: '{ "id": {{collisionId}}, "type": "cat", "breed": "Overwritten", "price": 4 }' },
    ),
    request(
      'GET',
      '/pets/{{collisionId}}',
      'The duplicate changed nothing',
      'GET /pets/{id}: still the original pet.',
      [
        call(expectStatus, 200),
        call(expectThePet, 'the original pet is untouched', 'collisionId', {
          type: 'cat',
          breed: 'Original',
          price: 3,
        }),
      ],
    ),
    request(
      'DELETE',
      '/pets/{{collisionId}}',
      'Delete the pet collided with',
      'DELETE /pets/{id}: 204.',
      status(204),
    ),
  ];
}

function invalidPetRequests(): RequestSpec[] {
  return brokenPetRules().map(([name, field, body]) =>
    request(
      'POST',
      '/pets',
      `Invalid pet: ${name}`,
      `POST /pets with ${name}: 400 naming ${field}.`,
      error(400, field),
      { body: body },
    ),
  );
}

/** Bodies and ids the API refuses before its pet rules: malformed, wrong type, too large, unknown. */
function refusedRequests(): RequestSpec[] {
  return [
    request('POST', '/pets', 'Malformed JSON', 'POST /pets with a body that is not JSON: 400.', error(400), {
      body: '{ "id": {{unusedId}}, "type": "dog",',
    }),
    request('POST', '/pets', 'Wrong content type', 'POST /pets with text/plain: 415.', error(415), {
      body: '{ "id": {{unusedId}}, "type": "dog", "breed": "Newman Terrier", "price": 1 }',
      contentType: 'text/plain',
    }),
    request('POST', '/pets', 'Body over 16 KiB', 'POST /pets with a 17 KiB body: 413.', error(413), {
      body: '{ "id": {{unusedId}}, "type": "dog", "breed": "{{oversizedBreed}}", "price": 1 }',
      prerequest: [call(useAnOversizedBreed)],
    }),
    request(
      'GET',
      '/pets/{{unusedId}}',
      'Unknown id',
      'GET /pets/{id} for an id nobody created: 404 (so none of the invalid pets was stored).',
      error(404),
    ),
    request(
      'DELETE',
      '/pets/{{unusedId}}',
      'Delete an unknown id',
      'DELETE /pets/{id} for an id nobody created: 404.',
      error(404),
    ),
    request('GET', '/pets/abc', 'Non-integer id', 'GET /pets/abc: 400 naming id.', error(400, 'id')),
    request(
      'DELETE',
      '/pets/1.5',
      'Delete a non-integer id',
      'DELETE /pets/1.5: 400 naming id.',
      error(400, 'id'),
    ),
  ];
}

function badParameterRequests(): RequestSpec[] {
  const cases = [
    ['Limit zero', 'limit', '0'],
    ['Limit over 1000', 'limit', '1001'],
    ['Limit not a number', 'limit', 'ten'],
    ['Bad nextToken', 'nextToken', 'not-a-token'],
    ['Empty type filter', 'type', ''],
  ] as const;
  return cases.map(
    ([name, parameter, value]): RequestSpec => ({
      name,
      description: `GET /pets?${parameter}=${value}: 400 naming ${parameter}.`,
      method: 'GET',
      path: '/pets',
      query: [[parameter, value]],
      test: error(400, parameter),
    }),
  );
}

function validationFolder(): PostmanFolder {
  return folder(
    FOLDERS.validation,
    'Every rule of the Pet schema broken once, malformed and oversized bodies, wrong content type, duplicate and unknown ids, bad paging parameters.',
    [...collisionRequests(), ...invalidPetRequests(), ...refusedRequests(), ...badParameterRequests()],
    // A fresh id per request that nothing creates; if a bug stored one, the collection-level test records it for Cleanup.
    [call(useAnUnusedId)],
  );
}

function pagingFolder(): PostmanFolder {
  // The shared page check: schema, no pet twice, then either follow Link rel="next" or compare totals.
  const pageChecks = [call(followPages)];
  return folder(
    FOLDERS.paging,
    'Page through every pet with a small limit following Link rel="next"; no pet twice, the count equals an unpaged list taken first.',
    [
      request(
        'GET',
        '/pets',
        'List every pet in one page',
        'GET /pets?limit=1000: the reference list the pages are compared with.',
        [call(expectStatus, 200), call(startPaging)],
        { query: [['limit', '1000']] },
      ),
      request('GET', '/pets', 'First page', 'GET /pets?limit={{pageLimit}}: the first page.', pageChecks, {
        query: [['limit', '{{pageLimit}}']],
      }),
      request(
        'GET',
        '/pets',
        'Next page',
        'GET the Link rel="next" target; repeats itself until a page has no Link rel="next".',
        pageChecks,
        {
          query: [
            ['limit', '{{pageLimit}}'],
            ['nextToken', '{{nextToken}}'],
          ],
          prerequest: [call(skipWithoutNextToken)],
        },
      ),
    ],
  );
}

function gatewayFolder(): PostmanFolder {
  const cors = corsSettings();
  const missingToken = [call(missingAuthenticationToken)];
  return folder(
    GATEWAY_FOLDER,
    'Answered by the API Gateway stage itself; these requests never reach the function and leave no handler log line.',
    [
      request(
        'GET',
        '/no-such-resource',
        'Unknown path',
        'GET an unknown resource: 403 from the stage.',
        missingToken,
      ),
      request(
        'PUT',
        '/pets',
        'Unknown method',
        'PUT /pets (no such method on the resource): 403 from the stage.',
        missingToken,
        { body: '{}' },
      ),
      request(
        'OPTIONS',
        '/pets',
        'CORS preflight',
        "OPTIONS /pets from a browser origin: the stage's preflight answer (MOCK integration), as x-cors in the contract says.",
        [
          call(
            preflightAllows,
            cors.allowMethods.map((method) => method.toLowerCase()),
            cors.allowHeaders.map((header) => header.toLowerCase()),
          ),
        ],
        {
          headers: [
            { key: 'origin', value: 'https://example.org' },
            { key: 'access-control-request-method', value: 'POST' },
            {
              key: 'access-control-request-headers',
              value: 'content-type,x-correlation-id,x-harness-run-id',
            },
          ],
        },
      ),
    ],
    [call(answeredByTheGateway)],
  );
}

function cleanupFolder(): PostmanFolder {
  return folder(
    FOLDERS.cleanup,
    'Deletes every pet this run created and did not delete itself, also when a request in the middle failed. Sends nothing when there is nothing to delete.',
    [
      request(
        'DELETE',
        '/pets/{{cleanupId}}',
        'Delete a pet this run created',
        'DELETE /pets/{id} for each id left in createdIds; repeats itself until none is left.',
        [call(petIsGone)],
        { prerequest: [call(pickAPetToDelete)] },
      ),
    ],
  );
}

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
    event: [script('prerequest', [call(newCorrelationId)]), script('test', [call(everyResponse)])],
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
