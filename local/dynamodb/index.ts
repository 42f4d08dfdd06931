import type { Server } from 'node:http';
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CannotRunError } from '../../common/cli';
import dynaliteOptions from '../../containers/dynalite/options.json';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../definitions/local-aws';
import { connectToEngine, type Engine } from '../../tools/container-engine';
import { ensureDynaliteImage } from '../../tools/images';
import { removeOrphanContainers, startDynamoDbContainer } from './container';

export type DynamoDbKind = 'endpoint' | 'container' | 'dynalite';
const DYNAMODB_KINDS: readonly DynamoDbKind[] = ['endpoint', 'container', 'dynalite'];

export interface RunningDynamoDb {
  endpoint: string;
  kind: DynamoDbKind;
  /** A container's image and id (kind `container`). */
  image?: string;
  containerId?: string;
  stop(): Promise<void>;
}

export interface StartDynamoDbOptions {
  log?: (line: string) => void;
  /** The container image to run instead of the project's own (it must serve DynamoDB on port 8000). */
  image?: string;
  /** How the container engine is reached (default: testcontainers); a test describes a machine without one. */
  connect?: typeof connectToEngine;
}

const READY_DEADLINE_MS = 30_000;

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
async function waitForDynamoDb(
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
  const running: RunningDynamoDb = { endpoint, kind, stop: async () => {} };
  if (kind === 'container') {
    running.image = process.env.PETS_TEST_DYNAMODB_IMAGE;
    running.containerId = process.env.PETS_TEST_DYNAMODB_CONTAINER;
  }
  const what = kind === 'container' && running.image ? `the container of ${running.image}` : `the ${kind}`;
  log(
    `using DynamoDB at ${endpoint} (${kind === 'endpoint' ? 'DYNAMODB_ENDPOINT' : `${what} this run already started`})`,
  );
  // Someone else started it, so someone else stops it.
  return running;
}

// ── container ───────────────────────────────────────────────────────────────────────────────────

/** The image the user named (`--dynamodb-image`, PETS_DYNAMODB_IMAGE), or undefined for the project's own. */
function requestedImage(options: StartDynamoDbOptions): string | undefined {
  return options.image?.trim() || process.env.PETS_DYNAMODB_IMAGE?.trim() || undefined;
}

/** The project's dynalite image, built first when the engine does not hold its current inputs' tag. */
async function projectImage(engine: Engine, log: Log): Promise<string> {
  const image = await ensureDynaliteImage(engine, log);
  log(
    image.built
      ? `built ${image.tag} in ${((image.buildMs ?? 0) / 1000).toFixed(1)} s`
      : `the engine holds ${image.tag} (its inputs have not changed)`,
  );
  return image.tag;
}

async function startContainer(
  engine: Engine,
  options: StartDynamoDbOptions,
  log: Log,
): Promise<RunningDynamoDb> {
  const orphans = await removeOrphanContainers(engine);
  if (orphans.length > 0) log(`removed containers left by runs that died: ${orphans.join(', ')}`);
  const image = requestedImage(options) ?? (await projectImage(engine, log));
  const startedAt = Date.now();
  const container = await startDynamoDbContainer(engine, image);
  try {
    await waitForDynamoDb(container.endpoint);
  } catch (error) {
    await container.stop();
    throw error;
  }
  log(
    `container ${container.id.slice(0, 12)} of ${image} answers at ${container.endpoint} (started in ${Date.now() - startedAt} ms)`,
  );
  return {
    endpoint: container.endpoint,
    kind: 'container',
    image,
    containerId: container.id,
    stop: container.stop,
  };
}

// ── dynalite ────────────────────────────────────────────────────────────────────────────────────

async function startDynalite(log: (line: string) => void): Promise<RunningDynamoDb> {
  const { default: dynalite } = await import('dynalite');
  // No artificial CREATING/DELETING delays: tables are ACTIVE at once (the same options as the image's).
  const server: Server = dynalite(dynaliteOptions);
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

/** A container when an engine answers; undefined passes on (an image the user named never does). */
async function tryContainer(
  forced: DynamoDbKind | undefined,
  options: StartDynamoDbOptions,
  log: Log,
): Promise<RunningDynamoDb | undefined> {
  if (forced !== undefined && forced !== 'container') return undefined;
  const named = requestedImage(options);
  const asked =
    forced === 'container' ? 'PETS_DYNAMODB=container' : named ? `the image ${named} was named` : '';
  const startedAt = Date.now();
  const { engine, reason } = await (options.connect ?? connectToEngine)(log);
  if (!engine) {
    const why = `no container engine answered (${reason}, ${Date.now() - startedAt} ms)`;
    if (asked) {
      throw new CannotRunError(
        `${asked} but ${why}. Start Docker (or set DOCKER_HOST), or use PETS_DYNAMODB=dynalite.`,
      );
    }
    log(`${why}, trying dynalite`);
    return undefined;
  }
  try {
    return await startContainer(engine, options, log);
  } catch (error) {
    if (asked) throw error;
    log(`the container did not start (${errorText(error)}), trying dynalite`);
    return undefined;
  }
}

/**
 * A running DynamoDB for local work and tests, chosen in order and said out loud:
 * DYNAMODB_ENDPOINT → a container (when an engine answers: the project's dynalite image, built on
 * first use, or the image named by `options.image` / PETS_DYNAMODB_IMAGE) → dynalite in this
 * process. PETS_DYNAMODB=endpoint|container|dynalite forces one.
 */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const log = options.log ?? defaultLog;
  const forced = forcedKind();
  if (forced) log(`PETS_DYNAMODB=${forced}: using only that provider`);
  const running = (await tryEndpoint(forced, log)) ?? (await tryContainer(forced, options, log));
  if (running) return running;
  log('starting dynalite (embedded, from npm)');
  return startDynalite(log);
}
