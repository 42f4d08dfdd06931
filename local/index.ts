import { relative } from 'node:path';
import { ensureBundle } from '../build';
import { CannotRunError } from '../common/cli';
import { PortInUseError } from '../common/net';
import { type Resources, resources } from '../common/resources';
import { DEFAULT_LOCAL_PORT } from '../definitions/api-gateway';
import { DEFAULT_TABLE_NAME } from '../definitions/table';
import { seedTable } from '../seed';
import { type DynamoDbKind, LOCAL_AWS_ENV, type RunningDynamoDb, startDynamoDb } from './dynamodb';
import { type RunningStage, startStage } from './stage';

/** The phases of a local start, in order; each is one step of the harness and one progress line of `npm run stage`. */
export const LOCAL_API_PHASES = ['dynamodb', 'seed', 'bundle', 'stage'] as const;
export type LocalApiPhase = (typeof LOCAL_API_PHASES)[number];

/** What a phase's work hands back: its value and one line saying what it did. */
export interface PhaseResult<T> {
  value: T;
  detail: string;
}

/**
 * Runs one phase: the caller decides how it shows (a step with its own progress line in the
 * harness, log lines by default). `work` reports progress through `update`.
 */
export type PhaseRunner = <T>(
  phase: LocalApiPhase,
  work: (update: (line: string) => void) => Promise<PhaseResult<T>>,
) => Promise<T>;

export interface StartLocalApiOptions {
  /** 0 = any free port (tests); default 3000. */
  port?: number;
  stage?: string;
  /** The table, or how to name it once DynamoDB answers (a user's own endpoint may hold `pets`). */
  tableName?: string | ((dynamoDb: RunningDynamoDb) => string);
  /** Create, empty and load the table with the 20 seed pets (default true). */
  seed?: boolean;
  concurrency?: number;
  reservedConcurrency?: number;
  logDir?: string;
  log?: (line: string) => void;
  /** How each phase shows; default: its progress and its result as log lines. */
  phase?: PhaseRunner;
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>/<stage>` */
  url: string;
  tableName: string;
  endpoint: string;
  dynamoDbKind: DynamoDbKind;
  logGroupName: string;
  logDir: string;
  /** The stage's own: its template, notes, findings, consumed capacity. */
  stage: RunningStage;
  stop(): Promise<void>;
}

function logEachPhase(log: (line: string) => void): PhaseRunner {
  return async (_phase, work) => {
    const { value, detail } = await work(log);
    log(detail);
    return value;
  };
}

function portTakenError(port: number | undefined): CannotRunError {
  return new CannotRunError(
    `port ${port} is taken (is 'npm run stage' running?). Stop whatever holds it, or run with --port 0 (any free port) or another --port.`,
  );
}

interface Starting {
  options: StartLocalApiOptions;
  phase: PhaseRunner;
  started: Resources;
}

function startDynamoDbPhase({ phase, started }: Starting): Promise<RunningDynamoDb> {
  return phase('dynamodb', async (update) => {
    const running = await startDynamoDb({ log: update });
    started.own(`DynamoDB (${running.kind})`, () => running.stop());
    return { value: running, detail: `${running.kind} at ${running.endpoint}` };
  });
}

function seedPhase({ phase }: Starting, endpoint: string, tableName: string): Promise<unknown> {
  return phase('seed', async (update) => {
    const summary = await seedTable({
      endpoint,
      tableName,
      createTable: true,
      reset: true,
      onProgress: (done, total) => update(`${done}/${total} pets`),
    });
    const pets = `${summary.written.toLocaleString('en-US')} pet${summary.written === 1 ? '' : 's'}`;
    return { value: summary, detail: `${pets} into ${summary.tableName}` };
  });
}

function bundlePhase({ phase }: Starting): Promise<{ dir: string }> {
  return phase('bundle', async () => {
    const result = await ensureBundle();
    const dir = relative(process.cwd(), result.dir) || result.dir;
    return { value: result, detail: `${result.rebuilt ? 'rebuilt' : 'up to date'}: ${dir}` };
  });
}

function stagePhase(
  { options, phase, started }: Starting,
  bundleDir: string,
  tableName: string,
  dynamoDbEndpoint: string,
): Promise<RunningStage> {
  return phase('stage', async (update) => {
    update(options.port === 0 ? 'on a free port' : `on port ${options.port ?? DEFAULT_LOCAL_PORT}`);
    const running = await startStage({
      port: options.port,
      stage: options.stage,
      concurrency: options.concurrency,
      reservedConcurrency: options.reservedConcurrency,
      bundleDir,
      logDir: options.logDir,
      // The template sets the function's own variables (TABLE_NAME resolves to this table).
      tableName,
      env: { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: dynamoDbEndpoint },
      log: update,
    }).catch((error: unknown) => {
      throw error instanceof PortInUseError ? portTakenError(options.port) : error;
    });
    started.own('the local stage', () => running.stop());
    return { value: running, detail: `${running.url} (function on Node ${running.runtimeNode.version})` };
  });
}

/**
 * The one call the harness, `npm run stage` and the tests use to get a local API: a DynamoDB (the
 * provider chain, which reuses jest's when DYNAMODB_ENDPOINT is set) → the table created and
 * seeded → the bundle rebuilt if stale → the stage serving it. `stop()` undoes all of it, stage
 * first; a start that fails (or is abandoned by its caller) stops what it had started.
 */
export async function startLocalApi(options: StartLocalApiOptions = {}): Promise<LocalApi> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const starting: Starting = { options, phase: options.phase ?? logEachPhase(log), started: resources() };
  try {
    const dynamoDb = await startDynamoDbPhase(starting);
    const tableName =
      typeof options.tableName === 'function'
        ? options.tableName(dynamoDb)
        : (options.tableName ?? DEFAULT_TABLE_NAME);
    if (options.seed ?? true) await seedPhase(starting, dynamoDb.endpoint, tableName);
    const bundle = await bundlePhase(starting);
    const stage = await stagePhase(starting, bundle.dir, tableName, dynamoDb.endpoint);
    let stopping: Promise<void> | undefined;
    return {
      url: stage.url,
      tableName,
      endpoint: dynamoDb.endpoint,
      dynamoDbKind: dynamoDb.kind,
      logGroupName: stage.logGroupName,
      logDir: stage.logDir,
      stage,
      stop() {
        stopping ??= starting.started.stopAll().then((problems) => {
          if (problems.length > 0) throw new Error(problems.join('; '));
        });
        return stopping;
      },
    };
  } catch (error) {
    await starting.started.stopAll();
    throw error;
  }
}
