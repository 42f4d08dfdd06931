import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pet } from '../handler/types';
import { type LocalApi, startLocalApi } from '../local/index';
import { loadSeedPets } from '../seed/load';
import { cleanUp } from './cleanup';

/** The cleanup against the real local stage: what a fuzz run did is undone through the API. */
describe('putting the table back after a fuzz run', () => {
  const runId = `fuzz-cleanup-${randomUUID().slice(0, 8)}`;
  let api: LocalApi;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-cleanup-'));
    api = await startLocalApi({
      port: 0,
      tableName: `pets-fuzz-cleanup-${randomUUID().slice(0, 8)}`,
      logDir: dir,
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function send(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-harness-run-id': runId },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  it('deletes the pets the run created and creates again the seed pets it deleted', async () => {
    const seedPet = loadSeedPets()[0] as Pet;
    const createdIds = [990_001, 990_002];
    for (const id of createdIds) {
      expect((await send('POST', '/pets', { id, type: 'bird', breed: 'Fuzz Finch', price: 1 })).status).toBe(
        201,
      );
    }
    expect((await send('DELETE', `/pets/${seedPet.id}`)).status).toBe(204);

    // 990_003 was created and deleted again by the run itself: its 404 is no problem.
    const result = await cleanUp(api.url, runId, {
      created: [...createdIds, 990_003],
      seedToRestore: [seedPet],
    });

    expect(result).toEqual({ deleted: 2, restored: 1, requests: 4, problems: [] });
    for (const id of createdIds) expect((await send('GET', `/pets/${id}`)).status).toBe(404);
    const restored = await send('GET', `/pets/${seedPet.id}`);
    expect(restored.status).toBe(200);
    expect(await restored.json()).toEqual(seedPet);
  });

  it('leaves a seed pet that is already back alone (409), without calling it a problem', async () => {
    const seedPet = loadSeedPets()[1] as Pet;
    const result = await cleanUp(api.url, runId, { created: [], seedToRestore: [seedPet] });
    expect(result).toEqual({ deleted: 0, restored: 0, requests: 1, problems: [] });
  });

  it('reports each answer it did not expect, and goes on with the rest', async () => {
    const notAPet = { id: 990_010, type: 'dragon', breed: '', price: -1 } as unknown as Pet;
    const result = await cleanUp(api.url, runId, {
      created: [-5],
      seedToRestore: [notAPet],
    });
    expect(result.requests).toBe(2);
    expect(result.problems).toEqual([
      'DELETE /pets/-5 answered 400',
      'POST /pets (seed pet 990010) answered 400',
    ]);
    expect((await send('GET', '/pets/990010')).status).toBe(404);
  });
});
