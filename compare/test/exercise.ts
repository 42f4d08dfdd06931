import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureBundle } from '../../build';
import { PROJECT_ROOT } from '../../common/paths';
import { localDynamoDbClient } from '../../local/dynamodb/index';
import { startStage } from '../../local/stage/index';
import { type ParsedEvent, parseEvents } from '../../logcheck/parse';
import { localSource } from '../../logcheck/sources';
import { seedTable } from '../../seed/index';
import { buildFigures, type RunFigures } from '../figures';

/**
 * Real runs of the local stage for the end-to-end tests of compare/ and the log checks: the real
 * bundle, or a purpose-built variant of it (local/test-bundles/) that is slower on one route,
 * heavier at init, leaking, or logging the whole event.
 */

export const REAL_BUNDLE = join(PROJECT_ROOT, 'dist', 'handler');
export const variant = (name: string) => join(PROJECT_ROOT, 'local', 'test-bundles', name);

export interface Exercised {
  runId: string;
  parsed: ParsedEvent[];
  figures: RunFigures;
}

export interface ExercisedStages {
  /** One "run": a fresh stage on `bundleDir`, `rounds` × (GET /pets, GET /pets/3), then its logs. */
  exercise(name: string, bundleDir: string, rounds?: number): Promise<Exercised>;
}

function endpoint(): string {
  const value = process.env.DYNAMODB_ENDPOINT;
  if (!value) throw new Error('DYNAMODB_ENDPOINT is set by the jest global setup');
  return value;
}

/** Every GET a run sends, with credentials a client sends: the function must not log them. */
async function sendRounds(url: string, runId: string, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    for (const path of ['/pets', '/pets/3']) {
      const response = await fetch(`${url}${path}`, {
        headers: {
          'x-harness-run-id': runId,
          authorization: 'Bearer e2e-token',
          cookie: 'session=e2e',
          'x-api-key': 'e2e-key',
        },
      });
      await response.text();
      expect(response.status).toBe(200);
    }
  }
}

/** A seeded table of this test file, set up in `beforeAll` and removed in `afterAll`; stages run on it. */
export function useExercisedStages(purpose: string): ExercisedStages {
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(16).slice(2, 6)}`;
  const tableName = `${purpose}-${suffix}`;
  let logRoot = '';

  beforeAll(async () => {
    await ensureBundle();
    await seedTable({ endpoint: endpoint(), tableName, createTable: true, reset: true });
    logRoot = mkdtempSync(join(tmpdir(), `${purpose}-`));
  }, 120_000);

  afterAll(async () => {
    const client = localDynamoDbClient(endpoint());
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
    if (logRoot) rmSync(logRoot, { recursive: true, force: true });
  });

  return {
    async exercise(name, bundleDir, rounds = 40) {
      const runId = `${name}-${suffix}`;
      const stage = await startStage({
        port: 0,
        bundleDir,
        env: { DYNAMODB_ENDPOINT: endpoint() },
        tableName,
        logDir: join(logRoot, runId),
      });
      try {
        await sendRounds(stage.url, runId, rounds);
      } finally {
        await stage.stop();
      }
      const events = await localSource({ logGroupName: stage.logGroupName, dir: stage.logDir }).fetch({
        since: 0,
        until: Date.now() + 60_000,
      });
      const parsed = parseEvents(events);
      return { runId, parsed, figures: buildFigures({ runId, parsed }) };
    },
  };
}
