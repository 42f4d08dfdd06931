import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { WaitStrategy } from 'testcontainers';
import { CannotRunError } from '../../common/cli';
import { trackCleanup } from '../../common/processes';
import type { Engine } from '../../tools/container-engine';
import { DYNAMODB_IMAGE_PORT } from '../../tools/images';

/**
 * A DynamoDB-compatible server in a container, started through testcontainers and stopped by us:
 * Ryuk, which would remove it if we died, is off (see tools/container-engine.ts). So each container
 * carries two labels — the run's session, and its owner process on this machine — and is removed
 * on stop(), on SIGINT/SIGTERM/SIGHUP, at exit as a last resort, and otherwise by the next run,
 * which removes the containers of owners that are gone.
 */
export const CONTAINER_LABELS = {
  /** One id per run: PETS_HARNESS_SESSION, inherited by the processes a run starts. */
  session: 'org.pets-harness.session',
  /** `<hostname>:<pid>` of the process that started it. */
  owner: 'org.pets-harness.owner',
} as const;

/** This run's session id: the one a parent process gave (PETS_HARNESS_SESSION), else a new one its children inherit. */
function runSession(): string {
  process.env.PETS_HARNESS_SESSION ||= randomUUID();
  return process.env.PETS_HARNESS_SESSION;
}

/** `<hostname>:<pid>` → the pid, when the owner is a process of this machine. */
function ownerPidHere(owner: string | undefined): number | undefined {
  const [host, pid] = (owner ?? '').split(':');
  return host === hostname() && pid && /^\d+$/u.test(pid) ? Number(pid) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the project's containers whose owner process on this machine is gone (a run killed with
 * SIGKILL, or a machine that lost power); resolves how many. Others' containers are left alone.
 */
export async function removeOrphanContainers(engine: Engine): Promise<string[]> {
  const { dockerode } = engine.client.container;
  const labelled = await dockerode.listContainers({
    all: true,
    filters: { label: [CONTAINER_LABELS.owner] },
  });
  const orphans = labelled.filter((info) => {
    const pid = ownerPidHere(info.Labels[CONTAINER_LABELS.owner]);
    return pid !== undefined && !isAlive(pid);
  });
  await Promise.all(
    orphans.map((info) =>
      dockerode
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  return orphans.map((info) => info.Id.slice(0, 12));
}

/** Testcontainers' default waits run a shell in the container, which ours has none of: being running is enough, readiness is ListTables (the provider polls it). */
const RUNNING_IS_ENOUGH: WaitStrategy = {
  waitUntilReady: async () => undefined,
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => true,
  getStartupTimeout: () => 30_000,
};

export interface DynamoDbContainer {
  /** `http://<host>:<published port>` */
  endpoint: string;
  id: string;
  image: string;
  stop(): Promise<void>;
}

/** Fails naming the image when the engine does not hold it: nothing is pulled behind the user's back. */
async function assertImagePresent(engine: Engine, image: string): Promise<void> {
  const present = await engine.client.image.exists(engine.testcontainers.ImageName.fromString(image));
  if (!present) {
    throw new CannotRunError(
      `the image ${image} is not on this container engine. Pull or build it first (e.g. docker pull ${image}), or leave --dynamodb-image / PETS_DYNAMODB_IMAGE unset to use the project's own image.`,
    );
  }
}

/** A container removed meanwhile (by the signal cleanup, or by hand) is as stopped as can be. */
function unlessAlreadyGone(error: unknown): void {
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== 404 && status !== 409) throw error;
}

const OWNER = `${hostname()}:${process.pid}`;
let ownContainersTracked = false;
/** Ids of the containers this process started and has not stopped. */
const live = new Set<string>();

/**
 * Once per process: on a signal, remove every container this process owns — also one still being
 * created when the signal came, which no stop() could reach yet; at exit, the docker CLI does it
 * when there is one (nothing asynchronous runs any more).
 */
function removeOwnContainersOnSignal(engine: Engine): void {
  if (ownContainersTracked) return;
  ownContainersTracked = true;
  const { dockerode } = engine.client.container;
  const filter = `${CONTAINER_LABELS.owner}=${OWNER}`;
  trackCleanup(
    async () => {
      const remove = (id: string) =>
        dockerode.getContainer(id).remove({ force: true }).catch(unlessAlreadyGone);
      // The ones known at once; then any the engine lists (one still being created when the signal came).
      const known = Promise.all([...live].map(remove));
      const own = await dockerode.listContainers({ all: true, filters: { label: [filter] } });
      await Promise.all([known, ...own.map((info) => remove(info.Id))]);
    },
    () => {
      if (live.size > 0)
        spawnSync('docker', ['rm', '--force', ...live], { stdio: 'ignore', timeout: 10_000 });
    },
  );
}

/** Starts `image` (serving DynamoDB on port 8000) with the run's labels; stop() removes it, once. */
export async function startDynamoDbContainer(engine: Engine, image: string): Promise<DynamoDbContainer> {
  await assertImagePresent(engine, image);
  removeOwnContainersOnSignal(engine);
  const container = await new engine.testcontainers.GenericContainer(image)
    .withExposedPorts(DYNAMODB_IMAGE_PORT)
    .withLabels({ [CONTAINER_LABELS.session]: runSession(), [CONTAINER_LABELS.owner]: OWNER })
    .withWaitStrategy(RUNNING_IS_ENOUGH)
    .start();
  const id = container.getId();
  live.add(id);
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(DYNAMODB_IMAGE_PORT)}`,
    id,
    image,
    stop: () => {
      stopping ??= container
        .stop({ timeout: 0 })
        .catch(unlessAlreadyGone)
        .then(() => {
          live.delete(id);
        });
      return stopping;
    },
  };
}
