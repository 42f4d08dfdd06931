import { sharedDynamoDb } from './jest-global-setup';

/** Stops the run's DynamoDB once, however many projects share it; runs also after failed tests. */
export default async function globalTeardown(): Promise<void> {
  const shared = sharedDynamoDb();
  if (!shared || shared.stopped) return;
  shared.stopped = true;
  const running = await shared.starting.catch(() => undefined);
  if (!running) return;
  await running.stop();
  process.stderr.write(`[dynamodb] stopped ${running.kind} at ${running.endpoint}\n`);
}
