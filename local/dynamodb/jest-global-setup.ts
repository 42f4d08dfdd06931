import { ensureBundle } from '../../build';
import { ensureTemplate } from '../stage/synth';
import { type RunningDynamoDb, startDynamoDb } from './index';

/**
 * One DynamoDB for the whole jest run, shared by every project that lists this global setup
 * (jest.config.ts WITH_DYNAMODB, and the slow project). Jest calls the setup once per such project
 * in its main process, so the provider lives on globalThis: started by the first call, reused by
 * the others, stopped once by the teardown. Workers find it through DYNAMODB_ENDPOINT.
 */
export interface SharedDynamoDb {
  starting: Promise<RunningDynamoDb>;
  bundle: Promise<{ dir: string; rebuilt: boolean }>;
  stopped: boolean;
}

const KEY = Symbol.for('pets-harness.jest.dynamodb');

type GlobalWithDynamoDb = typeof globalThis & { [KEY]?: SharedDynamoDb };

export function sharedDynamoDb(): SharedDynamoDb | undefined {
  return (globalThis as GlobalWithDynamoDb)[KEY];
}

function say(line: string): void {
  process.stderr.write(`[dynamodb] ${line}\n`);
}

async function start(): Promise<RunningDynamoDb> {
  const startedAt = Date.now();
  const running = await startDynamoDb({ log: say });
  process.env.DYNAMODB_ENDPOINT = running.endpoint;
  process.env.PETS_TEST_DYNAMODB_KIND = running.kind;
  // The container's facts, so a test can prove the run really uses it (no silent fall-back).
  if (running.image) process.env.PETS_TEST_DYNAMODB_IMAGE = running.image;
  if (running.containerId) process.env.PETS_TEST_DYNAMODB_CONTAINER = running.containerId;
  const what = running.image
    ? `a container of ${running.image} (${running.containerId?.slice(0, 12)})`
    : running.kind;
  say(`this jest run uses ${what} at ${running.endpoint} (ready in ${Date.now() - startedAt} ms)`);
  return running;
}

export default async function globalSetup(): Promise<void> {
  const holder = globalThis as GlobalWithDynamoDb;
  if (!holder[KEY]) {
    // A line break first: jest's own output may have left the cursor mid-line.
    process.stderr.write('\n');
    holder[KEY] = {
      starting: start(),
      // The stages the tests start read the template synthesized from this bundle.
      bundle: ensureBundle().then(async (bundle) => {
        say(`handler bundle ${bundle.rebuilt ? 'rebuilt' : 'up to date'} in ${bundle.dir}`);
        say(`stack template ${await ensureTemplate(say)}`);
        return bundle;
      }),
      stopped: false,
    };
  }
  const shared = holder[KEY];
  await Promise.all([shared.starting, shared.bundle]);
}
