import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { waitUntil } from '../../common/wait';
import { functionSettings } from '../../definitions/function';
import { runLogCheck } from '../../logcheck';
import { readLogEvents } from '../logs';
import { type RunningStage, type StartStageOptions, startStage } from './index';

/**
 * Environments between invocations, as Lambda keeps them: frozen once the handler has answered
 * (work it left running waits for the next invocation of that environment, and its lines land in
 * that invocation's window), shut down after an idle time (the work is lost), and the in-flight
 * warning at every return that left work behind.
 */

const PENDING = join(__dirname, '..', 'test-bundles', 'pending-work');
const LOG_GROUP = '/aws/lambda/Pets';
/** A process that owns a stage (test/stage-owner.ts), for killing outright. */
const OWNER = join(__dirname, 'test', 'stage-owner.ts');

interface Answer {
  content?: string;
  pid: number;
  node: string;
  executionEnv: string;
}

const stages: RunningStage[] = [];
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

async function start(options: Partial<StartStageOptions> = {}): Promise<RunningStage> {
  const stage = await startStage({
    port: 0,
    bundleDir: PENDING,
    env: {},
    logDir: tempDir('freeze-test-logs-'),
    concurrency: 1,
    ...options,
  });
  stages.push(stage);
  return stage;
}

afterAll(async () => {
  await Promise.all(stages.map((stage) => stage.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function call(stage: RunningStage, query: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${stage.url}/pets?${new URLSearchParams(query)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

function lines(stage: RunningStage): string[] {
  return readLogEvents({ logGroupName: LOG_GROUP, dir: stage.logDir }).map((event) => event.message);
}

function written(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The lines between an invocation's START and its END, by the request id on its START. */
function windowOf(all: string[], startIndex: number): string[] {
  const requestId = /^START RequestId: (\S+)/u.exec(all[startIndex] ?? '')?.[1] ?? '';
  const end = all.indexOf(`END RequestId: ${requestId}`, startIndex);
  return all.slice(startIndex, end + 1);
}

/** The state letter of /proc/<pid>/stat (R running, S sleeping, T stopped, Z exited), or `gone`. */
function processState(pid: number): string {
  if (!existsSync(`/proc/${pid}/stat`)) return 'gone';
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** Waits until the process is in one of `states`; fails naming the state it stayed in. */
function untilState(pid: number, states: string[], what: string): Promise<string> {
  return waitUntil(
    () => processState(pid),
    (state) => states.includes(state),
    { what: `environment ${pid} ${what}`, timeoutMs: 10_000 },
  );
}

describe('an environment frozen between invocations', () => {
  it('holds a write left pending at return until that environment is invoked again', async () => {
    // Stopped 200 ms after the answer: the write was due after 20, so by then, without the freeze,
    // it would have happened.
    const stage = await start({ suspendAfterMs: 200 });
    const file = join(tempDir('freeze-test-data-'), 'store');
    const first = await call(stage, { work: 'timer-write', file, value: 'late', ms: '20' });
    await untilState(first.pid, ['T'], 'to be stopped');
    expect(written(file)).toBe('');

    const second = await call(stage, { work: 'read', file, ms: '50' });

    expect(second.pid).toBe(first.pid);
    // The read ran first thing in the thawed environment: the late write had not had its turn yet…
    expect(second.content).toBe('');
    // …and got it during that invocation.
    expect(written(file)).toBe('late\n');
    const all = lines(stage);
    const secondStart = all.findLastIndex((line) => line.startsWith('START RequestId:'));
    expect(windowOf(all, secondStart).some((line) => line.endsWith('\tINFO\tlate write of late done'))).toBe(
      true,
    );
  });

  it('loses the pending write when the idle environment is shut down', async () => {
    const stage = await start({ idleTimeoutMs: 300 });
    const file = join(tempDir('freeze-test-data-'), 'store');
    const first = await call(stage, { work: 'timer-write', file, value: 'lost', ms: '20' });

    await untilState(first.pid, ['gone', 'Z'], 'to be shut down after 300 ms idle');
    const second = await call(stage, { work: 'read', file });

    expect(second.pid).not.toBe(first.pid);
    expect(second.content).toBe('');
    expect(written(file)).toBe('');
    const reports = lines(stage).filter((line) => line.startsWith('REPORT'));
    // Both invocations were cold starts: the second environment is a new one.
    expect(reports.filter((line) => line.includes('Init Duration'))).toHaveLength(2);
  });

  it('stops the idle environment process until the next invocation is delivered', async () => {
    const stage = await start();
    const first = await call(stage, { work: 'cleared-timer' });
    await expect(untilState(first.pid, ['T'], 'to be stopped')).resolves.toBe('T');
    const second = await call(stage, { work: 'cleared-timer' });
    expect(second.pid).toBe(first.pid);
  });

  it('takes a stopped environment down with the stage when the stage is killed outright (SIGKILL)', async () => {
    const options = {
      port: 0,
      bundleDir: PENDING,
      env: {},
      logDir: tempDir('freeze-test-logs-'),
      concurrency: 1,
      suspendAfterMs: 0,
    } satisfies StartStageOptions;
    const owner = spawn(process.execPath, ['--import', 'tsx', OWNER, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: owner.stdout as Readable }), 'line')) as [string];
    const pid = Number(line);
    await expect(untilState(pid, ['T'], 'to be stopped')).resolves.toBe('T');
    owner.kill('SIGKILL');
    await expect(untilState(pid, ['gone', 'Z'], 'to end with its stage')).resolves.toMatch(/^(gone|Z)$/u);
  });

  it.each([
    ['suspend is off', { suspend: false }],
    ['it has been idle for less than suspendAfterMs', { suspendAfterMs: 60_000 }],
  ])('only blocks it, without stopping the process, when %s', async (_name, options) => {
    const stage = await start(options);
    const control = await start();
    const { pid } = await call(stage, { work: 'cleared-timer' });
    // An environment of a default stage, answered after ours, is stopped once the default
    // suspendAfterMs has passed: by then ours would have been stopped too.
    const controlPid = (await call(control, { work: 'cleared-timer' })).pid;
    await untilState(controlPid, ['T'], 'of the default stage to be stopped');

    expect(processState(pid)).toBe('S');
  });

  it('keeps Duration to the invocation: the time frozen between invocations is not billed', async () => {
    // Frozen 400 ms (blocked, then stopped) before the second invocation, more than any Duration below.
    const stage = await start({ suspendAfterMs: 400 });
    const first = await call(stage, {
      work: 'awaited',
      file: join(tempDir('freeze-test-data-'), 'store'),
      value: 'x',
    });
    await untilState(first.pid, ['T'], 'to be stopped');
    await call(stage, { work: 'cleared-timer' });
    const durations = lines(stage)
      .filter((line) => line.startsWith('REPORT'))
      .map((line) => Number(/\tDuration: ([\d.]+) ms/u.exec(line)?.[1]));
    expect(durations).toHaveLength(2);
    for (const duration of durations) expect(duration).toBeLessThan(300);
  });

  it('runs the function on the Node major of its runtime, and says which', async () => {
    const stage = await start();
    const answer = await call(stage, { work: 'cleared-timer' });
    const major = /^nodejs(\d+)\.x$/u.exec(functionSettings().runtime)?.[1];
    expect(answer.node).toMatch(new RegExp(`^v${major}\\.`, 'u'));
    expect(answer.executionEnv).toBe(`AWS_Lambda_${functionSettings().runtime}`);
    expect(stage.runtimeNode.version).toBe(answer.node);
  });
});

describe('the in-flight warning', () => {
  let stage: RunningStage;
  let server: Server;
  let serverUrl: string;
  let file: string;

  beforeAll(async () => {
    stage = await start();
    file = join(tempDir('freeze-test-data-'), 'store');
    // Answers after 300 ms, so a request nobody awaits is still out when the handler returns.
    server = createServer((_request, response) => {
      setTimeout(() => response.end('ok'), 300);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The warning the environment wrote for this invocation, or undefined. */
  async function warningFor(query: Record<string, string>): Promise<string | undefined> {
    const before = lines(stage).length;
    await call(stage, { file, value: 'v', url: serverUrl, ...query });
    const own = lines(stage).slice(before);
    const requestId = /^START RequestId: (\S+)/u.exec(
      own.find((line) => line.startsWith('START')) ?? '',
    )?.[1];
    const warning = own.find((line) => line.includes('\tWARN\tRuntime.InFlightWork: '));
    if (warning) {
      // In the invocation's own window, before its END.
      expect(warning.split('\t')[1]).toBe(requestId);
      expect(own.indexOf(warning)).toBeLessThan(own.indexOf(`END RequestId: ${requestId}`));
    }
    return warning;
  }

  it.each([
    ['a timer', 'timer-write', /: 1 timer \(started at \S*pending-work\/index\.js:29\)\. /u],
    ['an async write nobody awaits', 'unawaited-write', /: 1 timer, \d+ unsettled promises \(started at /u],
    ['an HTTP request nobody awaits', 'unawaited-request', /: 1 outgoing HTTP request, .*unsettled promise/u],
    ['an immediate', 'immediate', /: 1 immediate \(started at \S*pending-work\/index\.js:42\)\. /u],
  ])('names %s left running', async (_name, work, kinds) => {
    const warning = await warningFor({ work });
    expect(warning).toContain('the handler returned with work still in flight: ');
    expect(warning).toMatch(kinds);
  });

  it.each([
    ['work that was awaited', 'awaited'],
    ['a timer that was cleared', 'cleared-timer'],
    ["an unref'd timer (it keeps nothing alive)", 'unref-timer'],
    ['a finished request whose keep-alive socket stays open', 'keep-alive-request'],
    ['the loser of a race whose timer was cleared', 'race-lost'],
  ])('says nothing for %s', async (_name, work) => {
    expect(await warningFor({ work })).toBeUndefined();
  });

  it('fails the log check, naming the work and the invocation', async () => {
    // The earlier tests' warnings are in the same log stream: the window starts with this request.
    const since = Date.now();
    await call(stage, { work: 'timer-write', file, value: 'v' });
    const result = await runLogCheck({
      runId: 'freeze-test',
      since,
      source: 'local',
      logGroupName: LOG_GROUP,
      logDir: stage.logDir,
      reportsDir: tempDir('freeze-test-report-'),
    });
    expect(result.passed).toBe(false);
    expect(result.violations).toContainEqual(
      expect.objectContaining({
        check: 'in-flight work',
        message: expect.stringContaining(': 1 timer (started at '),
      }),
    );
  });

  it('is written again every time the work is left behind', async () => {
    const warnings = [];
    for (let i = 0; i < 5; i++) warnings.push(await warningFor({ work: 'timer-write', ms: '1' }));
    expect(warnings.every((warning) => warning?.includes(': 1 timer ('))).toBe(true);
  });
});
