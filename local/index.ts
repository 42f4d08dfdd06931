import { relative } from 'node:path';
import { ensureBundle } from '../build';
import { CannotRunError } from '../common/cli';
import { PortInUseError } from '../common/net';
import { resources } from '../common/resources';
import { DEFAULT_LOCAL_PORT } from '../definitions/api-gateway';
import { LOCAL_AWS_ENV } from '../definitions/local-aws';
import { DEFAULT_TABLE_NAME } from '../definitions/table';
import { type SeedSummary, seedTable } from '../seed';
import { type DynamoDbKind, type RunningDynamoDb, startDynamoDb } from './dynamodb';
import { type RunningStage, startStage } from './stage';

/**
 * The local start: DynamoDB → the table created and seeded → the bundle rebuilt if stale → the
 * stage serving it. Each phase is a function of its own that returns what it found; the harness
 * runs each as a step of its own (harness/setup-steps.ts), and `startLocalApi` runs them in order
 * for `npm run stage`, the benchmarks and the tests.
 */

/** The phases of a local start, in order; each is one step of the harness and one progress line of `npm run stage`. */
export const LOCAL_API_PHASES = ['dynamodb', 'seed', 'bundle', 'stage'] as const;
export type LocalApiPhase = (typeof LOCAL_API_PHASES)[number];

/** What a phase hands back: its value and one line saying what it did. */
export interface PhaseResult<T> {
  value: T;
  detail: string;
}

/** Reports a phase's progress, e.g. `12/20 pets`. */
export type ProgressLine = (line: string) => void;

/** Registers what a phase started; the caller stops it (newest first) when it is done with it. */
export type Own = (name: string, stop: () => Promise<void>) => void;

/** What a provider is, for people: `container pets-harness/dynalite:… (3f2a…)`, `dynalite`. */
function describeDynamoDb(running: Pick<RunningDynamoDb, 'kind' | 'image' | 'containerId'>): string {
  if (!running.image) return running.kind;
  return `${running.kind} ${running.image}${running.containerId ? ` (${running.containerId.slice(0, 12)})` : ''}`;
}

/** The first DynamoDB provider that answers (docs/dynamodb.md), owned by the caller; `image` is the container image a user named. */
export async function startDynamoDbPhase(
  own: Own,
  update: ProgressLine,
  image?: string,
): Promise<PhaseResult<RunningDynamoDb>> {
  const running = await startDynamoDb({ log: update, image });
  own(`DynamoDB (${running.kind})`, () => running.stop());
  return { value: running, detail: `${describeDynamoDb(running)} at ${running.endpoint}` };
}

/** Creates the table if it is missing, empties it and loads the 20 seed pets. */
export async function seedPhase(
  table: { endpoint: string; tableName: string },
  update: ProgressLine,
): Promise<PhaseResult<SeedSummary>> {
  const summary = await seedTable({
    endpoint: table.endpoint,
    tableName: table.tableName,
    createTable: true,
    reset: true,
    onProgress: (done, total) => update(`${done}/${total} pets`),
  });
  const pets = `${summary.written.toLocaleString('en-US')} pet${summary.written === 1 ? '' : 's'}`;
  return { value: summary, detail: `${pets} into ${summary.tableName}` };
}

/** The handler bundle, rebuilt only when a source changed. */
export async function bundlePhase(): Promise<PhaseResult<{ dir: string }>> {
  const result = await ensureBundle();
  const dir = relative(process.cwd(), result.dir) || result.dir;
  return { value: result, detail: `${result.rebuilt ? 'rebuilt' : 'up to date'}: ${dir}` };
}

export interface StagePhaseOptions {
  /** 0 = any free port (tests); default 3000. */
  port?: number;
  stage?: string;
  concurrency?: number;
  reservedConcurrency?: number;
  /** Honour `x-harness-fault` (the stage's `faultInjection`): the harness's fault round. */
  faultInjection?: boolean;
  logDir?: string;
  bundleDir: string;
  tableName: string;
  dynamoDbEndpoint: string;
  /**
   * The deployed stack the stage stands in for (the rehearsal: a stack in moto): the template that
   * was deployed, its account and API id, the region and keys its DynamoDB answers to. Default:
   * the synthesized template on the local stand-ins.
   */
  deployed?: {
    templatePath: string;
    accountId: string;
    apiId: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}

/** The variables the stage's function gets for the AWS it talks to: the local stand-ins, or the deployed stack's. */
function awsEnvironment(options: StagePhaseOptions): Record<string, string> {
  const { deployed } = options;
  if (!deployed) return { ...LOCAL_AWS_ENV, DYNAMODB_ENDPOINT: options.dynamoDbEndpoint };
  return {
    AWS_REGION: deployed.region,
    AWS_ACCESS_KEY_ID: deployed.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: deployed.credentials.secretAccessKey,
    DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
  };
}

function portTakenError(port: number | undefined): CannotRunError {
  return new CannotRunError(
    `port ${port} is taken (is 'npm run stage' running?). Stop whatever holds it, or run with --port 0 (any free port) or another --port.`,
  );
}

/** The local API Gateway stage serving the bundle on the table, owned by the caller. */
export async function stagePhase(
  options: StagePhaseOptions,
  own: Own,
  update: ProgressLine,
): Promise<PhaseResult<RunningStage>> {
  update(options.port === 0 ? 'on a free port' : `on port ${options.port ?? DEFAULT_LOCAL_PORT}`);
  const running = await startStage({
    port: options.port,
    stage: options.stage,
    concurrency: options.concurrency,
    reservedConcurrency: options.reservedConcurrency,
    faultInjection: options.faultInjection,
    bundleDir: options.bundleDir,
    logDir: options.logDir,
    // The template sets the function's own variables (TABLE_NAME resolves to this table).
    tableName: options.tableName,
    env: awsEnvironment(options),
    ...(options.deployed
      ? {
          templatePath: options.deployed.templatePath,
          accountId: options.deployed.accountId,
          apiId: options.deployed.apiId,
        }
      : {}),
    log: update,
  }).catch((error: unknown) => {
    throw error instanceof PortInUseError ? portTakenError(options.port) : error;
  });
  own('the local stage', () => running.stop());
  return { value: running, detail: `${running.url} (function on Node ${running.runtimeNode.version})` };
}

/**
 * Shows one phase: `npm run stage` gives each a progress line of its own; the default writes its
 * progress and its result as log lines.
 */
export type ShowPhase = <T>(
  phase: LocalApiPhase,
  work: (update: ProgressLine) => Promise<PhaseResult<T>>,
) => Promise<T>;

export interface StartLocalApiOptions
  extends Partial<Omit<StagePhaseOptions, 'bundleDir' | 'dynamoDbEndpoint'>> {
  /** Create, empty and load the table with the 20 seed pets (default true). */
  seed?: boolean;
  /** The container image to run DynamoDB on instead of the project's own (`--dynamodb-image`). */
  dynamoDbImage?: string;
  log?: (line: string) => void;
  showPhase?: ShowPhase;
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>/<stage>` */
  url: string;
  tableName: string;
  endpoint: string;
  dynamoDbKind: DynamoDbKind;
  /** A container's image (kind `container`). */
  dynamoDbImage?: string;
  logGroupName: string;
  logDir: string;
  /** The stage's own: its template, notes, findings, consumed capacity. */
  stage: RunningStage;
  stop(): Promise<void>;
}

function logEachPhase(log: (line: string) => void): ShowPhase {
  return async (_phase, work) => {
    const { value, detail } = await work(log);
    log(detail);
    return value;
  };
}

/**
 * The phases in order, for `npm run stage`, the benchmarks and the tests (the provider chain
 * reuses jest's DynamoDB when DYNAMODB_ENDPOINT is set). `stop()` undoes all of it, stage first;
 * a start that fails (or is abandoned by its caller) stops what it had started.
 */
export async function startLocalApi(options: StartLocalApiOptions = {}): Promise<LocalApi> {
  const show =
    options.showPhase ?? logEachPhase(options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  const started = resources();
  const own: Own = (name, stop) => started.own(name, stop);
  try {
    const dynamoDb = await show('dynamodb', (update) =>
      startDynamoDbPhase(own, update, options.dynamoDbImage),
    );
    const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
    const table = { endpoint: dynamoDb.endpoint, tableName };
    if (options.seed ?? true) await show('seed', (update) => seedPhase(table, update));
    const bundle = await show('bundle', () => bundlePhase());
    const stageOptions = {
      ...options,
      bundleDir: bundle.dir,
      tableName,
      dynamoDbEndpoint: dynamoDb.endpoint,
    };
    const stage = await show('stage', (update) => stagePhase(stageOptions, own, update));
    let stopping: Promise<void> | undefined;
    return {
      url: stage.url,
      tableName,
      endpoint: dynamoDb.endpoint,
      dynamoDbKind: dynamoDb.kind,
      dynamoDbImage: dynamoDb.image,
      logGroupName: stage.logGroupName,
      logDir: stage.logDir,
      stage,
      stop() {
        stopping ??= started.stopAll().then((problems) => {
          if (problems.length > 0) throw new Error(problems.join('; '));
        });
        return stopping;
      },
    };
  } catch (error) {
    await started.stopAll();
    throw error;
  }
}
