import { resolve } from 'node:path';
import { baseUrlFlag, CannotRunError, type CommandSpec, intFlag, parseFlags } from '../common/cli';
import { startStep } from '../common/progress';
import { DEFAULT_TABLE_NAME } from '../definitions/table';
import { InvalidSeedFile, type SeedSummary, seedTable } from './index';

const flags = {
  endpoint: {
    type: 'string',
    value: 'URL',
    help: 'DynamoDB endpoint (default $DYNAMODB_ENDPOINT; unset = AWS)',
  },
  region: {
    type: 'string',
    value: 'R',
    help: 'region (default $AWS_REGION, us-east-1 for a local endpoint)',
  },
  table: { type: 'string', value: 'NAME', help: `table name (default ${DEFAULT_TABLE_NAME})` },
  'create-table': { type: 'boolean', help: 'create the table if missing and wait until it is ACTIVE' },
  reset: { type: 'boolean', help: 'empty the table first' },
  generate: {
    type: 'string',
    value: 'N',
    help: 'also write N deterministic synthetic pets (ids after the seed pets)',
  },
  file: { type: 'string', value: 'PATH', help: 'seed file (default seed/pets.json)' },
  yes: { type: 'boolean', help: 'confirm --reset against a table on AWS' },
} as const;

const spec = {
  name: 'pets-harness seed',
  summary:
    'Create and seed the pets table: the 20 pets of seed/pets.json plus optional synthetic ones. ' +
    'Without --endpoint (or DYNAMODB_ENDPOINT) it writes to AWS with the default credentials.',
  flags,
} satisfies CommandSpec<typeof flags>;

function summaryLines(summary: SeedSummary): string[] {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const rate =
    summary.durationMs > 0 ? Math.round((summary.written / summary.durationMs) * 1000) : summary.written;
  return [
    `table      ${summary.tableName} at ${summary.target}${summary.tableCreated ? ' (created)' : ''}`,
    ...(summary.resetBy
      ? [
          `reset      by ${summary.resetBy}${summary.resetBy === 'deleting items' ? ` (${summary.deleted} deleted)` : ''}`,
        ]
      : []),
    `written    ${summary.written.toLocaleString('en-US')} pets (${summary.seedPets} seed + ${summary.generated.toLocaleString('en-US')} generated)`,
    `time       ${seconds} s, ${rate.toLocaleString('en-US')} pets/s, ${summary.retries} unprocessed-item retries`,
  ];
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const generate = intFlag('generate', parsed.generate, 0, 0, 10_000_000);
  const endpoint = baseUrlFlag('endpoint', parsed.endpoint ?? (process.env.DYNAMODB_ENDPOINT || undefined));
  if (!endpoint && parsed.reset && !parsed.yes) {
    throw new CannotRunError(
      `--reset without --endpoint would delete every item of the AWS table '${parsed.table ?? DEFAULT_TABLE_NAME}'. ` +
        'Add --yes to confirm, or pass --endpoint for a local DynamoDB.',
    );
  }
  const step = startStep(`Seeding ${parsed.table ?? DEFAULT_TABLE_NAME} at ${endpoint ?? 'AWS'}`);
  try {
    const summary = await seedTable({
      ...(endpoint ? { endpoint } : {}),
      ...(parsed.region ? { region: parsed.region } : {}),
      ...(parsed.file ? { file: resolve(parsed.file) } : {}),
      tableName: parsed.table ?? DEFAULT_TABLE_NAME,
      createTable: parsed['create-table'] ?? false,
      reset: parsed.reset ?? false,
      generate,
      onProgress: (done, total) =>
        step.update(`${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} pets`),
    });
    step.succeed(`${summary.written.toLocaleString('en-US')} pets`);
    console.log(summaryLines(summary).join('\n'));
    return 0;
  } catch (error) {
    step.fail(error instanceof InvalidSeedFile ? 'invalid seed file' : undefined);
    if (error instanceof InvalidSeedFile) {
      console.error(error.message);
      return 1;
    }
    console.error(`seed failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
