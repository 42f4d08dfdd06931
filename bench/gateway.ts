/**
 * `npm run bench:gateway`: what the stage's IAM gateway adds to one DynamoDB call. The same
 * GetItem, sent one at a time by the SDK (keep-alive, as the function sends it), straight to
 * dynalite and through the gateway with the real template's policies; prints p50/p99/mean of both
 * and the difference. A benchmark that prints, not a test.
 *
 *   npm run bench:gateway -- --calls 2000
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ensureBundle } from '../build';
import { type CommandSpec, type FlagSpec, intFlag, parseFlags, runMain } from '../common/cli';
import { LOCAL_AWS_ENV } from '../definitions/local-aws';
import { startDynamoDb } from '../local/dynamodb';
import { startDynamoDbGateway } from '../local/stage/dynamodb-gateway';
import { LOCAL_ACCOUNT_ID } from '../local/stage/event';
import { createIamEvaluator } from '../local/stage/iam';
import { ensureTemplate } from '../local/stage/synth';
import { readStageTemplate } from '../local/stage/template';
import { seedTable } from '../seed';

const spec = {
  name: 'npm run bench:gateway --',
  summary: "One GetItem at a time straight to dynalite and through the stage's IAM gateway.",
  flags: {
    calls: {
      type: 'string',
      value: 'N',
      help: 'timed calls per path, after 100 warm-up calls (default 2000)',
    },
  },
} satisfies CommandSpec<FlagSpec>;

interface Figures {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { p50Ms: at(50), p99Ms: at(99), meanMs: sorted.reduce((sum, x) => sum + x, 0) / sorted.length };
}

async function timeCalls(endpoint: string, tableName: string, calls: number): Promise<Figures> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
  const command = () => new GetItemCommand({ TableName: tableName, Key: { id: { N: '1' } } });
  for (let i = 0; i < 100; i++) await client.send(command());
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await client.send(command());
    samples.push(performance.now() - started);
  }
  client.destroy();
  return figures(samples);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const calls = intFlag('calls', parsed.calls, 2000, 10, 100_000);
  process.env.PETS_DYNAMODB = 'dynalite';
  const dynamoDb = await startDynamoDb({ log: (line) => process.stderr.write(`  ${line}\n`) });
  try {
    const tableName = `pets-bench-gateway-${process.pid}`;
    await seedTable({ endpoint: dynamoDb.endpoint, tableName, createTable: true, reset: true });
    await ensureBundle();
    const template = readStageTemplate(await ensureTemplate((line) => process.stderr.write(`  ${line}\n`)), {
      region: LOCAL_AWS_ENV.AWS_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName,
    });
    const gateway = await startDynamoDbGateway({
      upstream: dynamoDb.endpoint,
      iam: createIamEvaluator(template.policies, template),
      region: template.region,
      accountId: template.accountId,
    });
    try {
      // Alternated, twice each, so a burst of load on a shared machine does not favour one path.
      const direct = [await timeCalls(dynamoDb.endpoint, tableName, calls)];
      const through = [await timeCalls(gateway.endpoint, tableName, calls)];
      direct.push(await timeCalls(dynamoDb.endpoint, tableName, calls));
      through.push(await timeCalls(gateway.endpoint, tableName, calls));
      print(calls, direct, through, gateway.consumedCapacity()[tableName]);
    } finally {
      await gateway.stop();
    }
  } finally {
    await dynamoDb.stop();
  }
  return 0;
}

function print(calls: number, direct: Figures[], through: Figures[], units: unknown): void {
  const best = (runs: Figures[], key: keyof Figures) => Math.min(...runs.map((run) => run[key]));
  const row = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(28) : cell.padStart(10))).join(' ');
  console.log(`\nGetItem on dynalite, ${calls} sequential calls per path, best of 2 runs each\n`);
  console.log(row(['path', 'p50 ms', 'p99 ms', 'mean ms']));
  for (const [name, runs] of [
    ['direct', direct],
    ['through the IAM gateway', through],
  ] as const) {
    console.log(
      row([
        name,
        best(runs, 'p50Ms').toFixed(3),
        best(runs, 'p99Ms').toFixed(3),
        best(runs, 'meanMs').toFixed(3),
      ]),
    );
  }
  const added = (key: keyof Figures) => (best(through, key) - best(direct, key)).toFixed(3);
  console.log(row(['added per call', added('p50Ms'), added('p99Ms'), added('meanMs')]));
  console.log(`\ncapacity the gateway counted: ${JSON.stringify(units)}`);
}

runMain(main);
