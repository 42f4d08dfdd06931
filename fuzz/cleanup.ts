import type { Pet } from '../handler/types';
import type { StateChanges } from './ledger';

/**
 * Puts the table back the way the fuzz found it, through the API (the harness reaches the
 * function only over HTTP): the pets it created are deleted, the seed pets it deleted or replaced
 * are created again. Every request carries the run id, so the log check counts these too.
 */
export interface CleanupResult {
  deleted: number;
  restored: number;
  /** Requests sent, each of which reached the function. */
  requests: number;
  problems: string[];
}

async function send(url: string, init: { method: string; runId: string; body?: string }): Promise<number> {
  const response = await fetch(url, {
    method: init.method,
    headers: {
      'content-type': 'application/json',
      'x-harness-run-id': init.runId,
      'x-correlation-id': `${init.runId}-cleanup-${Math.random().toString(16).slice(2, 10)}`,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function cleanUp(baseUrl: string, runId: string, changes: StateChanges): Promise<CleanupResult> {
  const result: CleanupResult = { deleted: 0, restored: 0, requests: 0, problems: [] };
  for (const id of changes.created) {
    const status = await send(`${baseUrl}/pets/${id}`, { method: 'DELETE', runId });
    result.requests += 1;
    // 404: the fuzz deleted it itself.
    if (status === 204) result.deleted += 1;
    else if (status !== 404) result.problems.push(`DELETE /pets/${id} answered ${status}`);
  }
  for (const pet of changes.seedToRestore) {
    const status = await send(`${baseUrl}/pets`, {
      method: 'POST',
      runId,
      body: JSON.stringify(pet satisfies Pet),
    });
    result.requests += 1;
    if (status === 201) result.restored += 1;
    // 409: it is there (the fuzz created it again and the cleanup left it: not one of ours).
    else if (status !== 409) result.problems.push(`POST /pets (seed pet ${pet.id}) answered ${status}`);
  }
  return result;
}
