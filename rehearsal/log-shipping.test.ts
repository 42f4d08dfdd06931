import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { openLogStream } from '../local/logs/index';
import { cloudWatchSource } from '../logcheck/index';
import { type RunningMoto, startMotoServer } from '../tools/moto';
import { PUT_LOG_EVENTS_LIMITS, putLogEventsBatches, startLogShipping } from './log-shipping';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const events = (count: number, message: (i: number) => string, at = (i: number) => T0 + i) =>
  Array.from({ length: count }, (_, i) => ({ timestamp: at(i), message: message(i) }));
const batchBytes = (batch: { message?: string }[]) =>
  batch.reduce((sum, event) => sum + Buffer.byteLength(event.message ?? '', 'utf8') + 26, 0);

describe('PutLogEvents batches', () => {
  it('hold at most 10,000 events', () => {
    const batches = putLogEventsBatches(events(10_001, () => 'x'));

    expect(batches.map((batch) => batch.length)).toEqual([10_000, 1]);
  });

  it('hold at most 1,048,576 bytes, counting each message in UTF-8 plus 26 bytes per event', () => {
    // 1,000-byte messages: 1,022 × 1,026 = 1,048,572 fits; a 1,023rd would not (without the 26
    // bytes of overhead, 1,048 would seem to).
    const ascii = putLogEventsBatches(events(1_023, () => 'a'.repeat(1_000)));
    // 350 euro signs are 1,050 bytes: 974 × 1,076 = 1,048,024 fits, 975 would not.
    const euros = putLogEventsBatches(events(975, () => '€'.repeat(350)));

    expect(ascii.map((batch) => batch.length)).toEqual([1_022, 1]);
    expect(euros.map((batch) => batch.length)).toEqual([974, 1]);
    for (const batch of [...ascii, ...euros]) {
      expect(batchBytes(batch)).toBeLessThanOrEqual(PUT_LOG_EVENTS_LIMITS.maxBatchBytes);
    }
  });

  it('cut a message over the 256 KB event limit at a character boundary, as Lambda cuts a long line', () => {
    const message =
      putLogEventsBatches([{ timestamp: T0, message: `a${'€'.repeat(100_000)}` }])[0]?.[0]?.message ?? '';

    const bytes = Buffer.byteLength(message, 'utf8');
    expect(bytes + PUT_LOG_EVENTS_LIMITS.eventOverheadBytes).toBeLessThanOrEqual(
      PUT_LOG_EVENTS_LIMITS.maxEventBytes,
    );
    expect(bytes).toBeGreaterThan(PUT_LOG_EVENTS_LIMITS.maxEventBytes - 26 - 3);
    expect(message).not.toContain('\uFFFD');
    expect(message.endsWith('€')).toBe(true);
  });

  it('put the events in chronological order and never span more than 24 hours', () => {
    const day = PUT_LOG_EVENTS_LIMITS.maxSpanMs;
    const batches = putLogEventsBatches([
      { timestamp: T0 + day + 1, message: 'next day' },
      { timestamp: T0, message: 'first' },
      { timestamp: T0 + day, message: 'same day' },
    ]);

    expect(batches.map((batch) => batch.map((event) => event.message))).toEqual([
      ['first', 'same day'],
      ['next day'],
    ]);
  });

  it('leave out empty lines, which CloudWatch refuses', () => {
    expect(putLogEventsBatches([{ timestamp: T0, message: '' }])).toEqual([]);
  });
});

describe("shipping the local store to moto's CloudWatch Logs", () => {
  const logGroupName = `/aws/lambda/Pets-shipping-${Date.now().toString(36)}`;
  let moto: RunningMoto;
  let logDir: string;
  const standIn = () => ({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

  beforeAll(async () => {
    moto = await startMotoServer();
    const client = new CloudWatchLogsClient(standIn());
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    client.destroy();
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(() => {
    logDir = mkdtempSync(join(tmpdir(), 'rehearsal-shipping-'));
  });
  afterEach(() => rmSync(logDir, { recursive: true, force: true }));

  it('sends each environment its own log stream, reads on where it stopped, and FilterLogEvents reads it all back', async () => {
    const since = Date.now() - 1_000;
    const one = openLogStream(logGroupName, '2026/12/04/[$LATEST]aaaa', logDir);
    const two = openLogStream(logGroupName, '2026/12/04/[$LATEST]bbbb', logDir);
    one.append('START RequestId: a Version: $LATEST');
    two.append('START RequestId: b Version: $LATEST');
    const shipping = startLogShipping({ standIn: standIn(), logGroupName, logDir, intervalMs: 60_000 });

    await shipping.flush();
    one.append('END RequestId: a');
    // A line still being written waits for its newline.
    const [file] = readdirSync(join(logDir, encodeURIComponent(logGroupName))).filter((name) =>
      name.includes('bbbb'),
    );
    appendFileSync(join(logDir, encodeURIComponent(logGroupName), file ?? ''), '{"timestamp":');
    await shipping.flush();
    const figures = await shipping.stop();
    one.close();
    two.close();

    const read = await cloudWatchSource({ logGroupName, endpoint: moto.endpoint, region: 'us-east-1' }).fetch(
      {
        since,
        until: Date.now() + 1_000,
      },
    );
    expect(read.map((event) => [event.logStreamName, event.message]).sort()).toEqual([
      ['2026/12/04/[$LATEST]aaaa', 'END RequestId: a'],
      ['2026/12/04/[$LATEST]aaaa', 'START RequestId: a Version: $LATEST'],
      ['2026/12/04/[$LATEST]bbbb', 'START RequestId: b Version: $LATEST'],
    ]);
    expect(figures).toEqual({ events: 3, batches: 3, streams: 2, rejected: [] });
  });

  it('says why when the log group is not there to ship to', async () => {
    const stream = openLogStream('/aws/lambda/Pets-no-group', 's', logDir);
    stream.append('a line');
    stream.close();
    const shipping = startLogShipping({
      standIn: standIn(),
      logGroupName: '/aws/lambda/Pets-no-group',
      logDir,
      intervalMs: 60_000,
    });

    await expect(shipping.stop()).rejects.toThrow(/log group does not exist|ResourceNotFound/i);
  });
});
