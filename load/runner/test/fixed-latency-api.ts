import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../common/paths';

/**
 * A stand-in for the pets API's read routes that answers every request after a fixed delay, so
 * latency figures of two runs can be compared without the noise of a real stage. It answers what
 * the load script checks (the seed pets, type filter, paging with `Link: rel="next"`, echoed
 * `x-correlation-id`) and nothing more.
 */
export interface FixedLatencyApi {
  url: string;
  requests: () => number;
  stop: () => Promise<void>;
}

interface Pet {
  id: number;
  type: string;
  breed: string;
  price: number;
}

const STAGE = 'default';

interface Answer {
  status: number;
  body: unknown;
  link?: string;
}

function send(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const correlationId = request.headers['x-correlation-id'];
  if (typeof correlationId === 'string') headers['x-correlation-id'] = correlationId;
  if (answer.link) headers.link = answer.link;
  response.writeHead(answer.status, headers);
  response.end(JSON.stringify(answer.body));
}

const UNKNOWN: Answer = { status: 403, body: { message: 'Missing Authentication Token' } };

function answerFor(pets: Pet[], request: IncomingMessage): Answer {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname.replace(`/${STAGE}`, '');
  const byId = /^\/pets\/(\d+)$/.exec(path);
  if (request.method !== 'GET') return UNKNOWN;
  if (byId) {
    const pet = pets.find((candidate) => candidate.id === Number(byId[1]));
    return pet ? { status: 200, body: pet } : { status: 404, body: { message: 'not found' } };
  }
  if (path !== '/pets') return UNKNOWN;
  const type = url.searchParams.get('type');
  const matching = type ? pets.filter((pet) => pet.type === type) : pets;
  const limit = Number(url.searchParams.get('limit') ?? 100);
  const start = Number(url.searchParams.get('nextToken') ?? 0);
  const more = start + limit < matching.length;
  const link = more ? `</${STAGE}/pets?limit=${limit}&nextToken=${start + limit}>; rel="next"` : undefined;
  return { status: 200, body: matching.slice(start, start + limit), ...(link ? { link } : {}) };
}

export async function startFixedLatencyApi(latencyMs: number): Promise<FixedLatencyApi> {
  const pets = JSON.parse(readFileSync(join(PROJECT_ROOT, 'seed', 'pets.json'), 'utf8')) as Pet[];
  let served = 0;
  const server = createServer((request, response) => {
    served += 1;
    setTimeout(() => send(request, response, answerFor(pets, request)), latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${STAGE}`,
    requests: () => served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
