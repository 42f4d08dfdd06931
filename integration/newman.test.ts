import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NewmanRunSummary, run as runCollection } from 'newman';
import { exitCodeFor, UsageError } from '../common/cli';
import { waitUntil } from '../common/wait';
import type { Pet } from '../handler/types';
import { type LocalApi, startLocalApi } from '../local';
import { readLogEvents } from '../local/logs';
import type { PostmanCollection } from '../postman/build-collection';
import { main } from '../postman/cli';
import { COLLECTION_PATH } from '../postman/collection-files';
import { runNewman } from '../postman/newman';
import { loadSeedPets } from '../seed';
import { dropTable, scanPets, testClient, uniqueTableName } from './support/dynamodb';

/**
 * The Postman collection against the local stage (the built bundle on DynamoDB), twice on one
 * table: it must pass both times and clean up after itself.
 */
// Explicit: jest reads testTimeout from the root config only, not from a project's. One run is
// about 55 requests; on a busy 2-core machine that can take a minute.
const STARTUP_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 300_000;

const tableName = uniqueTableName('newman');
const client = testClient();
const workDir = mkdtempSync(join(tmpdir(), 'newman-it-'));
let api: LocalApi;

beforeAll(async () => {
  api = await startLocalApi({ port: 0, tableName, logDir: join(workDir, 'logs'), log: () => undefined });
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  await api?.stop();
  await dropTable(client, tableName);
  client.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

/** The handler's one "request completed" line per invocation, for one run id. */
function handlerLinesOf(runId: string): number {
  return readLogEvents({ logGroupName: api.logGroupName, dir: api.logDir }).filter((event) => {
    if (!event.message.startsWith('{')) return false;
    const line = JSON.parse(event.message) as { message?: string; run_id?: string };
    return line.message === 'request completed' && line.run_id === runId;
  }).length;
}

/** Log lines can land a moment after the response: waits until there are at least `expected`. */
function handlerLinesReaching(runId: string, expected: number): Promise<number> {
  return waitUntil(
    () => handlerLinesOf(runId),
    (count) => count >= expected,
    { what: `${expected} handler lines of run ${runId}`, timeoutMs: 5_000, intervalMs: 100 },
  );
}

const byId = (a: Pet, b: Pet) => a.id - b.id;

describe('newman against the local stage', () => {
  it.each([1, 2])(
    'passes run %i on the same table and writes its reports',
    async (attempt) => {
      const runId = `it-newman-${Date.now().toString(36)}-${attempt}`;
      const reportsDir = join(workDir, runId);

      const result = await runNewman({ baseUrl: api.url, runId, reportsDir, progressLine: true });

      expect(result.failures).toEqual([]);
      expect(result.passed).toBe(true);
      expect(result.assertions.failed).toBe(0);
      expect(result.assertions.total).toBeGreaterThan(200);
      expect(result.folders.map((folder) => folder.name)).toEqual([
        'Pets',
        'Validation',
        'Paging',
        'Gateway',
        'Cleanup',
      ]);
      // Every folder but Cleanup sends requests; Cleanup sends none when the run deleted all it made.
      expect(result.folders.filter((folder) => folder.requests === 0).map((folder) => folder.name)).toEqual([
        'Cleanup',
      ]);
      const gateway = result.folders.find((folder) => folder.name === 'Gateway');
      expect(result.requestsAtFunction).toBe(result.requestsSent - (gateway?.requests ?? 0));
      // The count the log check relies on: one handler line per request that reached the function.
      expect(await handlerLinesReaching(runId, result.requestsAtFunction)).toBe(result.requestsAtFunction);
      for (const name of ['newman-junit.xml', 'newman.html', 'newman-summary.json']) {
        const path = join(reportsDir, name);
        expect(existsSync(path) && statSync(path).size > 0).toBe(true);
      }
      expect(readFileSync(join(reportsDir, 'newman-junit.xml'), 'utf8')).toContain('<testsuites');
      const summary = JSON.parse(readFileSync(join(reportsDir, 'newman-summary.json'), 'utf8')) as {
        runId: string;
        requestsSent: number;
      };
      expect(summary).toMatchObject({ runId, requestsSent: result.requestsSent });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'deletes what it created in the Cleanup folder when the deletes in the middle fail',
    async () => {
      // The committed collection with both of its own deletes sent to a port nothing listens on:
      // two real failed requests, leaving two pets for Cleanup.
      const collection = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8')) as PostmanCollection;
      const deadUrl = `http://127.0.0.1:${await closedPort()}`;
      for (const item of collection.item.flatMap((folder) => folder.item)) {
        if (item.name === 'Delete the pet' || item.name === 'Delete the pet collided with') {
          item.request.url.raw = item.request.url.raw.replace('{{baseUrl}}', deadUrl);
          item.request.url.host = [deadUrl];
        }
      }
      const collectionFile = join(workDir, 'failing-deletes.postman_collection.json');
      writeFileSync(collectionFile, JSON.stringify(collection));
      const cleanupRequests: number[] = [];
      const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
        runCollection(
          {
            collection: collectionFile,
            envVar: [
              { key: 'baseUrl', value: api.url },
              { key: 'runId', value: 'it-newman-failing-deletes' },
            ],
            reporters: [],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        ).on(
          'request',
          (_error: Error | null, event: { item?: { name: string }; response?: { code: number } }) => {
            if (event.item?.name === 'Delete a pet this run created')
              cleanupRequests.push(event.response?.code ?? 0);
          },
        );
      });

      expect(summary.run.failures.map((failure) => failure.source?.name)).toEqual(
        expect.arrayContaining(['Delete the pet', 'Delete the pet collided with']),
      );
      expect(cleanupRequests).toEqual([204, 204]);
      expect((await scanPets(client, tableName)).sort(byId)).toEqual(loadSeedPets().sort(byId));
    },
    RUN_TIMEOUT_MS,
  );

  it('leaves exactly the 20 seeded pets in the table', async () => {
    expect((await scanPets(client, tableName)).sort(byId)).toEqual(loadSeedPets().sort(byId));
  });
});

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

describe('npm run newman (postman/cli.ts)', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [[], '--base-url is required'],
    [['--base-url', 'ftp://example.org'], '--base-url must be an http(s) URL'],
    [
      ['--base-url', 'http://127.0.0.1:1/default', '--env', 'gcp'],
      "--env must be one of local, aws, got 'gcp'",
    ],
    [['--base-url', 'http://127.0.0.1:1/default', '--run-id', 'a b'], '--run-id must be'],
  ])('refuses %j with exit 2, naming the problem', async (argv, message) => {
    const failure = main(argv);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
    expect(exitCodeFor(await failure.catch((error: unknown) => error))).toBe(2);
  });

  it(
    'exits 1 and says no request reached the function when the stage is unreachable',
    async () => {
      const printed: string[] = [];
      const log = jest.spyOn(console, 'log').mockImplementation((line: string) => {
        printed.push(line);
      });
      const reportsDir = join(workDir, 'unreachable');
      try {
        const code = await main([
          '--base-url',
          `http://127.0.0.1:${await closedPort()}/default`,
          '--run-id',
          'it-newman-unreachable',
          '--reports-dir',
          reportsDir,
          '--quiet',
        ]);
        expect(code).toBe(1);
      } finally {
        log.mockRestore();
      }
      expect(printed[0]).toMatch(/FAILED — \d+ requests sent, 0 reached the function/);
      expect(printed.join('\n')).toContain('ECONNREFUSED');
      expect(existsSync(join(reportsDir, 'newman-junit.xml'))).toBe(true);
    },
    RUN_TIMEOUT_MS,
  );
});
