import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CannotRunError } from '../../common/cli';
import { PROJECT_ROOT } from '../../common/paths';
import { waitUntil } from '../../common/wait';
import { connectToEngine, type Engine } from '../../tools/container-engine';
import { ensureDynaliteImage } from '../../tools/images';
import { CONTAINER_LABELS, removeOrphanContainers } from './container';
import { startDynamoDb } from './index';

/**
 * Ryuk's job, done by the project: whatever way a run ends, no container of its session is left.
 * Each run started here gets a session id of its own, so only its containers are judged (others may
 * be running on the same engine). Needs a container engine: without one these tests fail, saying so.
 */
let engine: Engine;

beforeAll(async () => {
  const connected = await connectToEngine(() => undefined);
  if (!connected.engine) throw new Error(`these tests need a container engine: ${connected.reason}`);
  engine = connected.engine;
});

/** Ids of the containers, running or not, labelled with `session`. */
async function containersOf(session: string): Promise<string[]> {
  const filters = { label: [`${CONTAINER_LABELS.session}=${session}`] };
  const listed = await engine.client.container.dockerode.listContainers({ all: true, filters });
  return listed.map((info) => info.Id);
}

/** Runs `work` with `vars` set, then puts the environment back as it was. */
async function withEnv<T>(vars: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

interface Run {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<NodeJS.Signals | number | null>;
}

/** A process of the project in a session of its own, with no DynamoDB of this jest run to reuse. */
function startRun(session: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PETS_HARNESS_SESSION: session,
      DYNAMODB_ENDPOINT: '',
      PETS_TEST_DYNAMODB_KIND: '',
      PETS_DYNAMODB: '',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, output: () => output, exited };
}

async function waitForOutput(run: Run, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const printed = () => pattern.test(run.output());
  await waitUntil(() => printed() || run.child.exitCode !== null, Boolean, {
    what: `the run to print ${pattern} or exit`,
    timeoutMs,
    intervalMs: 200,
  }).catch(() => false);
  if (!printed()) {
    run.child.kill('SIGKILL');
    throw new Error(`the run never printed ${pattern}:\n${run.output().slice(-3000)}`);
  }
}

describe('the container provider', () => {
  it("starts the project's image labelled with the run's session, and stop() removes it", async () => {
    const session = randomUUID();
    const running = await withEnv(
      { PETS_HARNESS_SESSION: session, PETS_DYNAMODB: 'container', DYNAMODB_ENDPOINT: '' },
      () => startDynamoDb({ log: () => undefined }),
    );
    try {
      expect(running).toMatchObject({
        kind: 'container',
        image: expect.stringMatching(/^pets-harness\/dynalite:/),
      });
      expect(await containersOf(session)).toEqual([running.containerId]);
    } finally {
      await running.stop();
    }
    expect(await containersOf(session)).toEqual([]);
  });

  it('runs the image a user names, and fails naming an image the engine does not hold, pulling nothing', async () => {
    const named = (await ensureDynaliteImage(engine)).tag;
    await withEnv({ PETS_DYNAMODB: 'container', DYNAMODB_ENDPOINT: '' }, async () => {
      const running = await startDynamoDb({ log: () => undefined, image: named });
      await running.stop();
      expect(running).toMatchObject({ kind: 'container', image: named });
      const missing = startDynamoDb({ log: () => undefined, image: `pets-harness/absent:${randomUUID()}` });
      await expect(missing).rejects.toThrow(CannotRunError);
      await expect(missing).rejects.toThrow(/is not on this container engine\. Pull or build it first/);
    });
  });
});

describe('a run that is stopped mid-way', () => {
  it('leaves no container when a jest run is interrupted with SIGINT during its tests', async () => {
    const session = randomUUID();
    const jest = require.resolve('jest/bin/jest');
    // The newman suite runs for tens of seconds: the signal lands while its tests run.
    const run = startRun(session, [jest, '--selectProjects', 'integration', '--testPathPatterns', 'newman']);
    await waitForOutput(run, /this jest run uses a container of/);
    expect(await containersOf(session)).toHaveLength(1);

    run.child.kill('SIGINT');

    expect(await run.exited).toBe('SIGINT');
    expect(await containersOf(session)).toEqual([]);
  });

  it('leaves no container when npm run stage gets SIGTERM', async () => {
    const session = randomUUID();
    const run = startRun(session, [join(PROJECT_ROOT, 'bin', 'pets-harness.js'), 'stage', '--port', '0']);
    await waitForOutput(run, /http:\/\/127\.0\.0\.1:\d+\/default/);
    expect(await containersOf(session)).toHaveLength(1);

    run.child.kill('SIGTERM');

    expect(await run.exited).toBe(0);
    expect(await containersOf(session)).toEqual([]);
  });

  it('leaves the container of a SIGKILLed run to the next start, which removes it', async () => {
    const session = randomUUID();
    const starter = join(PROJECT_ROOT, 'integration', 'support', 'start-then-wait.ts');
    const run = startRun(session, ['-r', require.resolve('tsx/cjs'), starter], {
      PETS_DYNAMODB: 'container',
    });
    await waitForOutput(run, /"kind":"container"/);
    const [left] = await containersOf(session);

    run.child.kill('SIGKILL');
    await run.exited;

    expect(await containersOf(session)).toEqual([left]);
    expect(await removeOrphanContainers(engine)).toContain(left?.slice(0, 12));
    expect(await containersOf(session)).toEqual([]);
  });
});
