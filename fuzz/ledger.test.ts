import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pet } from '../handler/types';
import { type LedgerEntry, readLedger, stateChanges } from './ledger';

const seedPets: Pet[] = [
  { id: 1, type: 'dog', breed: 'Beagle', price: 249.99 },
  { id: 2, type: 'cat', breed: 'Siamese', price: 150 },
  { id: 3, type: 'fish', breed: 'Goldfish', price: 4.5 },
];

function entry(overrides: Partial<LedgerEntry>): LedgerEntry {
  return {
    method: 'GET',
    path: '/pets',
    status: 200,
    atFunction: true,
    createdId: null,
    deletedId: null,
    ...overrides,
  };
}

describe('the fuzz ledger', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-ledger-test-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads one entry per line, skipping blank lines', () => {
    const path = join(dir, 'ledger.ndjson');
    const lines = [
      entry({ method: 'POST', status: 201, createdId: 500 }),
      entry({ status: 403, atFunction: false }),
    ];
    writeFileSync(path, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n\n`);
    expect(readLedger(path)).toEqual(lines);
  });

  it('is empty when Schemathesis sent nothing (no file)', () => {
    expect(readLedger(join(dir, 'missing.ndjson'))).toEqual([]);
  });

  it('fails on a line that is not JSON instead of miscounting', () => {
    const path = join(dir, 'torn.ndjson');
    writeFileSync(path, `${JSON.stringify(entry({}))}\n{"method":"GET","pa\n`);
    expect(() => readLedger(path)).toThrow(SyntaxError);
  });
});

describe('what a fuzz run changed', () => {
  it('lists each created id once, in the order first created', () => {
    const changes = stateChanges(
      [
        entry({ method: 'POST', status: 201, createdId: 700 }),
        entry({ method: 'POST', status: 201, createdId: 600 }),
        entry({ method: 'DELETE', path: '/pets/{id}', status: 204, deletedId: 700 }),
        entry({ method: 'POST', status: 201, createdId: 700 }),
      ],
      seedPets,
    );
    expect(changes.created).toEqual([700, 600]);
    expect(changes.seedToRestore).toEqual([]);
  });

  it('restores the seed pets it deleted, and those it created again after deleting', () => {
    const changes = stateChanges(
      [
        entry({ method: 'DELETE', path: '/pets/{id}', status: 204, deletedId: 2 }),
        entry({ method: 'DELETE', path: '/pets/{id}', status: 204, deletedId: 3 }),
        entry({ method: 'POST', status: 201, createdId: 3 }),
      ],
      seedPets,
    );
    expect(changes.seedToRestore).toEqual([seedPets[1], seedPets[2]]);
    // Seed pet 3 was created again by the fuzz (maybe with other fields): deleted, then restored.
    expect(changes.created).toEqual([3]);
  });

  it('changes nothing for reads and rejected writes', () => {
    expect(
      stateChanges(
        [entry({}), entry({ method: 'POST', status: 400 }), entry({ method: 'DELETE', status: 404 })],
        seedPets,
      ),
    ).toEqual({ created: [], seedToRestore: [] });
  });
});
