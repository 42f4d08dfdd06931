/**
 * `npm run bench:seed`: how long each local DynamoDB provider takes to answer, and how long seeding
 * 100,000 synthetic pets takes on it (the target: under 60 s on a local DynamoDB). Prints figures.
 * BENCH_PROVIDERS=container,dynalite and BENCH_SEED_COUNT=100000 change what is measured.
 */
import { startStep } from '../common/progress';
import { type DynamoDbKind, startDynamoDb } from '../local/dynamodb';
import { seedTable } from '../seed';

interface Figures {
  kind: DynamoDbKind;
  startMs: number;
  seedMs: number;
  pets: number;
}

async function measure(kind: DynamoDbKind, count: number): Promise<Figures> {
  process.env.PETS_DYNAMODB = kind;
  delete process.env.DYNAMODB_ENDPOINT;
  const startedAt = performance.now();
  const running = await startDynamoDb({ log: () => undefined });
  const startMs = performance.now() - startedAt;
  try {
    const step = startStep(`seeding ${count.toLocaleString('en-US')} pets on ${kind}`);
    const seedStartedAt = performance.now();
    const summary = await seedTable({
      endpoint: running.endpoint,
      tableName: `bench-seed-${Date.now()}`,
      createTable: true,
      generate: count,
      onProgress: (done, total) =>
        step.update(`${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`),
    });
    const seedMs = performance.now() - seedStartedAt;
    step.succeed(`${summary.written.toLocaleString('en-US')} pets`);
    return { kind, startMs, seedMs, pets: summary.written };
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  const kinds = (process.env.BENCH_PROVIDERS ?? 'container,dynalite')
    .split(',')
    .map((kind) => kind.trim() as DynamoDbKind);
  const count = Number(process.env.BENCH_SEED_COUNT ?? 100_000);
  const rows: Figures[] = [];
  for (const kind of kinds) rows.push(await measure(kind, count));
  console.log('\nprovider   start (ms)   seed (s)   pets/s    pets');
  for (const row of rows) {
    console.log(
      [
        row.kind.padEnd(9),
        row.startMs.toFixed(0).padStart(11),
        (row.seedMs / 1000).toFixed(1).padStart(10),
        Math.round(row.pets / (row.seedMs / 1000))
          .toLocaleString('en-US')
          .padStart(8),
        row.pets.toLocaleString('en-US').padStart(8),
      ].join('  '),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
