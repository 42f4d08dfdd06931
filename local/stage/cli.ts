import { createServer } from 'node:net';
import { relative } from 'node:path';
import { type CommandSpec, intFlag, parseFlags, UsageError } from '../../common/cli';
import { listenOnLoopback } from '../../common/net';
import { withDetailedStep, withStep } from '../../common/progress';
import { DEFAULT_LOCAL_PORT, DEFAULT_STAGE } from '../../definitions/api-gateway';
import { DEFAULT_TABLE_NAME } from '../../definitions/table';
import { type LocalApiPhase, startLocalApi } from '../index';
import { DEFAULT_CONCURRENCY } from './index';

const flags = {
  port: {
    type: 'string',
    value: 'N',
    help: `port on 127.0.0.1 (default ${DEFAULT_LOCAL_PORT}; 0 = any free port)`,
  },
  stage: {
    type: 'string',
    value: 'NAME',
    help: `stage name, the first path segment (default ${DEFAULT_STAGE})`,
  },
  concurrency: {
    type: 'string',
    value: 'N',
    help: `execution environments at most; more requests queue (default ${DEFAULT_CONCURRENCY})`,
  },
  'reserved-concurrency': {
    type: 'string',
    value: 'N',
    help: 'at most N environments, and requests past them are throttled (500) as on AWS',
  },
  table: { type: 'string', value: 'NAME', help: `table name (default ${DEFAULT_TABLE_NAME})` },
  'dynamodb-image': {
    type: 'string',
    value: 'IMAGE',
    help: "container image for DynamoDB instead of the project's own (serving port 8000; e.g. amazon/dynamodb-local you pulled)",
  },
} as const;

const spec = {
  name: 'pets-harness stage',
  summary:
    'Start DynamoDB (the local provider), create and seed the table, build the bundle if it is stale, and serve ' +
    'it on a local API Gateway stage with Lambda-format logs. Ctrl-C stops everything.',
  flags,
} satisfies CommandSpec<typeof flags>;

const PHASE_LABELS: Record<LocalApiPhase, string> = {
  dynamodb: 'DynamoDB',
  seed: 'seed',
  bundle: 'bundle',
  stage: 'stage',
};

/** Fails fast, before DynamoDB starts, when something already listens on the port. */
async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOnLoopback(probe, port);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Runs the stage until `until` settles (Ctrl-C for the CLI; tests pass their own), then stops the
 * stage and DynamoDB. Prints the base URL with the stage, and where the logs are, on stdout.
 */
export async function runStage(argv: string[], until: () => Promise<unknown> = interrupted): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const port = intFlag('port', parsed.port, DEFAULT_LOCAL_PORT, 0, 65_535);
  const concurrency = intFlag('concurrency', parsed.concurrency, DEFAULT_CONCURRENCY, 1, 1000);
  const reserved =
    parsed['reserved-concurrency'] === undefined
      ? undefined
      : intFlag('reserved-concurrency', parsed['reserved-concurrency'], 1, 1, 1000);
  const stage = parsed.stage ?? DEFAULT_STAGE;
  if (!/^[A-Za-z0-9_-]{1,128}$/u.test(stage)) {
    throw new UsageError(`--stage may only hold letters, digits, - and _, got '${stage}'`);
  }
  await assertPortFree(port);
  // Registered before the slow start, so an early Ctrl-C still stops what was started.
  const stopRequested = until();
  const api = await startLocalApi({
    port,
    stage,
    tableName: parsed.table ?? DEFAULT_TABLE_NAME,
    concurrency,
    reservedConcurrency: reserved,
    dynamoDbImage: parsed['dynamodb-image'],
    showPhase: (phase, work) =>
      withDetailedStep(PHASE_LABELS[phase], (step) => work((line) => step.update(line))),
  });
  const limit =
    reserved === undefined
      ? `up to ${concurrency} environments, then queueing`
      : `reserved concurrency ${reserved}, then throttling`;
  console.log(`Stage:  ${api.url}   (try ${api.url}/pets)`);
  console.log(`Logs:   ${api.logDir} (log group ${api.logGroupName}; one NDJSON file per log stream)`);
  console.log(`Limits: ${limit}. Ctrl-C stops the stage and DynamoDB.`);
  console.log(
    `Template: ${relative(process.cwd(), api.stage.templatePath)} (function settings, routes, IAM enforced on DynamoDB)`,
  );
  for (const note of api.stage.notes) console.log(`Note:   ${note}`);
  for (const finding of api.stage.findings) console.log(`Finding: ${finding}`);
  await stopRequested;
  await withStep('stopping the stage and DynamoDB', () => api.stop());
  return 0;
}

export function main(argv: string[]): Promise<number> {
  return runStage(argv);
}
