import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The container engine (Docker, or anything that speaks its API), reached through testcontainers:
 * it finds the engine the way the docker CLI does (DOCKER_HOST, the docker context, the usual
 * sockets). Two of its defaults do not fit a machine without a container registry, and the
 * project sets them itself when the user has not (see `engineDefaults`).
 */
export type Testcontainers = typeof import('testcontainers');
export type EngineClient = Awaited<ReturnType<Testcontainers['getContainerRuntimeClient']>>;

export interface Engine {
  testcontainers: Testcontainers;
  client: EngineClient;
}

/** What the project's defaults depend on, so a test can describe any machine. */
export interface EngineSurroundings {
  env: NodeJS.ProcessEnv;
  /** This process runs in a container (`/.dockerenv`). */
  inContainer: boolean;
  /** A `dockerd` runs in this process's own PID namespace, i.e. in the same container. */
  engineBesideUs: boolean;
}

function engineSurroundings(env: NodeJS.ProcessEnv = process.env): EngineSurroundings {
  return { env, inContainer: existsSync('/.dockerenv'), engineBesideUs: dockerdRunsHere() };
}

function dockerdRunsHere(): boolean {
  if (!existsSync('/proc')) return false;
  return readdirSync('/proc').some((pid) => {
    if (!/^\d+$/u.test(pid)) return false;
    try {
      return readFileSync(join('/proc', pid, 'comm'), 'utf8').trim() === 'dockerd';
    } catch {
      return false;
    }
  });
}

/**
 * The variables to set for testcontainers, each with the reason, leaving alone what the user set:
 * - `TESTCONTAINERS_RYUK_DISABLED=true`: Ryuk, the container that removes a dead session's
 *   containers, is an image from Docker Hub, which a machine without a registry cannot pull. The
 *   project does Ryuk's job itself (local/dynamodb/container.ts): it stops its containers on
 *   teardown and on SIGINT/SIGTERM, and removes those of runs that died.
 * - `TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1`, only in a container whose engine runs in that same
 *   container (CI that installs Docker in its job container): seeing `/.dockerenv`, testcontainers
 *   would look for the bridge network's gateway, or run an `alpine` image (pulled) to find it, and
 *   connect there; but the engine publishes ports on this container's own loopback. With the
 *   engine outside (the socket mounted in), the gateway is right and nothing is set.
 */
export function engineDefaults(
  surroundings: EngineSurroundings,
): { name: string; value: string; why: string }[] {
  const { env } = surroundings;
  const defaults: { name: string; value: string; why: string }[] = [];
  if (env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
    defaults.push({
      name: 'TESTCONTAINERS_RYUK_DISABLED',
      value: 'true',
      why: 'the Ryuk image needs a registry; the project removes its containers itself',
    });
  }
  const localSocket = !env.DOCKER_HOST || env.DOCKER_HOST.startsWith('unix://');
  if (
    env.TESTCONTAINERS_HOST_OVERRIDE === undefined &&
    surroundings.inContainer &&
    surroundings.engineBesideUs &&
    localSocket
  ) {
    defaults.push({
      name: 'TESTCONTAINERS_HOST_OVERRIDE',
      value: '127.0.0.1',
      why: "the engine runs in this container, so its ports are on this container's loopback",
    });
  }
  return defaults;
}

const CONNECT_TIMEOUT_MS = 3_000;

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * The engine, or why there is none: testcontainers does not load (Node too old), or no engine
 * answered within 3 s. The project's defaults are applied first (`log` says which).
 */
export async function connectToEngine(
  log: (line: string) => void,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<{ engine?: Engine; reason?: string }> {
  for (const setting of engineDefaults(engineSurroundings())) {
    process.env[setting.name] = setting.value;
    log(`${setting.name}=${setting.value} (${setting.why})`);
  }
  let testcontainers: Testcontainers;
  try {
    testcontainers = await import('testcontainers');
  } catch (error) {
    return { reason: `testcontainers does not load on Node ${process.version}: ${firstLine(error)}` };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const client = await Promise.race([testcontainers.getContainerRuntimeClient(), timeout]);
    return { engine: { testcontainers, client } };
  } catch (error) {
    return { reason: firstLine(error) };
  } finally {
    clearTimeout(timer);
  }
}
