import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { type DynamoDbCall, itemsReadBy } from './access-patterns';
import { answerAsDynamoDb, type DynamoDbFault, failCall } from './dynamodb-faults';
import { CAPACITY_OPERATIONS, iamChecks, READ_OPERATIONS, tableArn } from './dynamodb-requests';
import type { IamDecision, IamEvaluator } from './iam';

/**
 * The function's DynamoDB endpoint on the stage: a proxy in front of the real DynamoDB server (the
 * container, dynalite in process, moto) that authorizes every request against the role's policies
 * first, and answers a denied one as DynamoDB does. It also asks for `ReturnConsumedCapacity:
 * TOTAL` on calls that did not, counts the capacity units per table, and takes them out of the
 * answer again, so the function sees what it asked for. Each execution environment reaches it on
 * a path of its own (`/environment/<id>`), so every call is tied to the invocation that made it:
 * its fault, if it asked for one, and the record of its calls.
 */
export interface TableCapacity {
  readUnits: number;
  writeUnits: number;
}

export interface DynamoDbGateway {
  /** `http://127.0.0.1:<port>`: the function's DYNAMODB_ENDPOINT. */
  endpoint: string;
  /** Capacity units consumed per table name since the start. */
  consumedCapacity(): Record<string, TableCapacity>;
  /** Calls the role's policies denied so far. */
  denied(): Extract<IamDecision, { allowed: false }>[];
  stop(): Promise<void>;
}

/** What the gateway knows of the invocation a call comes from. */
export interface CallerInvocation {
  /** Fail its calls this way instead of passing them on. */
  fault?: DynamoDbFault;
  /** Its calls so far, faulted ones included. */
  calls: DynamoDbCall[];
}

export interface DynamoDbGatewayOptions {
  /** The real DynamoDB endpoint (the container, dynalite in process, moto). */
  upstream: string;
  iam: IamEvaluator;
  region: string;
  accountId: string;
  /** The invocation an environment is running, by the id in its endpoint's path. */
  invocationOf?: (environmentId: string) => CallerInvocation | undefined;
}

/** The endpoint an environment is given: the gateway's, with the environment's id as its path. */
export function environmentEndpoint(gatewayEndpoint: string, environmentId: string): string {
  return `${gatewayEndpoint}/environment/${environmentId}`;
}

/** The environment id and the path DynamoDB is sent, from the path a call came on. */
function splitPath(url: string | undefined): { environmentId?: string; path: string } {
  const match = /^\/environment\/([0-9a-f]+)(\/.*)?$/u.exec(url ?? '/');
  return match ? { environmentId: match[1], path: match[2] ?? '/' } : { path: url ?? '/' };
}

type Json = Record<string, unknown>;

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

interface CapacityEntry {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Adds a call's consumed capacity to the totals per table; gives back the call's own. */
function count(totals: Map<string, TableCapacity>, operation: string, consumed: unknown): TableCapacity {
  const entries = (Array.isArray(consumed) ? consumed : [consumed]) as (CapacityEntry | undefined)[];
  const call: TableCapacity = { readUnits: 0, writeUnits: 0 };
  for (const entry of entries) {
    if (!entry?.TableName) continue;
    const table = totals.get(entry.TableName) ?? { readUnits: 0, writeUnits: 0 };
    const units = entry.CapacityUnits ?? 0;
    const read = entry.ReadCapacityUnits ?? (READ_OPERATIONS.has(operation) ? units : 0);
    const write = entry.WriteCapacityUnits ?? (READ_OPERATIONS.has(operation) ? 0 : units);
    table.readUnits += read;
    table.writeUnits += write;
    call.readUnits += read;
    call.writeUnits += write;
    totals.set(entry.TableName, table);
  }
  return call;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * `headers` without the hop-by-hop ones, nor those the Connection header names. An upstream that
 * closes each connection (moto's server) would otherwise make the function's socket close too,
 * after its handler returned: an open socket at the end of every invocation.
 */
function endToEndHeaders<T>(headers: Record<string, T>): Record<string, T> {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const dropped = new Set([...HOP_BY_HOP, ...named]);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.has(name.toLowerCase())));
}

/** Where the gateway sends what it lets through, over one keep-alive agent. */
interface Upstream {
  url: URL;
  agent: Agent;
}

/** Told what came back: a plain 200 answer to read (and perhaps rewrite), or the status of any other. */
interface AnswerObserver {
  read(text: Buffer): Buffer;
  unread(status: number): void;
}

/** Passes a request on upstream, on `path`; `observer` hears of the answer before the caller sees it. */
function forward(
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  sent: { body: Buffer; path: string },
  observer?: AnswerObserver,
): void {
  const { url, agent } = upstream;
  const headers = {
    ...endToEndHeaders(req.headers),
    host: url.host,
    'content-length': String(sent.body.byteLength),
  };
  const outgoing = request(
    { host: url.hostname, port: url.port, path: sent.path, method: req.method, headers, agent },
    async (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 502;
      if (!observer || status !== 200 || upstreamRes.headers['content-encoding']) {
        observer?.unread(status);
        res.writeHead(status, endToEndHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
        return;
      }
      const text = observer.read(await readAll(upstreamRes));
      const out: Record<string, string | string[] | undefined> = {
        ...endToEndHeaders(upstreamRes.headers),
        'content-length': String(text.byteLength),
      };
      if (out['x-amz-crc32'] !== undefined) out['x-amz-crc32'] = String(crc32(text));
      res.writeHead(200, out);
      res.end(text);
    },
  );
  outgoing.on('error', () => {
    observer?.unread(0);
    res.destroy();
  });
  outgoing.end(sent.body);
}

/** What one gateway keeps between requests. */
interface GatewayState {
  options: DynamoDbGatewayOptions;
  upstream: Upstream;
  totals: Map<string, TableCapacity>;
  denials: Extract<IamDecision, { allowed: false }>[];
}

function parseBody(raw: Buffer): Json | undefined {
  try {
    return raw.byteLength === 0 ? {} : (JSON.parse(raw.toString('utf8')) as Json);
  } catch {
    return undefined;
  }
}

/** The call as the record keeps it, before its answer. */
function newCall(operation: string, body: Json): DynamoDbCall {
  const indexName = typeof body.IndexName === 'string' ? body.IndexName : undefined;
  return {
    operation,
    ...(indexName ? { indexName } : {}),
    status: 0,
    itemsRead: 0,
    readUnits: 0,
    writeUnits: 0,
  };
}

/**
 * Passes an authorized call on, asking for its consumed capacity where it consumes any, and notes
 * in `call` what came back: the status, the items read, the units (also added to the totals).
 */
function pass(
  state: GatewayState,
  req: IncomingMessage,
  res: ServerResponse,
  call: DynamoDbCall,
  body: Json,
  raw: Buffer,
  path: string,
): void {
  const { operation } = call;
  const capacity = CAPACITY_OPERATIONS.has(operation);
  const asked = body.ReturnConsumedCapacity !== undefined && body.ReturnConsumedCapacity !== 'NONE';
  const sent =
    !capacity || asked ? raw : Buffer.from(JSON.stringify({ ...body, ReturnConsumedCapacity: 'TOTAL' }));
  forward(
    state.upstream,
    req,
    res,
    { body: sent, path },
    {
      read(text) {
        call.status = 200;
        const parsed = JSON.parse(text.toString('utf8')) as Json;
        call.itemsRead = itemsReadBy(operation, parsed);
        if (!capacity) return text;
        Object.assign(call, count(state.totals, operation, parsed.ConsumedCapacity));
        if (asked) return text;
        delete parsed.ConsumedCapacity;
        return Buffer.from(JSON.stringify(parsed));
      },
      unread(status) {
        call.status = status;
      },
    },
  );
}

/**
 * Authorizes one DynamoDB call, then fails it as its invocation asked, or passes it on. The
 * invocation it came from (by its environment's path) gets it in its record.
 */
async function handle(state: GatewayState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options } = state;
  const raw = await readAll(req);
  const { environmentId, path } = splitPath(req.url);
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  const body = parseBody(raw);
  if (body === undefined) {
    // Not JSON: DynamoDB's own answer for it comes from upstream.
    forward(state.upstream, req, res, { body: raw, path });
    return;
  }
  const caller = environmentId === undefined ? undefined : options.invocationOf?.(environmentId);
  const call = newCall(operation, body);
  caller?.calls.push(call);
  const arnOf = (table: string) => tableArn(table, options.region, options.accountId);
  const decision = await options.iam.authorize(iamChecks(operation, body, arnOf));
  if (!decision.allowed) {
    state.denials.push(decision);
    call.status = 400;
    answerAsDynamoDb(res, 400, {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: decision.message,
    });
    return;
  }
  if (caller?.fault) call.status = failCall(caller.fault, req, res);
  else pass(state, req, res, call, body, raw, path);
}

/** Starts the gateway on a free loopback port. */
export async function startDynamoDbGateway(options: DynamoDbGatewayOptions): Promise<DynamoDbGateway> {
  const agent = new Agent({ keepAlive: true });
  const state: GatewayState = {
    options,
    upstream: { url: new URL(options.upstream), agent },
    totals: new Map(),
    denials: [],
  };
  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent)
        answerAsDynamoDb(res, 500, {
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message,
        });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    consumedCapacity: () =>
      Object.fromEntries([...state.totals].map(([table, units]) => [table, { ...units }])),
    denied: () => [...state.denials],
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
