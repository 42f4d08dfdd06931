import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { CannotRunError } from '../../common/cli';
import { localLogDir, PROJECT_ROOT } from '../../common/paths';
import {
  DEFAULT_LOCAL_PORT,
  DEFAULT_STAGE,
  functionSettings,
  INTEGRATION_TIMEOUT_MS,
  lambdaRuntimeEnvironment,
} from '../../definitions/function';
import { ensureRuntimeNode, type RuntimeNode } from '../../tools/runtime-node';
import { createEnvironmentPool, DEFAULT_IDLE_TIMEOUT_MS, type InvokeOutcome } from './environments';
import { buildProxyEvent, type GatewayRequest, LOCAL_ACCOUNT_ID, LOCAL_API_ID, newTraceId } from './event';
import { gatewayError, type HttpAnswer, mapProxyResult, withGatewayHeaders } from './response';
import { createRouter, preflightHeaders } from './routes';
import { ensureRuntimeBundle } from './runtime-bundle';

export interface StartStageOptions {
  /** 0 = any free port. */
  port?: number;
  stage?: string;
  /** Execution environments at most (default 10); past it, requests queue. */
  concurrency?: number;
  /** Like reserved concurrency on the function: at most N environments, and past it requests are throttled. */
  reservedConcurrency?: number;
  /** The bundle to run (default `dist/handler`, the one that is deployed). */
  bundleDir?: string;
  /** The function's environment: TABLE_NAME, DYNAMODB_ENDPOINT, … (region and credentials default to local ones). */
  env: Record<string, string>;
  logDir?: string;
  /** Default: the function's own timeout from definitions/function.ts (10 s). */
  functionTimeoutSeconds?: number;
  /** API Gateway's integration timeout (29 s); tests shorten it. */
  integrationTimeoutMs?: number;
  /**
   * Stop a frozen environment's process too (SIGSTOP until the next invocation), as Lambda stops
   * the VM; default true. Its JavaScript is frozen either way.
   */
  suspend?: boolean;
  /** Shut an environment down after this long without an invocation (default 5 minutes). */
  idleTimeoutMs?: number;
}

export interface RunningStage {
  /** `http://127.0.0.1:<port>/<stage>` */
  url: string;
  port: number;
  logGroupName: string;
  logDir: string;
  /** The Node the function's environments run on (the runtime's major). */
  runtimeNode: RuntimeNode;
  stop(): Promise<void>;
}

export const DEFAULT_CONCURRENCY = 10;
/** API Gateway REST API payload quota: 10 MB (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const LOCAL_FUNCTION_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/u;

function send(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.statusCode, answer.headers);
  res.end(answer.body);
}

function apigwId(): string {
  return `${randomBytes(12).toString('base64').slice(0, 15).replace(/[+/]/gu, 'A')}=`;
}

function answerFor(outcome: InvokeOutcome): HttpAnswer {
  switch (outcome.kind) {
    case 'result': {
      const mapped = mapProxyResult(outcome.result);
      return mapped.ok ? mapped.answer : gatewayError('functionError');
    }
    case 'throttled':
      return gatewayError('invocationRejected');
    default:
      // Thrown error, malformed or oversized result, timeout, crash: "If the function runs but
      // returns an error, or returns a response in the wrong format, API Gateway returns a 502"
      // (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
      return gatewayError('functionError');
  }
}

/** Reads the body, or undefined once it passes the limit (the caller answers 413). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.byteLength;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolveBody(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolveBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

const resourceIds = new Map<string, string>();

/** A stable id per resource, like API Gateway's, computed once. */
function resourceIdOf(resource: string): string {
  let id = resourceIds.get(resource);
  if (!id) {
    id = createHash('sha1').update(resource).digest('hex').slice(0, 6);
    resourceIds.set(resource, id);
  }
  return id;
}

/**
 * A local API Gateway REST API stage with Lambda proxy integration in front of the bundle: routes
 * from contract/openapi.yaml, function settings from definitions/function.ts, Lambda-format logs
 * in the local log store (`local/logs`) under the function's log group.
 */
export async function startStage(options: StartStageOptions): Promise<RunningStage> {
  const settings = functionSettings();
  const stage = options.stage ?? DEFAULT_STAGE;
  if (!STAGE_NAME.test(stage))
    throw new CannotRunError(`stage name '${stage}' may only hold letters, digits, - and _`);
  const bundleDirOption = options.bundleDir ?? settings.bundleDir;
  const bundleDir = isAbsolute(bundleDirOption) ? bundleDirOption : resolve(PROJECT_ROOT, bundleDirOption);
  const handlerFile = `${settings.handler.slice(0, settings.handler.lastIndexOf('.'))}.js`;
  if (!existsSync(join(bundleDir, handlerFile))) {
    throw new CannotRunError(
      `no function bundle at ${join(bundleDir, handlerFile)}: run 'npm run build' first`,
    );
  }
  const logDir = options.logDir ?? localLogDir();
  const timeoutSeconds = options.functionTimeoutSeconds ?? settings.timeoutSeconds;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const reserved = options.reservedConcurrency;
  const concurrency = reserved ?? options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CannotRunError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const runtimePath = await ensureRuntimeBundle();
  const runtimeNode = await ensureRuntimeNode(settings.runtime);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...settings.environment,
    ...LOCAL_FUNCTION_ENV,
    ...options.env,
    ...lambdaRuntimeEnvironment(settings, bundleDir),
  };
  env.AWS_DEFAULT_REGION ??= env.AWS_REGION ?? LOCAL_FUNCTION_ENV.AWS_REGION;
  const pool = createEnvironmentPool({
    nodePath: runtimeNode.path,
    runtimePath,
    config: {
      bundleDir,
      handler: settings.handler,
      functionName: settings.functionName,
      memorySizeMb: settings.memorySizeMb,
      region: env.AWS_REGION ?? LOCAL_FUNCTION_ENV.AWS_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      logGroupName: settings.logGroupName,
      logDir,
    },
    env,
    concurrency,
    throttle: reserved !== undefined,
    timeoutSeconds,
    suspend: options.suspend ?? true,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  });
  const router = createRouter();
  const stagePrefix = `/${stage}`;
  let port = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestTimeEpoch = Date.now();
    const requestId = randomUUID();
    const ids = { requestId, apigwId: apigwId() };
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const fullPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';
    const underStage = fullPath === stagePrefix || fullPath.startsWith(`${stagePrefix}/`);
    const path = underStage ? fullPath.slice(stagePrefix.length) || '/' : fullPath;
    const match = underStage ? router.match(method, path) : ({ kind: 'missing' } as const);
    if (match.kind === 'missing') {
      req.resume();
      send(res, withGatewayHeaders(gatewayError('missingAuthenticationToken'), ids));
      return;
    }
    if (match.kind === 'preflight') {
      req.resume();
      const origin = req.headers.origin;
      const headers = Object.entries(preflightHeaders(origin)).flat();
      send(res, withGatewayHeaders({ statusCode: 204, headers, body: Buffer.alloc(0) }, ids));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > MAX_REQUEST_BYTES ? undefined : await readBody(req, MAX_REQUEST_BYTES);
    if (body === undefined) {
      res.shouldKeepAlive = false;
      send(res, withGatewayHeaders(gatewayError('requestTooLarge'), ids));
      req.resume();
      return;
    }
    const traceId = newTraceId(requestTimeEpoch);
    const request: GatewayRequest = {
      method,
      path,
      query: queryAt === -1 ? '' : url.slice(queryAt + 1),
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/u, ''),
      port,
      protocol: `HTTP/${req.httpVersion}`,
    };
    const event = buildProxyEvent(request, {
      stage,
      resource: match.resource,
      pathParameters: match.pathParameters,
      requestId,
      requestTimeEpoch,
      traceId,
      apiId: LOCAL_API_ID,
      accountId: LOCAL_ACCOUNT_ID,
      resourceId: resourceIdOf(match.resource),
    });
    // The Lambda request id differs from API Gateway's, as in AWS.
    const pending = pool.invoke(randomUUID(), event, traceId);
    let integrationTimer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'integration-timeout'>((resolveTimeout) => {
      integrationTimer = setTimeout(() => resolveTimeout('integration-timeout'), integrationTimeoutMs);
    });
    const outcome = await Promise.race([pending.outcome, timedOut]);
    clearTimeout(integrationTimer);
    if (outcome === 'integration-timeout') {
      // API Gateway stops waiting at 29 s and answers 504; the function runs on to its own end.
      pending.cancel();
      send(res, withGatewayHeaders(gatewayError('integrationTimeout'), ids));
      return;
    }
    send(res, withGatewayHeaders(answerFor(outcome), { ...ids, traceId }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() =>
      send(
        res,
        withGatewayHeaders(gatewayError('functionError'), { requestId: randomUUID(), apigwId: apigwId() }),
      ),
    );
  });
  const wantedPort = options.port ?? DEFAULT_LOCAL_PORT;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new CannotRunError(
              `port ${wantedPort} is in use: stop what is listening there or pass --port <another>`,
            )
          : error,
      );
    });
    server.listen(wantedPort, '127.0.0.1', () => resolveListen());
  }).catch(async (error: unknown) => {
    await pool.stop();
    throw error;
  });
  port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}${stagePrefix}`,
    port,
    logGroupName: settings.logGroupName,
    logDir,
    runtimeNode,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeAllConnections();
        await pool.stop();
        await closed;
      })();
      return stopping;
    },
  };
}
