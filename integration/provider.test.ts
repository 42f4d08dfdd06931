import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CannotRunError } from '../common/cli';
import { freeLoopbackPort } from '../common/net';
import { localDynamoDbClient, startDynamoDb } from '../local/dynamodb';
import { connectToEngine } from '../tools/container-engine';
import { runDynamoDb } from './support/dynamodb';

/** The provider itself: what it chooses and what it says. Its containers are judged in containers.slow.test.ts. */
const PROVIDER_ENV = [
  'PETS_DYNAMODB',
  'PETS_DYNAMODB_IMAGE',
  'DYNAMODB_ENDPOINT',
  'PETS_TEST_DYNAMODB_KIND',
] as const;
let savedEnv: Partial<Record<(typeof PROVIDER_ENV)[number], string>>;

beforeEach(() => {
  savedEnv = Object.fromEntries(PROVIDER_ENV.map((name) => [name, process.env[name]]));
});

afterEach(() => {
  for (const name of PROVIDER_ENV) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

/** No provider forced, no endpoint, no image named: the chain as a user meets it. */
function chainAsAUserMeetsIt(): void {
  for (const name of PROVIDER_ENV) delete process.env[name];
}

function useOnly(kind: string): void {
  chainAsAUserMeetsIt();
  process.env.PETS_DYNAMODB = kind;
}

/** A machine where no container engine answers, whatever this one has. */
const noEngine: typeof connectToEngine = async () => ({
  reason: 'connect ECONNREFUSED /var/run/docker.sock',
});

describe('the DynamoDB of this jest run', () => {
  it('is the one the chain picks here: a running container of the image it names when an engine answers', async () => {
    const shared = runDynamoDb();
    const { engine } = await connectToEngine(() => undefined);
    const expected = process.env.PETS_DYNAMODB ?? (engine ? 'container' : 'dynalite');
    process.stderr.write(`[provider] this run uses ${shared.kind}; the chain picks ${expected} here\n`);

    expect(shared.kind).toBe(expected);
    if (shared.kind !== 'container' || !engine) return;
    const id = process.env.PETS_TEST_DYNAMODB_CONTAINER ?? '';
    const inspected = await engine.client.container.dockerode.getContainer(id).inspect();
    const published = inspected.NetworkSettings.Ports['8000/tcp']?.map((binding) => binding.HostPort);
    expect({
      image: inspected.Config.Image,
      running: inspected.State.Running,
      port: published?.includes(new URL(shared.endpoint).port),
    }).toEqual({
      image:
        process.env.PETS_DYNAMODB_IMAGE ?? expect.stringMatching(/^pets-harness\/dynalite:[0-9a-f]{12}$/),
      running: true,
      port: true,
    });
    expect(process.env.PETS_TEST_DYNAMODB_IMAGE).toBe(inspected.Config.Image);
  });

  it('is reused by startDynamoDb in a test, and its stop() leaves it running', async () => {
    const shared = runDynamoDb();
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line) });
    expect(running).toMatchObject({ endpoint: shared.endpoint, kind: shared.kind });
    expect(said.join('\n')).toContain(shared.endpoint);
    await running.stop();
    const client = localDynamoDbClient(shared.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
    client.destroy();
  });
});

describe('the chain without a container engine', () => {
  it('says no engine answered and starts dynalite in this process', async () => {
    chainAsAUserMeetsIt();
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line), connect: noEngine });
    try {
      expect(running.kind).toBe('dynalite');
      expect(said.join('\n')).toMatch(/no container engine answered \(connect ECONNREFUSED.*trying dynalite/);
    } finally {
      await running.stop();
    }
  });

  it.each([
    ['PETS_DYNAMODB=container', { PETS_DYNAMODB: 'container' }, {}],
    ['an image named by PETS_DYNAMODB_IMAGE', { PETS_DYNAMODB_IMAGE: 'amazon/dynamodb-local' }, {}],
    ['an image named by the option', {}, { image: 'amazon/dynamodb-local' }],
  ])('fails saying no engine answered when %s asks for a container', async (_, env, options) => {
    chainAsAUserMeetsIt();
    Object.assign(process.env, env);
    const start = startDynamoDb({ log: () => undefined, connect: noEngine, ...options });
    await expect(start).rejects.toThrow(CannotRunError);
    await expect(start).rejects.toThrow(/but no container engine answered/);
  });
});

describe('choosing among the providers', () => {
  it('uses DYNAMODB_ENDPOINT as is when set, says so, and leaves it running on stop()', async () => {
    const shared = runDynamoDb();
    chainAsAUserMeetsIt();
    process.env.DYNAMODB_ENDPOINT = shared.endpoint;
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line), connect: noEngine });
    await running.stop();
    expect(running).toMatchObject({ kind: 'endpoint', endpoint: shared.endpoint });
    expect(said.join('\n')).toContain(`using DynamoDB at ${shared.endpoint} (DYNAMODB_ENDPOINT)`);
    const client = localDynamoDbClient(shared.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
    client.destroy();
  });

  it('passes DYNAMODB_ENDPOINT by, saying so, when PETS_DYNAMODB forces another provider', async () => {
    const { endpoint } = runDynamoDb();
    useOnly('dynalite');
    process.env.DYNAMODB_ENDPOINT = endpoint;
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line) });
    await running.stop();
    expect(running.kind).toBe('dynalite');
    expect(said.join('\n')).toContain(
      `PETS_DYNAMODB=dynalite: not using DYNAMODB_ENDPOINT=${process.env.DYNAMODB_ENDPOINT}`,
    );
  });

  it('never asks for a container engine when PETS_DYNAMODB=dynalite', async () => {
    useOnly('dynalite');
    const asked: string[] = [];
    const running = await startDynamoDb({
      log: () => undefined,
      connect: async () => {
        asked.push('engine');
        return { reason: 'not to be asked' };
      },
    });
    await running.stop();
    expect({ kind: running.kind, asked }).toEqual({ kind: 'dynalite', asked: [] });
  });

  it("takes a blank PETS_DYNAMODB_IMAGE as no image named: the project's own, else dynalite without failing", async () => {
    chainAsAUserMeetsIt();
    process.env.PETS_DYNAMODB_IMAGE = '  ';
    const running = await startDynamoDb({ log: () => undefined, connect: noEngine });
    await running.stop();
    expect(running.kind).toBe('dynalite');
  });
});

describe('forcing a provider', () => {
  it('starts dynalite in this process when PETS_DYNAMODB=dynalite, and says so', async () => {
    useOnly('dynalite');
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line) });
    try {
      expect(running.kind).toBe('dynalite');
      expect(running.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(said.join('\n')).toMatch(/dynalite .* answers at/);
    } finally {
      await running.stop();
    }
    const client = localDynamoDbClient(running.endpoint, { maxAttempts: 1 });
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    client.destroy();
  });

  it('fails with what to set when PETS_DYNAMODB=endpoint has no DYNAMODB_ENDPOINT', async () => {
    useOnly('endpoint');
    const start = startDynamoDb({ log: () => undefined });
    await expect(start).rejects.toThrow(CannotRunError);
    await expect(start).rejects.toThrow(/DYNAMODB_ENDPOINT is not set/);
  });

  it('fails naming the dead endpoint when DYNAMODB_ENDPOINT does not answer', async () => {
    useOnly('endpoint');
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await freeLoopbackPort()}`;
    await expect(startDynamoDb({ log: () => undefined })).rejects.toThrow(/does not answer/);
  });

  it('rejects an unknown PETS_DYNAMODB value, listing the choices', async () => {
    useOnly('jar');
    await expect(startDynamoDb({ log: () => undefined })).rejects.toThrow(
      /endpoint, container, dynalite, got 'jar'/,
    );
  });
});
