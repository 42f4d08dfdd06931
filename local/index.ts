import { functionSettings } from '../definitions/function';
import { DEFAULT_TABLE_NAME } from '../definitions/table';
import { ensureBundle } from '../handler/build';
import { seedTable } from '../seed';
import { type DynamoDbKind, LOCAL_AWS_ENV, startDynamoDb } from './dynamodb';
import { type RunningStage, startStage } from './stage';

export interface StartLocalApiOptions {
  /** 0 = any free port (tests); default 3000. */
  port?: number;
  stage?: string;
  tableName?: string;
  /** Create, empty and load the table with the 20 seed pets (default true). */
  seed?: boolean;
  concurrency?: number;
  reservedConcurrency?: number;
  logDir?: string;
  log?: (line: string) => void;
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>/<stage>` */
  url: string;
  tableName: string;
  endpoint: string;
  dynamoDbKind: DynamoDbKind;
  logGroupName: string;
  logDir: string;
  stop(): Promise<void>;
}

/**
 * The one call tests and the harness use to get a local API: a DynamoDB (the provider chain,
 * which reuses jest's when DYNAMODB_ENDPOINT is set) → the table created and seeded → the bundle
 * rebuilt if stale → the stage serving it. `stop()` undoes all of it, stage first.
 */
export async function startLocalApi(options: StartLocalApiOptions = {}): Promise<LocalApi> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  const dynamoDb = await startDynamoDb({ log });
  let stage: RunningStage | undefined;
  try {
    if (options.seed ?? true) {
      const summary = await seedTable({
        endpoint: dynamoDb.endpoint,
        tableName,
        createTable: true,
        reset: true,
      });
      log(`table ${tableName}: ${summary.written} pets written (${summary.durationMs} ms)`);
    }
    const bundle = await ensureBundle();
    if (bundle.rebuilt) log(`bundle rebuilt: ${bundle.dir}`);
    stage = await startStage({
      port: options.port,
      stage: options.stage,
      concurrency: options.concurrency,
      reservedConcurrency: options.reservedConcurrency,
      bundleDir: bundle.dir,
      logDir: options.logDir,
      env: {
        ...LOCAL_AWS_ENV,
        TABLE_NAME: tableName,
        DYNAMODB_ENDPOINT: dynamoDb.endpoint,
        LOG_LEVEL: functionSettings().environment.LOG_LEVEL ?? 'INFO',
      },
    });
  } catch (error) {
    await dynamoDb.stop();
    throw error;
  }
  const running = stage;
  let stopping: Promise<void> | undefined;
  return {
    url: running.url,
    tableName,
    endpoint: dynamoDb.endpoint,
    dynamoDbKind: dynamoDb.kind,
    logGroupName: running.logGroupName,
    logDir: running.logDir,
    stop() {
      stopping ??= running.stop().finally(() => dynamoDb.stop());
      return stopping;
    },
  };
}
