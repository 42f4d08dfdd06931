import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequest } from './errors';
import { jsonBody, queryParam, stageBaseUrl } from './http';
import { decodePageToken, encodePageToken } from './page-token';
import { codePointLength, parseNewPet, parsePetId } from './pet';
import type { PetRepository } from './repository';
import type { Reply } from './responses';

/** The API's operations (contract/openapi.yaml), keyed by `METHOD resource`. */
type Route = (event: APIGatewayProxyEvent, pets: PetRepository) => Promise<Reply>;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const LIMIT = /^[1-9][0-9]{0,3}$/u;

function listQuery(event: APIGatewayProxyEvent) {
  const errors: { field: string; message: string }[] = [];
  const rawLimit = queryParam(event, 'limit');
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : LIMIT.test(rawLimit) ? Number(rawLimit) : 0;
  if (limit < 1 || limit > MAX_LIMIT) {
    errors.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  const type = queryParam(event, 'type');
  if (type !== undefined && (type.length === 0 || codePointLength(type) > 50)) {
    errors.push({ field: 'type', message: 'must be 1 to 50 characters long' });
  }
  if (errors.length > 0) throw new InvalidRequest('Invalid query', errors);
  const token = queryParam(event, 'nextToken');
  const startKey = token === undefined ? undefined : decodePageToken(token, type);
  return { limit, type, startKey };
}

const listPets: Route = async (event, pets) => {
  const { limit, type, startKey } = listQuery(event);
  const page = await pets.list({ limit, type, startKey });
  if (!page.nextKey) return { status: 200, body: page.pets };
  const next = new URLSearchParams({ limit: String(limit) });
  if (type !== undefined) next.set('type', type);
  next.set('nextToken', encodePageToken(page.nextKey, type));
  return {
    status: 200,
    body: page.pets,
    headers: { link: `<${stageBaseUrl(event)}/pets?${next}>; rel="next"` },
  };
};

const getPet: Route = async (event, pets) => {
  const pet = await pets.get(parsePetId(event.pathParameters?.id));
  return { status: 200, body: pet };
};

const createPet: Route = async (event, pets) => {
  const pet = await pets.create(parseNewPet(jsonBody(event)));
  return { status: 201, body: pet, headers: { location: `${stageBaseUrl(event)}/pets/${pet.id}` } };
};

const deletePet: Route = async (event, pets) => {
  await pets.remove(parsePetId(event.pathParameters?.id));
  return { status: 204 };
};

const ROUTES: Record<string, Route> = {
  'GET /pets': listPets,
  'POST /pets': createPet,
  'GET /pets/{id}': getPet,
  'DELETE /pets/{id}': deletePet,
};

/** Runs the operation the event is for; throws the typed errors responses.ts maps to statuses. */
export async function route(event: APIGatewayProxyEvent, pets: PetRepository): Promise<Reply> {
  const operation = ROUTES[`${event.httpMethod} ${event.resource}`];
  // The gateway only forwards documented routes; a direct invoke with anything else gets a 404.
  if (!operation)
    return { status: 404, body: { message: `No route for ${event.httpMethod} ${event.resource}` } };
  return operation(event, pets);
}
