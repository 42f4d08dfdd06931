import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ensureRuntimeBundle } from '../../build';
import { CannotRunError } from '../../common/cli';
import { listenOnLoopback } from '../../common/net';
import { localLogDir, PROJECT_ROOT } from '../../common/paths';
import { templateFindings } from '../../configcheck/index';
import { DEFAULT_LOCAL_PORT, DEFAULT_STAGE, INTEGRATION_TIMEOUT_MS } from '../../definitions/api-gateway';
import { functionSettings, lambdaRuntimeVariables } from '../../definitions/function';
import { ensureRuntimeNode, type RuntimeNode } from '../../tools/runtime-node';
import type { RouteAccess } from './access-patterns';
import { type CallRecords, createCallRecords } from './call-records';
import { type DynamoDbFault, FAULT_HEADER, parseFault } from './dynamodb-faults';
import {
  type DynamoDbGateway,
  environmentEndpoint,
  startDynamoDbGateway,
  type TableCapacity,
} from './dynamodb-gateway';
import { type ColdStarts, type EnvironmentSpec, measureColdStarts } from './environment';
import {
  createEnvironmentPool,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_SUSPEND_AFTER_MS,
  type EnvironmentPool,
  type InvokeOutcome,
} from './environments';
import { buildProxyEvent, type GatewayRequest, LOCAL_ACCOUNT_ID, LOCAL_API_ID, newTraceId } from './event';
import { createIamEvaluator, type IamDecision } from './iam';
import {
  gatewayError,
  type HttpAnswer,
  headersTooLarge,
  MAX_REQUEST_LINE_AND_HEADER_BYTES,
  mapProxyResult,
  rawHeadersTooLarge,
  requestLineAndHeaderBytes,
  withGatewayHeaders,
} from './response';
import { createRouter, preflightHeaders, type Router } from './routes';
import { ensureTemplate } from './synth';
import { readStageTemplate, type StageTemplate } from './template';

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
  /**
   * Variables for the local stand-ins, over the template's: credentials, region, and
   * DYNAMODB_ENDPOINT (the real DynamoDB; the function gets the IAM gateway in front of it).
   */
  env: Record<string, string>;
  logDir?: string;
  /** The template the stage obeys (default: `cdk.out/PetsStack.template.json`, synthesized when missing or stale). */
  templatePath?: string;
  /**
   * The account and REST API id the stage stands in for (the rehearsal: the stack deployed into
   * moto): ARNs, the IAM principal and the proxy event's requestContext name them. Default: local ones.
   */
  accountId?: string;
  apiId?: string;
  /** The local name of the template's table: its `Ref` and `Arn` resolve to it (default: the template's TableName). */
  tableName?: string;
  /** Evaluate the function's DynamoDB calls against its role's policies (default true). */
  enforceIam?: boolean;
  /** Progress lines (synthesizing the template). */
  log?: (line: string) => void;
  /** Default: the function's own timeout from the template. */
  functionTimeoutSeconds?: number;
  /** API Gateway's integration timeout (29 s); tests shorten it. */
  integrationTimeoutMs?: number;
  /**
   * Stop a frozen environment's process too (SIGSTOP until the next invocation), as Lambda stops
   * the VM; default true. Its JavaScript is frozen either way.
   */
  suspend?: boolean;
  /** Stop an idle environment's process once it has been idle this long (default 50 ms). */
  suspendAfterMs?: number;
  /** Shut an environment down after this long without an invocation (default 5 minutes). */
  idleTimeoutMs?: number;
  /**
   * Honour `x-harness-fault: <fault>` on a request: every DynamoDB call of its invocation fails
   * that way (local/stage/dynamodb-faults.ts) and none reaches the table. Default false.
   */
  faultInjection?: boolean;
}

export interface RunningStage {
  /** `http://127.0.0.1:<port>/<stage>` */
  url: string;
  port: number;
  logGroupName: string;
  logDir: string;
  /** The Node the function's environments run on (the runtime's major). */
  runtimeNode: RuntimeNode;
  /** The template the stage obeys. */
  templatePath: string;
  /** What the stage cannot honour (unreadable managed policies, conditions it cannot evaluate, …). */
  notes: string[];
  /** Configuration findings from the template before anything ran. */
  findings: string[];
  /** Read/write capacity units the function's DynamoDB calls consumed, per table name. */
  consumedCapacity(): Record<string, TableCapacity>;
  /** The function's DynamoDB calls the role's policies denied. */
  deniedCalls(): Extract<IamDecision, { allowed: false }>[];
  /** The function's DynamoDB calls per route (invocations that asked for a fault left out). */
  accessPatterns(): RouteAccess[];
  /** The function's timeout, from the template. */
  functionTimeoutSeconds: number;
  /**
   * `count` cold starts of fresh environments, one after another, serving nothing, each followed by
   * one of an empty function on the same runtime: their init figures.
   */
  coldStarts(count: number): Promise<ColdStarts>;
  stop(): Promise<void>;
}

export const DEFAULT_CONCURRENCY = 10;
/** API Gateway REST API payload quota: 10 MB (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const NODE_MAX_HEADER_BYTES = 64 * 1024;
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

interface StageParts {
  stage: string;
  bundleDir: string;
  template: StageTemplate;
  gateway: DynamoDbGateway | undefined;
  findings: string[];
  runtimeNode: RuntimeNode;
  calls: CallRecords;
  /** Set once the pool exists: which invocation an environment runs. */
  pool?: EnvironmentPool;
}

function bundleDirOf(options: StartStageOptions, handler: string): string {
  const option = options.bundleDir ?? functionSettings().bundleDir;
  const bundleDir = isAbsolute(option) ? option : resolve(PROJECT_ROOT, option);
  const handlerFile = `${handler.slice(0, handler.lastIndexOf('.'))}.js`;
  if (!existsSync(join(bundleDir, handlerFile))) {
    throw new CannotRunError(
      `no function bundle at ${join(bundleDir, handlerFile)}: run 'npm run build' first`,
    );
  }
  return bundleDir;
}

async function loadTemplate(options: StartStageOptions): Promise<StageTemplate> {
  const path = options.templatePath ?? (await ensureTemplate(options.log));
  return readStageTemplate(path, {
    region: options.env.AWS_REGION ?? LOCAL_FUNCTION_ENV.AWS_REGION,
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    tableName: options.tableName,
  });
}

/** The IAM gateway in front of the real DynamoDB, when the function is given one. */
async function startGateway(
  options: StartStageOptions,
  template: StageTemplate,
  calls: CallRecords,
): Promise<DynamoDbGateway | undefined> {
  const upstream = options.env.DYNAMODB_ENDPOINT;
  if (!upstream || options.enforceIam === false) return undefined;
  const iam = createIamEvaluator(template.policies, template);
  template.notes.push(...iam.notes);
  return startDynamoDbGateway({
    upstream,
    iam,
    region: template.region,
    accountId: template.accountId,
    invocationOf: calls.invocationOf,
  });
}

/** What the function sees: the template's variables, the local stand-ins', and what Lambda's runtime sets. */
function functionEnvironment(parts: StageParts, options: StartStageOptions): Record<string, string> {
  const fn = parts.template.function;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    ...fn.variables,
    ...LOCAL_FUNCTION_ENV,
    ...options.env,
    ...(parts.gateway ? { DYNAMODB_ENDPOINT: parts.gateway.endpoint } : {}),
    ...lambdaRuntimeVariables(fn, parts.bundleDir),
  };
  env.AWS_DEFAULT_REGION ??= env.AWS_REGION ?? LOCAL_FUNCTION_ENV.AWS_REGION;
  return env;
}

function concurrencyOf(options: StartStageOptions): { concurrency: number; throttle: boolean } {
  const concurrency = options.reservedConcurrency ?? options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CannotRunError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  return { concurrency, throttle: options.reservedConcurrency !== undefined };
}

/** What every execution environment of the stage is started with. */
async function environmentSpec(
  parts: StageParts,
  options: StartStageOptions,
  logDir: string,
): Promise<EnvironmentSpec> {
  const fn = parts.template.function;
  const env = functionEnvironment(parts, options);
  const gateway = parts.gateway;
  return {
    nodePath: parts.runtimeNode.path,
    runtimePath: await ensureRuntimeBundle(),
    config: {
      bundleDir: parts.bundleDir,
      handler: fn.handler,
      functionName: fn.functionName,
      memorySizeMb: fn.memorySizeMb,
      region: env.AWS_REGION ?? LOCAL_FUNCTION_ENV.AWS_REGION,
      accountId: parts.template.accountId,
      logGroupName: fn.logGroupName,
      logDir,
    },
    env,
    // Each environment reaches the gateway on a path of its own: its calls are tied to its invocation.
    ...(gateway
      ? { envOf: (id: string) => ({ DYNAMODB_ENDPOINT: environmentEndpoint(gateway.endpoint, id) }) }
      : {}),
    suspend: options.suspend ?? true,
  };
}

async function createPool(
  parts: StageParts,
  options: StartStageOptions,
  logDir: string,
): Promise<EnvironmentPool> {
  return createEnvironmentPool({
    ...(await environmentSpec(parts, options, logDir)),
    ...concurrencyOf(options),
    timeoutSeconds: options.functionTimeoutSeconds ?? parts.template.function.timeoutSeconds,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    suspendAfterMs: options.suspendAfterMs ?? DEFAULT_SUSPEND_AFTER_MS,
  });
}

/**
 * Cold starts of environments that serve nothing, one after another, each followed by one of an
 * empty function on the same runtime and environment. Their log lines (init's own) go to a
 * scratch log store, not the function's log group, so the run's logs hold only its requests'.
 */
async function coldStarts(parts: StageParts, options: StartStageOptions, count: number) {
  const scratch = await mkdtemp(join(tmpdir(), 'pets-stage-cold-starts-'));
  try {
    const spec = await environmentSpec(parts, options, scratch);
    const { handler } = parts.template.function;
    const emptyDir = join(scratch, 'empty-function');
    await mkdir(emptyDir);
    await writeFile(
      join(emptyDir, `${handler.slice(0, handler.lastIndexOf('.'))}.js`),
      `exports.${handler.slice(handler.lastIndexOf('.') + 1)} = async () => ({ statusCode: 200, body: '' });\n`,
    );
    const reference = { ...spec, config: { ...spec.config, bundleDir: emptyDir } };
    return await measureColdStarts(spec, reference, count);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

interface RequestContext {
  router: Router;
  pool: EnvironmentPool;
  calls: CallRecords;
  apiId: string;
  accountId: string;
  faultInjection: boolean;
  stage: string;
  integrationTimeoutMs: number;
  port(): number;
}

/**
 * Hands the event to the function and waits at most API Gateway's integration timeout for its
 * answer. The invocation's DynamoDB calls are tracked until its outcome, however late that is.
 */
async function invokeFunction(
  ctx: RequestContext,
  event: ReturnType<typeof buildProxyEvent>,
  traceId: string,
  fault: DynamoDbFault | undefined,
): Promise<HttpAnswer | 'integration-timeout'> {
  // The Lambda request id differs from API Gateway's, as in AWS.
  const requestId = randomUUID();
  ctx.calls.begin(requestId, fault);
  const pending = ctx.pool.invoke(requestId, event, traceId);
  const answered = pending.outcome.then((outcome) => {
    const answer = answerFor(outcome);
    ctx.calls.end(requestId, event, answer);
    return answer;
  });
  let integrationTimer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'integration-timeout'>((resolveTimeout) => {
    integrationTimer = setTimeout(() => resolveTimeout('integration-timeout'), ctx.integrationTimeoutMs);
  });
  const outcome = await Promise.race([answered, timedOut]);
  clearTimeout(integrationTimer);
  // API Gateway stops waiting at 29 s and answers 504; the function runs on to its own end.
  if (outcome === 'integration-timeout') pending.cancel();
  return outcome;
}

/** The fault a request asks for, when the stage honours faults; an Error for one it does not know. */
function faultOf(ctx: RequestContext, req: IncomingMessage): DynamoDbFault | Error | undefined {
  return ctx.faultInjection ? parseFault(req.headers[FAULT_HEADER]) : undefined;
}

/** Answers what API Gateway answers itself (unknown route, preflight, too large); else the request to invoke with. */
async function admit(
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
  ids: { requestId: string; apigwId: string },
) {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const fullPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = req.method ?? 'GET';
  const sizes = { method, url, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders };
  if (requestLineAndHeaderBytes(sizes) > MAX_REQUEST_LINE_AND_HEADER_BYTES) {
    req.resume();
    send(res, headersTooLarge());
    return undefined;
  }
  const stagePrefix = `/${ctx.stage}`;
  const underStage = fullPath === stagePrefix || fullPath.startsWith(`${stagePrefix}/`);
  const path = underStage ? fullPath.slice(stagePrefix.length) || '/' : fullPath;
  const match = underStage ? ctx.router.match(method, path) : ({ kind: 'missing' } as const);
  if (match.kind !== 'operation') {
    req.resume();
    const preflight = Object.entries(preflightHeaders(req.headers.origin)).flat();
    const answer: HttpAnswer =
      match.kind === 'missing'
        ? gatewayError('missingAuthenticationToken')
        : { statusCode: 204, headers: preflight, body: Buffer.alloc(0) };
    send(res, withGatewayHeaders(answer, ids));
    return undefined;
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  const body = declared > MAX_REQUEST_BYTES ? undefined : await readBody(req, MAX_REQUEST_BYTES);
  if (body === undefined) {
    res.shouldKeepAlive = false;
    send(res, withGatewayHeaders(gatewayError('requestTooLarge'), ids));
    req.resume();
    return undefined;
  }
  const request: GatewayRequest = {
    method,
    path,
    query: queryAt === -1 ? '' : url.slice(queryAt + 1),
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/u, ''),
    port: ctx.port(),
    protocol: `HTTP/${req.httpVersion}`,
  };
  return { request, match };
}

async function handleRequest(ctx: RequestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestTimeEpoch = Date.now();
  const requestId = randomUUID();
  const ids = { requestId, apigwId: apigwId() };
  const admitted = await admit(ctx, req, res, ids);
  if (!admitted) return;
  const fault = faultOf(ctx, req);
  if (fault instanceof Error) {
    const body = Buffer.from(JSON.stringify({ message: fault.message }));
    send(
      res,
      withGatewayHeaders({ statusCode: 400, headers: ['content-type', 'application/json'], body }, ids),
    );
    return;
  }
  const traceId = newTraceId(requestTimeEpoch);
  const event = buildProxyEvent(admitted.request, {
    stage: ctx.stage,
    resource: admitted.match.resource,
    pathParameters: admitted.match.pathParameters,
    requestId,
    requestTimeEpoch,
    traceId,
    apiId: ctx.apiId,
    accountId: ctx.accountId,
    resourceId: resourceIdOf(admitted.match.resource),
  });
  const answer = await invokeFunction(ctx, event, traceId, fault);
  if (answer === 'integration-timeout')
    send(res, withGatewayHeaders(gatewayError('integrationTimeout'), ids));
  else send(res, withGatewayHeaders(answer, { ...ids, traceId }));
}

async function prepare(options: StartStageOptions): Promise<StageParts> {
  const stage = options.stage ?? DEFAULT_STAGE;
  if (!STAGE_NAME.test(stage))
    throw new CannotRunError(`stage name '${stage}' may only hold letters, digits, - and _`);
  concurrencyOf(options);
  const template = await loadTemplate(options);
  const bundleDir = bundleDirOf(options, template.function.handler);
  const findings = templateFindings(template.path, bundleDir);
  // The runtime's Node major, from the template's Runtime (nodejs22.x → Node 22).
  const runtimeNode = await ensureRuntimeNode(template.function.runtime);
  const parts: StageParts = {
    stage,
    bundleDir,
    template,
    gateway: undefined,
    findings,
    runtimeNode,
    calls: createCallRecords(
      template.tables.flatMap((table) => table.partitionKeys),
      () => parts.pool?.runningOn,
    ),
  };
  parts.gateway = await startGateway(options, template, parts.calls);
  return parts;
}

/**
 * A local API Gateway REST API stage with Lambda proxy integration in front of the bundle, as the
 * synthesized template configures it: the function's settings and environment, the API's methods,
 * and the role's policies enforced on its DynamoDB calls (the IAM gateway); Lambda-format logs in
 * the local log store (`local/logs`) under the function's log group.
 */
export async function startStage(options: StartStageOptions): Promise<RunningStage> {
  const parts = await prepare(options);
  const logDir = options.logDir ?? localLogDir();
  const pool = await createPool(parts, options, logDir).catch(async (error: unknown) => {
    await parts.gateway?.stop();
    throw error;
  });
  parts.pool = pool;
  let port = 0;
  const ctx: RequestContext = {
    router: createRouter(parts.template.routes, new Set(parts.template.preflightResources)),
    pool,
    calls: parts.calls,
    apiId: options.apiId ?? LOCAL_API_ID,
    accountId: parts.template.accountId,
    faultInjection: options.faultInjection ?? false,
    stage: parts.stage,
    integrationTimeoutMs: options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS,
    port: () => port,
  };
  // Node's own header limit (16 KiB by default) is raised past API Gateway's 10,240 bytes, which
  // admit() enforces; past this one the parser gives up, and the client still gets that answer.
  const server = createServer({ maxHeaderSize: NODE_MAX_HEADER_BYTES }, (req, res) => {
    handleRequest(ctx, req, res).catch(() =>
      send(
        res,
        withGatewayHeaders(gatewayError('functionError'), { requestId: randomUUID(), apigwId: apigwId() }),
      ),
    );
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && error.code === 'HPE_HEADER_OVERFLOW') socket.end(rawHeadersTooLarge());
    else if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  async function stopAll(): Promise<void> {
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeAllConnections();
    await pool.stop();
    await parts.gateway?.stop();
    await closed;
  }
  port = await listenOnLoopback(server, options.port ?? DEFAULT_LOCAL_PORT).catch(async (error: unknown) => {
    await pool.stop();
    await parts.gateway?.stop();
    throw error;
  });
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/${parts.stage}`,
    port,
    logGroupName: parts.template.function.logGroupName,
    logDir,
    runtimeNode: parts.runtimeNode,
    templatePath: parts.template.path,
    notes: parts.template.notes,
    findings: parts.findings,
    consumedCapacity: () => parts.gateway?.consumedCapacity() ?? {},
    deniedCalls: () => parts.gateway?.denied() ?? [],
    accessPatterns: () => parts.calls.accessPatterns(),
    functionTimeoutSeconds: options.functionTimeoutSeconds ?? parts.template.function.timeoutSeconds,
    coldStarts: (count) => coldStarts(parts, options, count),
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
