import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CannotRunError } from '../common/cli';
import { freeLoopbackPort } from '../common/net';
import { localDynamoDbClient, parseJavaVersion, startDynamoDb } from '../local/dynamodb';
import { runDynamoDb } from './support/dynamodb';

/** The provider itself: what it chooses, what it says, and that no JVM outlives it. */
const PROVIDER_ENV = [
  'PETS_DYNAMODB',
  'DYNAMODB_ENDPOINT',
  'PETS_TEST_DYNAMODB_KIND',
  'PATH',
  'DOCKER_HOST',
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

function useOnly(kind: string): void {
  process.env.PETS_DYNAMODB = kind;
  delete process.env.DYNAMODB_ENDPOINT;
  delete process.env.PETS_TEST_DYNAMODB_KIND;
}

/** Pids of DynamoDB Local JVMs listening on `port`, from the process table. */
function javaPidsOnPort(port: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter(
      (line) => line.includes('java') && line.includes('ServerRunner') && line.includes(`-port ${port}`),
    )
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function waitUntilGone(port: string, deadlineMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + deadlineMs;
  let pids = javaPidsOnPort(port);
  while (pids.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    pids = javaPidsOnPort(port);
  }
  return pids;
}

describe('the DynamoDB Local jar', () => {
  it('answers ListTables once started and leaves no java process after stop()', async () => {
    useOnly('jar');
    const said: string[] = [];
    const running = await startDynamoDb({ log: (line) => said.push(line) });
    const port = new URL(running.endpoint).port;
    try {
      expect(running.kind).toBe('jar');
      expect(said.join('\n')).toMatch(/PETS_DYNAMODB=jar/);
      expect(javaPidsOnPort(port)).toHaveLength(1);
      const client = localDynamoDbClient(running.endpoint);
      await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
      client.destroy();
    } finally {
      await running.stop();
    }
    expect(await waitUntilGone(port)).toEqual([]);
  });

  it('leaves no orphan java process when the process that started it is SIGTERMed', async () => {
    const child = spawn(
      process.execPath,
      ['-r', require.resolve('tsx/cjs'), join(__dirname, 'support', 'start-jar-then-wait.ts')],
      {
        env: { ...process.env, PETS_DYNAMODB: 'jar', DYNAMODB_ENDPOINT: '', PETS_TEST_DYNAMODB_KIND: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    const started = await new Promise<{ endpoint: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split('\n')[0]!)));
      child.once('exit', (code) =>
        reject(new Error(`the starter exited (${code}) before the jar answered:\n${stderr}`)),
      );
    });
    const port = new URL(started.endpoint).port;
    expect(javaPidsOnPort(port)).toHaveLength(1);

    child.kill('SIGTERM');

    expect(await exited).toBe('SIGTERM');
    expect(await waitUntilGone(port)).toEqual([]);
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

  it('fails saying no Docker engine answered when PETS_DYNAMODB=container and none does', async () => {
    useOnly('container');
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${await freeLoopbackPort()}`;
    const start = startDynamoDb({ log: () => undefined });
    await expect(start).rejects.toThrow(CannotRunError);
    await expect(start).rejects.toThrow(/no Docker engine answered/);
  });

  it('fails naming Java 17 when PETS_DYNAMODB=jar and there is no java', async () => {
    useOnly('jar');
    process.env.PATH = mkdtempSync(join(tmpdir(), 'no-java-'));
    const start = startDynamoDb({ log: () => undefined });
    // Should it start after all, stop it, so a failing test leaves no JVM behind.
    start.then(
      (running) => running.stop(),
      () => undefined,
    );
    await expect(start).rejects.toThrow(CannotRunError);
    await expect(start).rejects.toThrow(/Java 17\+/);
  });

  it('rejects an unknown PETS_DYNAMODB value, listing the choices', async () => {
    useOnly('mongo');
    await expect(startDynamoDb({ log: () => undefined })).rejects.toThrow(
      /endpoint, container, jar, dynalite/,
    );
  });
});

describe('inside a jest run', () => {
  it('reuses the DynamoDB the global setup started, and its stop() leaves it running', async () => {
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

describe('reading java -version', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
  ])('reads %s as Java %i', (output, major) => {
    expect(parseJavaVersion(output).major).toBe(major);
  });

  it('says when it cannot read a version', () => {
    expect(parseJavaVersion('command not found')).toEqual({
      detail: expect.stringMatching(/could not read/),
    });
  });
});
