import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CannotRunError } from '../../common/cli';
import { freeLoopbackPort } from '../../common/net';
import { stopChild, trackChild } from '../../common/processes';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../definitions/local-aws';
import { TOOL_VERSIONS } from '../../tools/cache';
import { dynamoDbLocalCommand, ensureDynamoDbLocal } from '../../tools/dynamodb-local';

export type DynamoDbKind = 'endpoint' | 'container' | 'jar' | 'dynalite';
export const DYNAMODB_KINDS: readonly DynamoDbKind[] = ['endpoint', 'container', 'jar', 'dynalite'];

export interface RunningDynamoDb {
  endpoint: string;
  kind: DynamoDbKind;
  stop(): Promise<void>;
}

export interface StartDynamoDbOptions {
  log?: (line: string) => void;
}

/** The container image, pinned to the same DynamoDB Local version as the jar. */
export const DYNAMODB_LOCAL_IMAGE = `amazon/dynamodb-local:${TOOL_VERSIONS.dynamoDbLocal}`;
const READY_DEADLINE_MS = 30_000;
const DOCKER_CHECK_TIMEOUT_MS = 3_000;
const MIN_JAVA_MAJOR = 17;

/** A low-level client for a local endpoint (region us-east-1, credentials local/local). */
export function localDynamoDbClient(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint, ...config });
}

function defaultLog(line: string): void {
  process.stderr.write(`[dynamodb] ${line}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * Polls ListTables until the endpoint answers or the deadline passes; resolves the time waited.
 * `stillStarting` lets a provider abort early when its process has died.
 */
export async function waitForDynamoDb(
  endpoint: string,
  options: { deadlineMs?: number; stillStarting?: () => string | undefined } = {},
): Promise<number> {
  const startedAt = Date.now();
  const deadline = startedAt + (options.deadlineMs ?? READY_DEADLINE_MS);
  const client = localDynamoDbClient(endpoint, {
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 1_000,
      requestTimeout: 2_000,
      throwOnRequestTimeout: true,
    }),
  });
  let lastError = 'no answer yet';
  let pause = 25;
  try {
    while (Date.now() < deadline) {
      const died = options.stillStarting?.();
      if (died) throw new Error(died);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return Date.now() - startedAt;
      } catch (error) {
        lastError = errorText(error);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 250);
    }
  } finally {
    client.destroy();
  }
  throw new Error(
    `DynamoDB at ${endpoint} did not answer ListTables within ${(options.deadlineMs ?? READY_DEADLINE_MS) / 1000} s (last error: ${lastError})`,
  );
}

function forcedKind(): DynamoDbKind | undefined {
  const raw = process.env.PETS_DYNAMODB?.trim();
  if (!raw) return undefined;
  if (!(DYNAMODB_KINDS as readonly string[]).includes(raw)) {
    throw new CannotRunError(`PETS_DYNAMODB must be one of ${DYNAMODB_KINDS.join(', ')}, got '${raw}'`);
  }
  return raw as DynamoDbKind;
}

// ── endpoint ────────────────────────────────────────────────────────────────────────────────────

async function useEndpoint(endpoint: string, kind: DynamoDbKind, log: (line: string) => void) {
  try {
    await waitForDynamoDb(endpoint, { deadlineMs: 5_000 });
  } catch (error) {
    throw new CannotRunError(
      `DYNAMODB_ENDPOINT=${endpoint} does not answer (${errorText(error)}). Start DynamoDB there, or unset DYNAMODB_ENDPOINT to let the harness start one.`,
    );
  }
  log(
    `using DynamoDB at ${endpoint} (${kind === 'endpoint' ? 'DYNAMODB_ENDPOINT' : `the ${kind} this run already started`})`,
  );
  // Someone else started it, so someone else stops it.
  return { endpoint, kind, stop: async () => {} } satisfies RunningDynamoDb;
}

// ── container ───────────────────────────────────────────────────────────────────────────────────

type Testcontainers = typeof import('testcontainers');

/** Why no container can be used, or undefined when a Docker engine answered. */
async function dockerUnavailableReason(): Promise<{ reason?: string; testcontainers?: Testcontainers }> {
  let testcontainers: Testcontainers;
  try {
    testcontainers = await import('testcontainers');
  } catch (error) {
    return { reason: `testcontainers does not load on Node ${process.version}: ${errorText(error)}` };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${DOCKER_CHECK_TIMEOUT_MS / 1000} s`)),
      DOCKER_CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([testcontainers.getContainerRuntimeClient(), timeout]);
    return { testcontainers };
  } catch (error) {
    return { reason: errorText(error) };
  } finally {
    clearTimeout(timer);
  }
}

async function startContainer(
  testcontainers: Testcontainers,
  log: (line: string) => void,
): Promise<RunningDynamoDb> {
  const { GenericContainer, Wait } = testcontainers;
  const container = await new GenericContainer(DYNAMODB_LOCAL_IMAGE)
    .withExposedPorts(8000)
    .withCommand(['-jar', 'DynamoDBLocal.jar', '-inMemory', '-sharedDb', '-port', '8000'])
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(READY_DEADLINE_MS)
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(8000)}`;
  try {
    await waitForDynamoDb(endpoint);
  } catch (error) {
    await container.stop();
    throw error;
  }
  log(`container ${DYNAMODB_LOCAL_IMAGE} answers at ${endpoint}`);
  return {
    endpoint,
    kind: 'container',
    stop: async () => {
      await container.stop();
    },
  };
}

// ── jar ─────────────────────────────────────────────────────────────────────────────────────────

/** The major version of `java` on PATH, or undefined when there is none. */
export function javaMajorVersion(): { major?: number; detail: string } {
  // env passed explicitly so a caller's (or a test's) PATH is the one searched.
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8', env: process.env });
  if (probe.error || probe.status !== 0) return { detail: 'no java on PATH' };
  return parseJavaVersion(`${probe.stderr}${probe.stdout}`);
}

/** `openjdk version "17.0.15"` → 17; `java version "1.8.0_392"` → 8. */
export function parseJavaVersion(output: string): { major?: number; detail: string } {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match) return { detail: `could not read the version from 'java -version': ${output.split('\n')[0]}` };
  const first = Number(match[1]);
  const major = first === 1 && match[2] ? Number(match[2]) : first;
  return { major, detail: `Java ${major}` };
}

async function startJar(log: (line: string) => void): Promise<RunningDynamoDb> {
  const dir = await ensureDynamoDbLocal({ quiet: true });
  const port = await freeLoopbackPort();
  const { command, args } = dynamoDbLocalCommand(dir, port);
  // Own process group: a Ctrl-C in the terminal reaches us, and we end the whole group in order.
  const child: ChildProcess = trackChild(
    spawn(command, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: process.env }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForDynamoDb(endpoint, {
      stillStarting: () => {
        if (spawnError) return `java did not start: ${spawnError.message}`;
        if (child.exitCode !== null || child.signalCode !== null) {
          return `DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering:\n${output.trim()}`;
        }
        return undefined;
      },
    });
  } catch (error) {
    await stopChild(child, 2_000);
    throw error;
  }
  // The JVM's output is not needed once it answers; stop buffering it.
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();
  log(`DynamoDB Local ${TOOL_VERSIONS.dynamoDbLocal} jar (pid ${child.pid}) answers at ${endpoint}`);
  return { endpoint, kind: 'jar', stop: () => stopChild(child, 5_000) };
}

// ── dynalite ────────────────────────────────────────────────────────────────────────────────────

async function startDynalite(log: (line: string) => void): Promise<RunningDynamoDb> {
  const { default: dynalite } = await import('dynalite');
  // No artificial CREATING/DELETING delays: tables are ACTIVE at once, like DynamoDB Local.
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  try {
    await waitForDynamoDb(endpoint);
  } catch (error) {
    await close();
    throw error;
  }
  log(`dynalite (in this process) answers at ${endpoint}`);
  return { endpoint, kind: 'dynalite', stop: close };
}

// ── the choice ──────────────────────────────────────────────────────────────────────────────────

type Log = (line: string) => void;

/** DYNAMODB_ENDPOINT when set (and not overruled by PETS_DYNAMODB); undefined passes on. */
function tryEndpoint(forced: DynamoDbKind | undefined, log: Log): Promise<RunningDynamoDb> | undefined {
  const endpointFromEnv = process.env.DYNAMODB_ENDPOINT?.trim() || undefined;
  // Inside a jest run the global setup exports the provider it started; workers reuse it.
  const startedByRun = process.env.PETS_TEST_DYNAMODB_KIND as DynamoDbKind | undefined;
  if (forced === undefined || forced === 'endpoint' || (endpointFromEnv && startedByRun === forced)) {
    if (endpointFromEnv) {
      const kind = startedByRun && DYNAMODB_KINDS.includes(startedByRun) ? startedByRun : 'endpoint';
      return useEndpoint(endpointFromEnv, kind, log);
    }
    if (forced === 'endpoint') {
      throw new CannotRunError(
        'PETS_DYNAMODB=endpoint but DYNAMODB_ENDPOINT is not set. Set it to a running DynamoDB (e.g. http://127.0.0.1:8000), or unset PETS_DYNAMODB.',
      );
    }
    log('DYNAMODB_ENDPOINT is not set, so a local DynamoDB is started');
  } else if (endpointFromEnv) {
    log(`PETS_DYNAMODB=${forced}: not using DYNAMODB_ENDPOINT=${endpointFromEnv}`);
  }
  return undefined;
}

/** A container when a Docker engine answers; undefined passes on. */
async function tryContainer(
  forced: DynamoDbKind | undefined,
  log: Log,
): Promise<RunningDynamoDb | undefined> {
  if (forced !== undefined && forced !== 'container') return undefined;
  const startedAt = Date.now();
  const docker = await dockerUnavailableReason();
  if (docker.testcontainers) {
    log(`a Docker engine answered, starting ${DYNAMODB_LOCAL_IMAGE}`);
    return startContainer(docker.testcontainers, log);
  }
  const why = `no Docker engine answered (${docker.reason}, ${Date.now() - startedAt} ms)`;
  if (forced === 'container') {
    throw new CannotRunError(
      `PETS_DYNAMODB=container but ${why}. Start Docker (or set DOCKER_HOST), or use PETS_DYNAMODB=jar or dynalite.`,
    );
  }
  log(`${why}, trying the jar`);
  return undefined;
}

/** The DynamoDB Local jar when Java is new enough and it starts; undefined passes on. */
async function tryJar(forced: DynamoDbKind | undefined, log: Log): Promise<RunningDynamoDb | undefined> {
  if (forced !== undefined && forced !== 'jar') return undefined;
  const java = javaMajorVersion();
  if (java.major !== undefined && java.major >= MIN_JAVA_MAJOR) {
    log(`${java.detail} found, starting the DynamoDB Local jar`);
    try {
      return await startJar(log);
    } catch (error) {
      if (forced === 'jar') throw error;
      log(`the DynamoDB Local jar did not start (${errorText(error)}), trying dynalite`);
      return undefined;
    }
  }
  const why = java.major === undefined ? java.detail : `${java.detail} is older than ${MIN_JAVA_MAJOR}`;
  if (forced === 'jar') {
    throw new CannotRunError(
      `PETS_DYNAMODB=jar but ${why}: DynamoDB Local ${TOOL_VERSIONS.dynamoDbLocal} needs Java ${MIN_JAVA_MAJOR}+ (Debian/Ubuntu: apt-get install openjdk-17-jre-headless maven), or use PETS_DYNAMODB=dynalite.`,
    );
  }
  log(`${why} (the jar needs Java ${MIN_JAVA_MAJOR}+), trying dynalite`);
  return undefined;
}

/**
 * A running DynamoDB for local work and tests, chosen in order and said out loud:
 * DYNAMODB_ENDPOINT → a container (when a Docker engine answers) → the DynamoDB Local jar (Java 17+)
 * → dynalite in this process. PETS_DYNAMODB=endpoint|container|jar|dynalite forces one.
 */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const log = options.log ?? defaultLog;
  const forced = forcedKind();
  if (forced) log(`PETS_DYNAMODB=${forced}: using only that provider`);
  const running =
    (await tryEndpoint(forced, log)) ?? (await tryContainer(forced, log)) ?? (await tryJar(forced, log));
  if (running) return running;
  log('starting dynalite (embedded, from npm)');
  return startDynalite(log);
}
