import { check } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import type { RouteName } from './routes.ts';
import { uuidV4 } from './uuid.ts';

type Response = RefinedResponse<ResponseType | undefined>;

export interface Pet {
  id: number;
  type: string;
  breed: string;
  price: number;
}

export interface Target {
  baseUrl: string;
  runId: string;
}

/**
 * One GET with the harness headers and tags: a fresh `x-correlation-id` per request (the handler
 * logs it and echoes it back), the run id for the log check, the `route` tag for per-route
 * thresholds, and a `name` tag so URLs with ids and tokens do not become thousands of series.
 */
export function getFrom(target: Target, route: RouteName | 'preflight', url: string, name: string) {
  const correlationId = uuidV4();
  const response = http.get(url, {
    headers: {
      accept: 'application/json',
      'x-correlation-id': correlationId,
      'x-harness-run-id': target.runId,
    },
    tags: { route, name },
  });
  return { response, correlationId };
}

/** A header by name, whatever case the server (or k6's canonicalisation) gave it. */
export function header(response: Response, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function jsonBody(response: Response): unknown {
  if (typeof response.body !== 'string') return undefined;
  try {
    return JSON.parse(response.body);
  } catch {
    return undefined;
  }
}

function isPet(value: unknown): value is Pet {
  if (typeof value !== 'object' || value === null) return false;
  const pet = value as Record<string, unknown>;
  return (
    typeof pet.id === 'number' &&
    Number.isInteger(pet.id) &&
    pet.id >= 1 &&
    typeof pet.type === 'string' &&
    pet.type.trim() !== '' &&
    typeof pet.breed === 'string' &&
    pet.breed.trim() !== '' &&
    typeof pet.price === 'number' &&
    pet.price >= 0
  );
}

function isPetList(value: unknown): value is Pet[] {
  return Array.isArray(value) && value.every(isPet);
}

/** The checks every JSON answer of the API must pass, named `<route>: …` in the summaries. */
function commonChecks(route: RouteName, response: Response, correlationId: string): boolean {
  return check(
    response,
    {
      [`${route}: status is 200`]: (r) => r.status === 200,
      [`${route}: content-type is application/json`]: (r) =>
        (header(r, 'content-type') ?? '').toLowerCase().startsWith('application/json'),
      [`${route}: x-correlation-id is echoed`]: (r) => header(r, 'x-correlation-id') === correlationId,
    },
    { route },
  );
}

export function listPets(target: Target): void {
  const { response, correlationId } = getFrom(target, 'list', `${target.baseUrl}/pets`, 'GET /pets');
  commonChecks('list', response, correlationId);
  check(response, { 'list: body is a list of pets': (r) => isPetList(jsonBody(r)) }, { route: 'list' });
}

export function listPetsByType(target: Target, type: string): void {
  const url = `${target.baseUrl}/pets?type=${encodeURIComponent(type)}`;
  const { response, correlationId } = getFrom(target, 'list-by-type', url, 'GET /pets?type=…');
  commonChecks('list-by-type', response, correlationId);
  check(
    response,
    {
      'list-by-type: body is a list of pets': (r) => isPetList(jsonBody(r)),
      'list-by-type: every pet has the type asked for': (r) => {
        const body = jsonBody(r);
        return isPetList(body) && body.every((pet) => pet.type === type);
      },
      // PET_TYPES names types the table holds, so an empty answer means the index lost them.
      'list-by-type: finds at least one pet': (r) => {
        const body = jsonBody(r);
        return Array.isArray(body) && body.length > 0;
      },
    },
    { route: 'list-by-type' },
  );
}

export function getPet(target: Target, id: number): void {
  const { response, correlationId } = getFrom(
    target,
    'get',
    `${target.baseUrl}/pets/${id}`,
    'GET /pets/{id}',
  );
  commonChecks('get', response, correlationId);
  check(
    response,
    {
      'get: body is the pet asked for': (r) => {
        const body = jsonBody(r);
        return isPet(body) && body.id === id;
      },
    },
    { route: 'get' },
  );
}

/** The `rel="next"` target of a `Link` header, if any. */
function nextLink(linkHeader: string | undefined): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of linkHeader.split(',')) {
    const match = /<([^>]*)>\s*;(?:.*;)?\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match?.[2]?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

/**
 * Where a `Link` target points. Absolute URLs are used as they are. A path is read against the
 * stage: `/default/pets?…` (path with the stage, as API Gateway's `requestContext.path` has it)
 * keeps its stage, `/pets?…` (the function's view, without the stage) gets the stage in front.
 */
function resolveLink(baseUrl: string, link: string): string {
  if (/^https?:\/\//i.test(link)) return link;
  const origin = /^https?:\/\/[^/]+/i.exec(baseUrl)?.[0] ?? baseUrl;
  const basePath = baseUrl.slice(origin.length);
  if (link.startsWith('/')) {
    return basePath !== '' && (link === basePath || link.startsWith(`${basePath}/`))
      ? `${origin}${link}`
      : `${baseUrl}${link}`;
  }
  if (link.startsWith('?')) return `${baseUrl}/pets${link}`;
  return `${baseUrl}/${link}`;
}

/**
 * The paging walk: `GET /pets?limit=N`, then each `Link: <…>; rel="next"` until there is none
 * (or `maxPages`). Proves a client can read the whole table page by page without repeats.
 */
export function walkPages(target: Target, limit: number, maxPages: number, seededIds: number[]): void {
  let url: string | undefined = `${target.baseUrl}/pets?limit=${limit}`;
  const seen = new Set<number>();
  let repeated = false;
  let pages = 0;
  while (url !== undefined && pages < maxPages) {
    const { response, correlationId } = getFrom(target, 'page', url, `GET /pets?limit=${limit}&nextToken=…`);
    pages += 1;
    const body = jsonBody(response);
    commonChecks('page', response, correlationId);
    check(
      response,
      {
        'page: body is a list of pets': () => isPetList(body),
        'page: holds at most limit pets': () => Array.isArray(body) && body.length <= limit,
      },
      { route: 'page' },
    );
    if (response.status !== 200 || !isPetList(body)) return;
    for (const pet of body) {
      if (seen.has(pet.id)) repeated = true;
      seen.add(pet.id);
    }
    const next = nextLink(header(response, 'link'));
    url = next === undefined ? undefined : resolveLink(target.baseUrl, next);
  }
  const finished = url === undefined;
  check(
    seen,
    {
      'page: no pet comes back twice': () => !repeated,
      // Only a walk that reached the end can be asked to have seen everything.
      'page: a finished walk saw every seeded pet': (ids) =>
        !finished || seededIds.every((id) => ids.has(id)),
    },
    { route: 'page' },
  );
}
