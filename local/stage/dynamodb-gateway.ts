import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { CAPACITY_OPERATIONS, iamChecks, READ_OPERATIONS, tableArn } from './dynamodb-requests';
import type { IamDecision, IamEvaluator } from './iam';

/**
 * The function's DynamoDB endpoint on the stage: a proxy in front of the real DynamoDB Local or
 * dynalite that authorizes every request against the role's policies first, and answers a denied
 * one as DynamoDB does. It also asks for `ReturnConsumedCapacity: TOTAL` on calls that did not,
 * counts the capacity units per table, and takes them out of the answer again, so the function
 * sees what it asked for.
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

export interface DynamoDbGatewayOptions {
  /** The real DynamoDB endpoint (DynamoDB Local, dynalite). */
  upstream: string;
  iam: IamEvaluator;
  region: string;
  accountId: string;
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

function answer(res: ServerResponse, status: number, body: Json): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': text.byteLength,
    'x-amzn-requestid': randomUUID().replace(/-/gu, '').toUpperCase(),
    'x-amz-crc32': String(crc32(text)),
  });
  res.end(text);
}

interface CapacityEntry {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

function count(totals: Map<string, TableCapacity>, operation: string, consumed: unknown): void {
  const entries = (Array.isArray(consumed) ? consumed : [consumed]) as (CapacityEntry | undefined)[];
  for (const entry of entries) {
    if (!entry?.TableName) continue;
    const table = totals.get(entry.TableName) ?? { readUnits: 0, writeUnits: 0 };
    const units = entry.CapacityUnits ?? 0;
    const read = entry.ReadCapacityUnits ?? (READ_OPERATIONS.has(operation) ? units : 0);
    const write = entry.WriteCapacityUnits ?? (READ_OPERATIONS.has(operation) ? 0 : units);
    table.readUnits += read;
    table.writeUnits += write;
    totals.set(entry.TableName, table);
  }
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

/** Passes a request on upstream; `onAnswer` may rewrite a plain 200 answer before the caller sees it. */
function forward(
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  onAnswer?: (text: Buffer) => Buffer,
): void {
  const { url, agent } = upstream;
  const headers = {
    ...endToEndHeaders(req.headers),
    host: url.host,
    'content-length': String(body.byteLength),
  };
  const outgoing = request(
    { host: url.hostname, port: url.port, path: req.url, method: req.method, headers, agent },
    async (upstreamRes) => {
      const plain = !upstreamRes.headers['content-encoding'];
      if (!onAnswer || upstreamRes.statusCode !== 200 || !plain) {
        res.writeHead(upstreamRes.statusCode ?? 502, endToEndHeaders(upstreamRes.headers));
        upstreamRes.pipe(res);
        return;
      }
      const text = onAnswer(await readAll(upstreamRes));
      const out: Record<string, string | string[] | undefined> = {
        ...endToEndHeaders(upstreamRes.headers),
        'content-length': String(text.byteLength),
      };
      if (out['x-amz-crc32'] !== undefined) out['x-amz-crc32'] = String(crc32(text));
      res.writeHead(200, out);
      res.end(text);
    },
  );
  outgoing.on('error', () => res.destroy());
  outgoing.end(body);
}

/** What one gateway keeps between requests. */
interface GatewayState {
  options: DynamoDbGatewayOptions;
  upstream: Upstream;
  totals: Map<string, TableCapacity>;
  denials: Extract<IamDecision, { allowed: false }>[];
}

/** Authorizes one DynamoDB call, then forwards it, counting its capacity where it consumes any. */
async function handle(state: GatewayState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options, upstream } = state;
  const raw = await readAll(req);
  const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
  let body: Json;
  try {
    body = raw.byteLength === 0 ? {} : (JSON.parse(raw.toString('utf8')) as Json);
  } catch {
    // Not JSON: DynamoDB's own answer for it comes from upstream.
    forward(upstream, req, res, raw);
    return;
  }
  const arnOf = (table: string) => tableArn(table, options.region, options.accountId);
  const decision = await options.iam.authorize(iamChecks(operation, body, arnOf));
  if (!decision.allowed) {
    state.denials.push(decision);
    answer(res, 400, {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: decision.message,
    });
    return;
  }
  if (!CAPACITY_OPERATIONS.has(operation)) {
    forward(upstream, req, res, raw);
    return;
  }
  const asked = body.ReturnConsumedCapacity !== undefined && body.ReturnConsumedCapacity !== 'NONE';
  const sent = asked ? raw : Buffer.from(JSON.stringify({ ...body, ReturnConsumedCapacity: 'TOTAL' }));
  forward(upstream, req, res, sent, (text) => {
    const parsed = JSON.parse(text.toString('utf8')) as Json;
    count(state.totals, operation, parsed.ConsumedCapacity);
    if (asked) return text;
    delete parsed.ConsumedCapacity;
    return Buffer.from(JSON.stringify(parsed));
  });
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
        answer(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message });
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
