import { existsSync, readFileSync } from 'node:fs';
import type { Pet } from '../handler/types';

/**
 * The ledger fuzz/hooks.py writes: one line per response Schemathesis received. From it the run
 * knows how many requests reached the function and which pets it created or deleted.
 */
export interface LedgerEntry {
  method: string;
  /** The operation's path template, e.g. `/pets/{id}`. */
  path: string;
  status: number;
  /** The response carried x-correlation-id: the function answered (API Gateway's own answers lack it). */
  atFunction: boolean;
  createdId: number | null;
  deletedId: number | null;
}

export function readLedger(path: string): LedgerEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LedgerEntry);
}

export interface StateChanges {
  /** Ids the run created, each once: they are deleted afterwards. */
  created: number[];
  /** Seed pets the run deleted (or replaced): they are put back afterwards. */
  seedToRestore: Pet[];
}

/** What the run changed in the table, as far as its own responses tell. */
export function stateChanges(entries: LedgerEntry[], seedPets: readonly Pet[]): StateChanges {
  const created = [
    ...new Set(entries.flatMap((entry) => (entry.createdId === null ? [] : [entry.createdId]))),
  ];
  const touched = new Set([
    ...created,
    ...entries.flatMap((entry) => (entry.deletedId === null ? [] : [entry.deletedId])),
  ]);
  return { created, seedToRestore: seedPets.filter((pet) => touched.has(pet.id)) };
}
