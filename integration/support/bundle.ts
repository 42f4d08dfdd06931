import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { PROJECT_ROOT } from '../../common/paths';
import { stopChild, trackChild } from '../../common/processes';
import { functionSettings } from '../../definitions/function';
import { apiGatewayEvent, type Invocation, invocationOf, lambdaContext } from '../../handler/testing';

/** The built bundle's entry: the code that is deployed and that the local stage runs. */
const BUNDLE_ENTRY = join(PROJECT_ROOT, functionSettings().bundleDir, 'index.js');

const FUNCTION_PROCESS = join(__dirname, 'function-process.js');

/** A running instance of the bundle in its own process, as in a fresh Lambda execution environment. */
export interface FunctionInstance {
  invoke(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  ready?: boolean;
  result?: APIGatewayProxyResult;
  error?: string;
  logs?: string[];
}

/**
 * Loads the bundle with `env` in a child process (its own module scope and DynamoDB client). The
 * handler reads its environment as in Lambda; the function timeout is definitions/function.ts's.
 */
export async function startFunction(env: Record<string, string>): Promise<FunctionInstance> {
  if (!existsSync(BUNDLE_ENTRY)) {
    throw new Error(`${BUNDLE_ENTRY} is missing: the jest global setup builds it (ensureBundle)`);
  }
  const child = trackChild(
    fork(FUNCTION_PROCESS, [], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        PETS_BUNDLE_ENTRY: BUNDLE_ENTRY,
        PETS_FUNCTION_TIMEOUT_MS: String(functionSettings().timeoutSeconds * 1000),
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the function process exited (${code}) while loading:\n${stderr}`)),
    );
    child.on('message', (reply: Reply) => {
      if (reply.ready) resolve();
      else if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
    });
  });
  child.removeAllListeners('exit');
  child.once('exit', (code) => {
    for (const settle of waiting.values())
      settle({ error: `the function process exited (${code}):\n${stderr}` });
  });

  return {
    async invoke(method, path, options = {}) {
      const id = nextId++;
      const {
        getRemainingTimeInMillis: _remaining,
        done: _done,
        fail: _fail,
        succeed: _succeed,
        ...context
      } = lambdaContext();
      const event = petsEvent(method, path, options);
      const startedAt = performance.now();
      const reply = await new Promise<Reply>((resolve) => {
        waiting.set(id, resolve);
        child.send({ id, event, context });
      });
      waiting.delete(id);
      const elapsedMs = performance.now() - startedAt;
      if (reply.error !== undefined || !reply.result) throw new Error(`the handler threw: ${reply.error}`);
      return { ...invocationOf(reply.result, reply.logs ?? []), elapsedMs };
    },
    stop: () => stopChild(child, 2_000),
  };
}

/** One invocation of the bundle: what it answered, its JSON log lines, and how long it took. */
export interface Answer extends Invocation {
  elapsedMs: number;
}

export interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An API Gateway event for `METHOD /pets…`, with the resource and path parameters the gateway sets. */
function petsEvent(method: string, path: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  const match = /^\/pets\/([^/]+)$/.exec(path);
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return apiGatewayEvent({
    method,
    path,
    resource: match ? '/pets/{id}' : path,
    ...(match?.[1] !== undefined ? { pathParameters: { id: decodeURIComponent(match[1]) } } : {}),
    ...(options.query ? { query: options.query } : {}),
    headers: { ...(body !== null ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body,
  });
}
