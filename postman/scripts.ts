import type { Pm, SandboxPet } from './sandbox';

/**
 * The collection's scripts, as functions Postman runs: each takes the sandbox's `pm` (and JSON
 * arguments) and is copied into the collection, with every function of this file it calls, by
 * postman/script-source.ts. So they may use only `pm`, their arguments, the other functions here
 * and what Postman's sandbox provides (`require('uuid')`); nothing else from this project.
 */

// ——— helpers ———

/** Ids this run creates: high enough never to meet seeded or generated pets, at most 15 digits so
 * that they are also valid as numeric strings. */
function newPetId(): string {
  return String(900000000000 + Math.floor(Math.random() * 99999999999));
}

function jsonVariable<T>(pm: Pm, key: string, fallback: string): T {
  return JSON.parse(pm.collectionVariables.get(key) || fallback) as T;
}

export function expectStatus(pm: Pm, status: number): void {
  pm.test(`status is ${status}`, () => {
    pm.response.to.have.status(status);
  });
}

/** The one schema assertion: the body validates against a contract schema the collection carries. */
export function expectSchema(pm: Pm, name: string, schemaVariable: string): void {
  pm.test(name, () => {
    pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get(schemaVariable) ?? ''), {
      multipleOfPrecision: 9,
    });
  });
}

/** An error answer: its status, an Error body, and (for a 400) the field it names. */
export function expectError(pm: Pm, status: number, field?: string): void {
  expectStatus(pm, status);
  expectSchema(pm, 'body is an Error', 'errorSchema');
  if (field === undefined) return;
  pm.test(`errors name the field ${field}`, () => {
    const errors = (pm.response.json() as { errors: { field: string }[] }).errors;
    pm.expect(errors.map((error) => error.field)).to.include(field);
  });
}

/** The pet this run created under `idVariable`, as the API must give it back. */
export function expectThePet(pm: Pm, name: string, idVariable: string, pet: Omit<SandboxPet, 'id'>): void {
  pm.test(name, () => {
    pm.expect(pm.response.json()).to.deep.equal({
      id: Number(pm.collectionVariables.get(idVariable)),
      ...pet,
    });
  });
}

// ——— pets ———

export function seededPetsAreListed(pm: Pm): void {
  pm.test('the seeded pets are all there', () => {
    const byId = new Map((pm.response.json() as SandboxPet[]).map((pet) => [pet.id, pet]));
    for (const seeded of jsonVariable<SandboxPet[]>(pm, 'seededPets', '[]')) {
      pm.expect(byId.get(seeded.id), `pet ${seeded.id}`).to.deep.equal(seeded);
    }
  });
}

export function onlyDogsAreListed(pm: Pm): void {
  pm.test('only dogs, and every seeded dog', () => {
    const pets = pm.response.json() as SandboxPet[];
    pm.expect(pets.filter((pet) => pet.type !== 'dog')).to.deep.equal([]);
    const ids = pets.map((pet) => pet.id);
    const seededDogs = jsonVariable<SandboxPet[]>(pm, 'seededPets', '[]').filter((pet) => pet.type === 'dog');
    pm.expect(seededDogs.length, 'the seed has dogs').to.be.above(0);
    pm.expect(ids).to.include.members(seededDogs.map((pet) => pet.id));
  });
}

/** Picks a fresh id for a pet the request creates, recorded before sending: Cleanup deletes it even if the response is lost. */
export function rememberNewPet(pm: Pm, idVariable: string): void {
  const petId = newPetId();
  pm.collectionVariables.set(idVariable, petId);
  const created = jsonVariable<string[]>(pm, 'createdIds', '[]');
  pm.collectionVariables.set('createdIds', JSON.stringify(created.concat([petId])));
}

export function createdPetComesBack(pm: Pm): void {
  pm.test('numeric strings come back as numbers', () => {
    const pet = pm.response.json() as SandboxPet;
    const id = Number(pm.collectionVariables.get('petId'));
    pm.expect(pet).to.deep.equal({ id, type: 'dog', breed: 'Newman Terrier', price: 12.5 });
    pm.expect(pet.id).to.be.a('number');
    pm.expect(pet.price).to.be.a('number');
  });
  pm.test('Location names the new pet', () => {
    const location = pm.response.headers.get('location');
    pm.expect(location).to.match(new RegExp(`/pets/${pm.collectionVariables.get('petId')}$`));
  });
}

// ——— validation ———

export function useAnUnusedId(pm: Pm): void {
  pm.variables.set('unusedId', newPetId());
}

export function useAnOversizedBreed(pm: Pm): void {
  pm.variables.set('oversizedBreed', 'x'.repeat(17 * 1024));
}

// ——— paging ———

export function startPaging(pm: Pm): void {
  pm.test('one page holds them all (no Link rel="next")', () => {
    pm.expect(pm.response.headers.get('link') || '').not.to.match(/rel="?next/);
  });
  const everyPetId = (pm.response.json() as SandboxPet[]).map((pet) => pet.id);
  pm.collectionVariables.set('everyPetId', JSON.stringify(everyPetId));
  pm.collectionVariables.set('pagedIds', '[]');
  pm.collectionVariables.set('pageCount', '0');
  pm.collectionVariables.set('nextToken', '');
}

/** Follows Link rel="next" to the next page, or, on the last page, compares the pages with the unpaged list. */
export function followPages(pm: Pm): void {
  expectStatus(pm, 200);
  const pageLimit = Number(pm.collectionVariables.get('pageLimit'));
  const page = pm.response.json() as SandboxPet[];
  expectSchema(pm, 'every pet matches the Pet schema', 'petListSchema');
  pm.test(`the page holds at most ${pageLimit} pets`, () => {
    pm.expect(page.length).to.be.at.most(pageLimit);
  });
  const seen = jsonVariable<number[]>(pm, 'pagedIds', '[]');
  const ids = page.map((pet) => pet.id);
  pm.test('no pet appears twice', () => {
    pm.expect(ids.filter((id) => seen.includes(id))).to.deep.equal([]);
  });
  const allSeen = seen.concat(ids);
  pm.collectionVariables.set('pagedIds', JSON.stringify(allSeen));
  const pages = Number(pm.collectionVariables.get('pageCount') || '0') + 1;
  pm.collectionVariables.set('pageCount', String(pages));
  const everyId = jsonVariable<number[]>(pm, 'everyPetId', '[]');
  const maxPages = Math.ceil(everyId.length / pageLimit) + 1;
  const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(pm.response.headers.get('link') || '');
  if (link?.[1] && pages < maxPages) requestNextPage(pm, link[1], pageLimit);
  else endOfPages(pm, { link: link?.[1] ?? null, pages, maxPages, allSeen, everyId });
}

function requestNextPage(pm: Pm, next: string, pageLimit: number): void {
  pm.test('Link rel="next" points at /pets with the same limit and a nextToken', () => {
    pm.expect(next).to.match(/\/pets\?/);
    pm.expect(next).to.match(new RegExp(`[?&]limit=${pageLimit}(&|$)`));
    pm.expect(next).to.match(/[?&]nextToken=[^&]+/);
  });
  // The token exactly as the link carries it (already URL-encoded).
  pm.collectionVariables.set('nextToken', /[?&]nextToken=([^&]+)/.exec(next)?.[1] ?? '');
  pm.execution.setNextRequest('Next page');
}

interface PagesSeen {
  link: string | null;
  pages: number;
  maxPages: number;
  allSeen: number[];
  everyId: number[];
}

function endOfPages(pm: Pm, { link, pages, maxPages, allSeen, everyId }: PagesSeen): void {
  pm.collectionVariables.set('nextToken', '');
  pm.test(`the pages end within ${maxPages} pages`, () => {
    pm.expect(link, `a Link rel="next" on page ${pages}`).to.equal(null);
  });
  pm.test('the pages hold every pet of the unpaged list, each once', () => {
    const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);
    pm.expect(sorted(allSeen)).to.deep.equal(sorted(everyId));
  });
  pm.test('there were several pages', () => {
    pm.expect(pages).to.be.above(1);
  });
}

/** Reached by falling through only when the first page was the last: nothing to fetch then. */
export function skipWithoutNextToken(pm: Pm): void {
  if (!pm.collectionVariables.get('nextToken')) pm.execution.skipRequest();
}

// ——— gateway ———

export function missingAuthenticationToken(pm: Pm): void {
  expectStatus(pm, 403);
  pm.test('the gateway says Missing Authentication Token', () => {
    pm.expect(pm.response.json()).to.deep.equal({ message: 'Missing Authentication Token' });
    const errorType = pm.response.headers.get('x-amzn-errortype') || '';
    pm.expect(errorType).to.match(/^MissingAuthenticationTokenException/);
  });
}

export function preflightAllows(pm: Pm, methods: string[], headers: string[]): void {
  pm.test('status is 2xx', () => {
    pm.expect(pm.response.code).to.be.oneOf([200, 204]);
  });
  pm.test('allows the methods and headers of the contract', () => {
    const split = (name: string) => (pm.response.headers.get(name) || '').toLowerCase().split(/\s*,\s*/);
    pm.expect(split('access-control-allow-methods')).to.include.members(methods);
    pm.expect(split('access-control-allow-headers')).to.include.members(headers);
    const origin = pm.response.headers.get('access-control-allow-origin');
    pm.expect(origin).to.be.oneOf(['*', 'https://example.org']);
  });
}

/** Read by the collection-level test: the stage answers these, so nothing echoes the correlation id. */
export function answeredByTheGateway(pm: Pm): void {
  pm.variables.set('answeredBy', 'gateway');
}

// ——— cleanup ———

export function pickAPetToDelete(pm: Pm): void {
  const left = jsonVariable<string[]>(pm, 'createdIds', '[]');
  if (left.length === 0) pm.execution.skipRequest();
  else pm.collectionVariables.set('cleanupId', String(left[0]));
}

export function petIsGone(pm: Pm): void {
  const cleanupId = pm.collectionVariables.get('cleanupId');
  pm.test(`pet ${cleanupId} is gone (204, or 404 if it was never stored)`, () => {
    pm.expect(pm.response.code).to.be.oneOf([204, 404]);
  });
  // Each id is tried once, whatever the answer, so a failing delete cannot loop forever.
  const left = jsonVariable<string[]>(pm, 'createdIds', '[]').filter((id) => String(id) !== cleanupId);
  pm.collectionVariables.set('createdIds', JSON.stringify(left));
  if (left.length > 0) pm.execution.setNextRequest('Delete a pet this run created');
}

// ——— every request ———

/** Before every request: the fresh correlation id that the function logs and echoes. */
export function newCorrelationId(pm: Pm): void {
  pm.variables.set('correlationId', require('uuid').v4());
  // The Gateway folder's own pre-request script sets 'gateway' after this one runs.
  pm.variables.set('answeredBy', 'function');
}

/** After every request: the checks every response must pass, and the bookkeeping for Cleanup. */
export function everyResponse(pm: Pm): void {
  expectCorrelationEcho(pm);
  expectJsonAnswer(pm);
  trackCreatedPets(pm);
}

function expectCorrelationEcho(pm: Pm): void {
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
}

function expectJsonAnswer(pm: Pm): void {
  if (pm.response.code === 204) {
    // 204 has no body, so there is no JSON to label; if a content type is sent it must still be JSON.
    pm.test('204 has no body', () => {
      pm.expect(pm.response.text()).to.equal('');
    });
    pm.test('204 content type, if any, is JSON', () => {
      const contentType = pm.response.headers.get('content-type') || 'application/json';
      pm.expect(contentType).to.match(/^application\/json\b/i);
    });
  } else {
    pm.test('answers JSON (content-type application/json)', () => {
      pm.expect(pm.response.headers.get('content-type')).to.match(/^application\/json\b/i);
      pm.response.json();
    });
  }
}

/** Cleanup deletes what this run stored and did not delete: every 201 is recorded, every 204/404 on a DELETE crosses the id off. */
function trackCreatedPets(pm: Pm): void {
  const created = jsonVariable<unknown[]>(pm, 'createdIds', '[]').map(String);
  if (pm.request.method === 'POST' && pm.response.code === 201) {
    const id = String((pm.response.json() as SandboxPet).id);
    if (!created.includes(id)) pm.collectionVariables.set('createdIds', JSON.stringify(created.concat([id])));
  }
  if (pm.request.method === 'DELETE' && (pm.response.code === 204 || pm.response.code === 404)) {
    const id = pm.request.url.path[pm.request.url.path.length - 1];
    const left = created.filter((createdId) => createdId !== id);
    pm.collectionVariables.set('createdIds', JSON.stringify(left));
  }
}
