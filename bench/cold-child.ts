/**
 * The child process of `npm run bench:cold`: one fresh Node process that loads the function and
 * answers one GET /pets/1 against DynamoDB in memory, and prints its timings as one `BENCH {…}`
 * line. bench/cold.ts compiles it with esbuild into the run's temp dir and starts it on the Node
 * under test: `node child.js <entry>`, or `node child.js builtins:a,b,c` to require only those
 * built-ins. It requires nothing but Node's built-ins itself, so what it loads is the function's.
 */
import { EventEmitter } from 'node:events';
import Module from 'node:module';
import { performance } from 'node:perf_hooks';

/** What the child prints after `BENCH `. */
export interface ChildResult {
  status?: number;
  body?: string;
  loadMs: number;
  answerMs: number;
  builtins: string[];
  calls?: string[];
}

/** The function's answer, as far as the child reads it. */
interface ProxyResult {
  statusCode: number;
  body: string;
}

type Handler = (event: unknown, context: unknown) => Promise<ProxyResult>;

/** Node's module loader, which the child wraps to see what the function requires. */
interface ModuleLoader {
  _load(this: unknown, request: string, ...rest: unknown[]): unknown;
}

interface RequestOptions {
  host?: string;
  headers?: Record<string, unknown>;
}

const ITEM = { id: { N: '1' }, type: { S: 'dog' }, breed: { S: 'labrador' }, price: { N: '250' } };

const EVENT = {
  httpMethod: 'GET',
  path: '/pets/1',
  resource: '/pets/{id}',
  pathParameters: { id: '1' },
  headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com' },
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  body: null,
  isBase64Encoded: false,
  stageVariables: null,
  requestContext: { stage: 'prod', requestId: 'bench' },
};

const CONTEXT = {
  awsRequestId: 'bench',
  functionName: 'Pets',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Pets',
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 10000,
};

function report(result: ChildResult): void {
  process.stdout.write(`\nBENCH ${JSON.stringify(result)}\n`);
}

const calls: string[] = [];

/** DynamoDB in memory: an https.request that never opens a socket and answers like DynamoDB. */
function inMemoryDynamoDb(
  options: RequestOptions,
  onResponse: (response: import('node:stream').Readable) => void,
): EventEmitter {
  const request = new EventEmitter();
  const socket: EventEmitter = Object.assign(new EventEmitter(), {
    connecting: false,
    setTimeout: () => socket,
    setKeepAlive: () => socket,
    destroy: () => socket,
  });
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)]),
  );
  Object.assign(request, {
    socket,
    setTimeout: () => request,
    destroy: () => request,
    write: () => true,
    end: () => {
      const operation = (headers['x-amz-target'] ?? '').split('.').pop();
      calls.push(`${options.host} ${operation}`);
      const payload = Buffer.from(JSON.stringify(operation === 'GetItem' ? { Item: ITEM } : {}));
      // Required here, as the function would: loading it earlier would take it off the function's load.
      const { Readable } = require('node:stream') as typeof import('node:stream');
      const response = Object.assign(Readable.from([payload]), {
        statusCode: 200,
        statusMessage: 'OK',
        complete: true,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': String(payload.length),
          'x-amzn-requestid': 'bench',
        },
      });
      process.nextTick(() => {
        request.emit('response', response);
        onResponse(response);
      });
    },
  });
  return request;
}

/** Requires only the named built-ins: what no bundling can take off the load. */
function loadBuiltins(names: string[]): void {
  const started = performance.now();
  for (const name of names) require(name);
  report({ loadMs: performance.now() - started, answerMs: 0, builtins: names });
}

/**
 * Loads the function with `https.request` replaced the moment it is first required (nothing else
 * is set, so the SDK takes its Lambda path), records the built-ins it required while loading, and
 * answers the event once.
 */
async function loadAndAnswer(entry: string): Promise<void> {
  const builtins = new Set<string>();
  let loading = false;
  const loader = Module as unknown as ModuleLoader;
  const load = loader._load;
  loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
    const exports = load.call(this, request, ...rest) as { request?: unknown };
    if (loading && Module.isBuiltin(request))
      builtins.add(request.startsWith('node:') ? request : `node:${request}`);
    if ((request === 'node:https' || request === 'https') && exports.request !== inMemoryDynamoDb) {
      exports.request = inMemoryDynamoDb;
    }
    return exports;
  };
  loading = true;
  const started = performance.now();
  const { handler } = require(entry) as { handler: Handler };
  const loaded = performance.now();
  loading = false;
  const result = await handler(EVENT, CONTEXT);
  report({
    status: result.statusCode,
    body: result.body,
    loadMs: loaded - started,
    answerMs: performance.now() - loaded,
    builtins: [...builtins],
    calls,
  });
}

if (require.main === module) {
  const target = process.argv[2] ?? '';
  if (target.startsWith('builtins:'))
    loadBuiltins(target.slice('builtins:'.length).split(',').filter(Boolean));
  else void loadAndAnswer(target);
}
