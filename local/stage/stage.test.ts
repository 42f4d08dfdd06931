import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError, UsageError } from '../../common/cli';
import { waitUntil } from '../../common/wait';
import { type LogEvent, readLogEvents } from '../logs';
import { runStage } from './cli';
import { type RunningStage, startStage } from './index';

const FAULTS = join(__dirname, '..', 'test-bundles', 'faults');
const LOG_GROUP = '/aws/lambda/Pets';

interface Echo {
  event: {
    resource: string;
    path: string;
    httpMethod: string;
    headers: Record<string, string>;
    pathParameters: Record<string, string> | null;
    queryStringParameters: Record<string, string> | null;
    body: string | null;
    requestContext: { stage: string; path: string; requestId: string; identity: { sourceIp: string } };
  };
  context: {
    awsRequestId: string;
    functionName: string;
    memoryLimitInMB: string;
    invokedFunctionArn: string;
    logGroupName: string;
    logStreamName: string;
    remainingAtStart: number;
  };
  env: Record<string, string | undefined>;
  pid: number;
}

function tempLogDir(): string {
  return mkdtempSync(join(tmpdir(), 'stage-test-logs-'));
}

function messages(logDir: string): string[] {
  return readLogEvents({ logGroupName: LOG_GROUP, dir: logDir }).map((event: LogEvent) => event.message);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until every pid has exited; fails naming those still alive. */
function untilGone(pids: number[]): Promise<number[]> {
  return waitUntil(
    () => pids.filter(isAlive),
    (alive) => alive.length === 0,
    { what: `processes ${pids.join(', ')} to exit`, timeoutMs: 10_000 },
  );
}

describe('the local stage with purpose-built functions', () => {
  let stage: RunningStage;
  let logDir: string;

  beforeAll(async () => {
    logDir = tempLogDir();
    stage = await startStage({
      port: 0,
      bundleDir: FAULTS,
      env: { TABLE_NAME: 'stage-test-table' },
      logDir,
      functionTimeoutSeconds: 2,
      concurrency: 2,
    });
  });

  afterAll(async () => {
    await stage.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  async function echo(
    path = '/pets/7?type=dog',
    init: RequestInit = {},
  ): Promise<{ response: Response; echo: Echo }> {
    const response = await fetch(`${stage.url}${path}`, init);
    return { response, echo: (await response.json()) as Echo };
  }

  it('times cold starts of fresh environments that serve nothing, and of an empty function beside them, keeping them out of the log group', async () => {
    const linesBefore = messages(logDir).length;

    const samples = await stage.coldStarts(2);

    expect(samples.function).toHaveLength(2);
    // One empty function's after every four of the function's.
    expect(samples.reference).toHaveLength(1);
    for (const sample of [...samples.function, ...samples.reference]) {
      expect(sample.initDurationMs).toBeGreaterThan(0);
      expect(sample.initCpuMs).toBeGreaterThan(0);
    }
    expect(messages(logDir)).toHaveLength(linesBefore);
  });

  it('serves on 127.0.0.1 with the stage in the URL and the function log group', () => {
    expect(stage.url).toBe(`http://127.0.0.1:${stage.port}/default`);
    expect(stage.logGroupName).toBe(LOG_GROUP);
  });

  it('hands the function a v1 proxy event with the path without the stage', async () => {
    const { response, echo: body } = await echo('/pets/7?type=dog&type=cat', {
      headers: { 'x-correlation-id': 'c-1' },
    });
    expect(response.status).toBe(200);
    expect(body.event).toMatchObject({
      resource: '/pets/{id}',
      path: '/pets/7',
      httpMethod: 'GET',
      pathParameters: { id: '7' },
      queryStringParameters: { type: 'cat' },
      body: null,
      requestContext: { stage: 'default', path: '/default/pets/7', identity: { sourceIp: '127.0.0.1' } },
    });
    expect(body.event.headers).toMatchObject({
      host: `127.0.0.1:${stage.port}`,
      'x-correlation-id': 'c-1',
      'X-Forwarded-Proto': 'http',
      'X-Forwarded-Port': String(stage.port),
      'X-Forwarded-For': '127.0.0.1',
    });
    expect(body.event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/u);
  });

  it('answers with the API Gateway request id and apigw id headers', async () => {
    const { response, echo: body } = await echo();
    expect(response.headers.get('x-amzn-requestid')).toBe(body.event.requestContext.requestId);
    expect(response.headers.get('x-amz-apigw-id')).toMatch(/^[A-Za-z0-9]{15}=$/u);
    expect(body.context.awsRequestId).not.toBe(body.event.requestContext.requestId);
  });

  it('gives the function a Lambda context and only the function environment', async () => {
    const { echo: body } = await echo();
    expect(body.context).toMatchObject({
      functionName: 'Pets',
      memoryLimitInMB: '256',
      logGroupName: LOG_GROUP,
      invokedFunctionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:\d{12}:function:Pets$/u),
    });
    expect(body.context.remainingAtStart).toBeGreaterThan(0);
    expect(body.context.remainingAtStart).toBeLessThanOrEqual(2000);
    expect(body.env).toMatchObject({
      TABLE_NAME: 'stage-test-table',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'Pets',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    });
    expect(body.env.TRACE_ID).toMatch(/^Root=1-/u);
    expect(body.env.HOME_LEAKED).toBeUndefined();
  });

  it('writes START, the function lines with the runtime prefix, END and REPORT in order', async () => {
    const { response } = await fetch(`${stage.url}/pets/1?fault=console`).then(async (r) => ({
      response: r,
      text: await r.text(),
    }));
    expect(response.status).toBe(200);
    const lines = messages(logDir);
    const at = lines.findIndex((line) => line.endsWith('\tINFO\tplain log line { n: 1 }'));
    expect(at).toBeGreaterThan(0);
    const requestId = (lines[at] ?? '').split('\t')[1] ?? '';
    const own = lines.filter((line) => line.includes(requestId));
    expect(own[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(own[1]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${requestId}\\tINFO\\tplain log line \\{ n: 1 \\}$`, 'u'),
    );
    expect(own[2]).toMatch(new RegExp(`\\t${requestId}\\tERROR\\tan error line$`, 'u'));
    expect(own[3]).toMatch(new RegExp(`\\t${requestId}\\tWARN\\ta warning$`, 'u'));
    expect(JSON.parse(own[4] ?? '')).toEqual({
      level: 'INFO',
      message: 'raw json',
      function_request_id: requestId,
    });
    expect(own[5]).toBe(`END RequestId: ${requestId}`);
    expect(own[6]).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\\t`, 'u'));
  });

  it.each([
    ['a thrown error', 'throw'],
    ['a body that is not a string', 'malformed'],
    ['an unknown field in the result', 'unknown-field'],
    ['no result at all', 'no-result'],
    ['a response over 6 MB', 'huge'],
    ['process.exit(1)', 'crash'],
    ['an exception nobody catches', 'uncaught'],
  ])('answers %s with 502 {"message": "Internal server error"}', async (_name, fault) => {
    const response = await fetch(`${stage.url}/pets?fault=${fault}`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it('logs a thrown error as Invoke Error with its type and message', async () => {
    await fetch(`${stage.url}/pets?fault=throw`).then((r) => r.text());
    const line = messages(logDir).find((message) => message.includes('\tERROR\tInvoke Error \t')) ?? '';
    expect(JSON.parse(line.split('\t')[4] ?? '{}')).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'the function failed on purpose',
    });
  });

  it('answers 502 when the function runs past its timeout and logs the timeout', async () => {
    const response = await fetch(`${stage.url}/pets?fault=sleep&ms=10000`);
    expect(response.status).toBe(502);
    const lines = messages(logDir);
    const timeout = lines.find((line) => line.endsWith(' Task timed out after 2.00 seconds')) ?? '';
    const requestId = timeout.split(' ')[1] ?? '';
    expect(timeout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ Task timed out after 2\.00 seconds$/u);
    expect(lines.find((line) => line.startsWith(`REPORT RequestId: ${requestId}`))).toMatch(
      /\tStatus: timeout$/u,
    );
  });

  it('passes a 5 MB response through', async () => {
    const response = await fetch(`${stage.url}/pets?fault=almost-huge`);
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBe(5 * 1024 * 1024);
  });

  it('merges headers and multiValueHeaders and keeps the function status', async () => {
    const response = await fetch(`${stage.url}/pets?fault=headers`);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.get('x-both')).toBe('from-multi');
    expect(response.headers.get('x-single')).toBe('one');
  });

  it('decodes a base64 body when the result says isBase64Encoded', async () => {
    const response = await fetch(`${stage.url}/pets?fault=binary`);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 250, 255]));
  });

  it('serves a callback-style handler', async () => {
    const response = await fetch(`${stage.url}/pets?fault=callback`);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ via: 'callback' });
  });

  it('passes a binary request body base64-encoded', async () => {
    const bytes = Buffer.from([0, 200, 13, 10, 255]);
    const { echo: body } = await echo('/pets', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: bytes,
    });
    expect(Buffer.from(body.event.body ?? '', 'base64')).toEqual(bytes);
  });

  describe('the 10,240-byte quota on the request line and header values', () => {
    const requestLine = 'GET /default/pets HTTP/1.1';
    const fixedValues = '127.0.0.1close'; // Host and Connection, below

    /** A raw request whose request line and header values add up to `total` bytes; the raw answer. */
    function requestOfSize(total: number): Promise<string> {
      const pad = 'p'.repeat(total - requestLine.length - fixedValues.length);
      const raw = `${requestLine}\r\nHost: 127.0.0.1\r\nx-pad: ${pad}\r\nConnection: close\r\n\r\n`;
      return new Promise((resolveAnswer, reject) => {
        const socket = connect(stage.port, '127.0.0.1', () => socket.write(raw));
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('error', reject);
        socket.on('close', () => resolveAnswer(Buffer.concat(chunks).toString('latin1')));
      });
    }

    it('passes a request exactly at the quota to the function', async () => {
      const answer = await requestOfSize(10_240);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /u);
    });

    it.each([
      ['one byte over the quota', 10_241],
      ["over Node's default 16 KiB limit", 20_000],
      ["over the stage's 64 KiB parser limit", 70_000],
    ])('answers %s with 431 and the plain-text sentence, without the function', async (_name, total) => {
      const startsBefore = messages(logDir).filter((line) => line.startsWith('START')).length;
      const answer = await requestOfSize(total);
      expect(answer).toMatch(/^HTTP\/1\.1 431 /u);
      expect(answer.toLowerCase()).toContain('content-type: text/plain; charset=utf-8');
      expect(answer).toContain('HTTP header is larger than 10240 bytes.');
      expect(messages(logDir).filter((line) => line.startsWith('START')).length).toBe(startsBefore);
    });
  });

  it('refuses a request body over 10 MB with 413 before the function runs', async () => {
    const startsBefore = messages(logDir).filter((line) => line.startsWith('START')).length;
    const response = await fetch(`${stage.url}/pets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(response.status).toBe(413);
    expect(messages(logDir).filter((line) => line.startsWith('START')).length).toBe(startsBefore);
  });

  it.each([
    ['an unknown path', 'GET', '/default/cats'],
    ['a method the resource does not have', 'PUT', '/default/pets'],
    ['another stage', 'GET', '/prod/pets'],
    ['the root', 'GET', '/'],
  ])('answers %s with 403 Missing Authentication Token and no function call', async (_name, method, path) => {
    const startsBefore = messages(logDir).filter((line) => line.startsWith('START')).length;
    const response = await fetch(`http://127.0.0.1:${stage.port}${path}`, { method });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(messages(logDir).filter((line) => line.startsWith('START')).length).toBe(startsBefore);
  });

  it('answers the CORS preflight itself from the contract, without calling the function', async () => {
    const startsBefore = messages(logDir).filter((line) => line.startsWith('START')).length;
    const response = await fetch(`${stage.url}/pets/3`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'DELETE' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-correlation-id');
    expect(messages(logDir).filter((line) => line.startsWith('START')).length).toBe(startsBefore);
  });

  it('queues requests past the concurrency and serves them all from at most that many environments', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${stage.url}/pets?fault=sleep&ms=200`).then(
          (r) => r.json() as Promise<{ slept: boolean; pid: number }>,
        ),
      ),
    );
    expect(answers.every((answer) => answer.slept)).toBe(true);
    expect(new Set(answers.map((answer) => answer.pid)).size).toBeLessThanOrEqual(2);
  });
});

describe('the local stage limits and lifecycle', () => {
  const logDirs: string[] = [];
  const stages: RunningStage[] = [];

  async function start(options: Partial<Parameters<typeof startStage>[0]> = {}): Promise<RunningStage> {
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await startStage({ port: 0, bundleDir: FAULTS, env: {}, logDir, ...options });
    stages.push(stage);
    return stage;
  }

  afterAll(async () => {
    await Promise.all(stages.map((stage) => stage.stop()));
    for (const dir of logDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function echoOnce(stage: RunningStage): Promise<Echo> {
    return (await (await fetch(`${stage.url}/pets/1`)).json()) as Echo;
  }

  it('reports Max Memory Used of the environment itself, not the peak of the process that started it', async () => {
    // Make this (parent) process far larger than the function's 256 MB, then fork a fresh
    // environment from it: a REPORT that carried the parent's peak (getrusage maxRSS survives
    // fork and exec on Linux) would report more than the memory size.
    const ballast = Buffer.alloc(400 * 1024 * 1024, 1);
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await start({ concurrency: 1, logDir });
    await echoOnce(stage);
    const used = messages(logDir)
      .map((line) => /Max Memory Used: (\d+) MB/.exec(line)?.[1])
      .filter((value): value is string => value !== undefined)
      .map(Number);
    expect(ballast.byteLength).toBeGreaterThan(256 * 1024 * 1024);
    expect(used).toHaveLength(1);
    expect(used[0]).toBeGreaterThan(10);
    expect(used[0]).toBeLessThan(256);
  });

  it('creates an environment cold, with Init Duration on its first REPORT only, and reuses it warm', async () => {
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await start({ concurrency: 1, logDir });
    const first = await echoOnce(stage);
    const second = await echoOnce(stage);
    const reports = messages(logDir).filter((line) => line.startsWith('REPORT'));
    const reportOf = (echo: Echo) => reports.find((line) => line.includes(echo.context.awsRequestId)) ?? '';
    expect(second.pid).toBe(first.pid);
    expect(reportOf(first)).toMatch(
      /^REPORT RequestId: \S+\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms$/u,
    );
    expect(reportOf(second)).toMatch(
      /^REPORT RequestId: \S+\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB$/u,
    );
  });

  it('replaces an environment that crashed, failing only the request it was serving', async () => {
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await start({ concurrency: 1, logDir });
    const before = await echoOnce(stage);
    const [crashed, queued] = await Promise.all([
      fetch(`${stage.url}/pets?fault=crash`),
      fetch(`${stage.url}/pets/2`),
    ]);
    const after = await echoOnce(stage);
    expect(crashed.status).toBe(502);
    expect(queued.status).toBe(200);
    expect(after.pid).not.toBe(before.pid);
    await expect(untilGone([before.pid])).resolves.toEqual([]);
    expect(
      messages(logDir).some((line) =>
        /^RequestId: \S+ Error: Runtime exited with error: exit status 1\nRuntime\.ExitError$/u.test(line),
      ),
    ).toBe(true);
  });

  it('answers 504 Endpoint request timed out when the integration timeout passes first', async () => {
    const stage = await start({ functionTimeoutSeconds: 10, integrationTimeoutMs: 800 });
    const response = await fetch(`${stage.url}/pets?fault=sleep&ms=3000`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('throttles past the reserved concurrency with 500 as API Gateway does', async () => {
    const stage = await start({ reservedConcurrency: 1 });
    // Warm the one environment so the slow request holds it as soon as it is sent.
    await fetch(`${stage.url}/pets`).then((r) => r.text());
    const slow = fetch(`${stage.url}/pets?fault=sleep&ms=1500`);
    // Its START line: the one environment is busy with it.
    await waitUntil(
      () => messages(stage.logDir).filter((line) => line.startsWith('START RequestId:')).length,
      (starts) => starts === 2,
      { what: 'the slow invocation to start', timeoutMs: 10_000 },
    );
    const throttled = await fetch(`${stage.url}/pets`);
    expect(throttled.status).toBe(500);
    expect(await throttled.json()).toEqual({ message: 'Internal server error' });
    expect((await slow).status).toBe(200);
  });

  it('answers 502 when the function fails to load and logs the uncaught exception', async () => {
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await start({ bundleDir: join(__dirname, '..', 'test-bundles', 'init-error'), logDir });
    const response = await fetch(`${stage.url}/pets`);
    expect(response.status).toBe(502);
    expect(
      messages(logDir).some(
        (line) => line.includes('\tERROR\tUncaught Exception \t') && line.includes('configuration missing'),
      ),
    ).toBe(true);
  });

  it('refuses to start without a bundle and says how to build one', async () => {
    await expect(start({ bundleDir: join(tmpdir(), 'no-such-bundle') })).rejects.toThrow(/npm run build/u);
  });

  it('refuses a port in use, naming the port', async () => {
    const stage = await start();
    await expect(start({ port: stage.port })).rejects.toThrow(
      new CannotRunError(
        `port ${stage.port} is in use: stop what is listening there or pass --port <another>`,
      ),
    );
  });

  it('stops every environment and frees the port on stop()', async () => {
    const logDir = tempLogDir();
    logDirs.push(logDir);
    const stage = await startStage({ port: 0, bundleDir: FAULTS, env: {}, logDir, concurrency: 3 });
    const pids = await Promise.all(
      Array.from({ length: 3 }, () =>
        fetch(`${stage.url}/pets?fault=sleep&ms=300`).then(
          async (r) => ((await r.json()) as { pid: number }).pid,
        ),
      ),
    );
    expect(pids.every(isAlive)).toBe(true);
    await stage.stop();
    await expect(untilGone(pids)).resolves.toEqual([]);
    await expect(fetch(`${stage.url}/pets`)).rejects.toThrow();
  });
});

describe('npm run stage flags', () => {
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('starts DynamoDB, the seeded table and the stage, prints the URL and the logs, and stops on request', async () => {
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => {
      printed.push(line);
    });
    let status = 0;
    // Stands in for Ctrl-C: resolves once the printed URL has served the seed pets.
    const until = async () => {
      const stageLine = await waitUntil(
        () => printed.find((line) => line.startsWith('Stage:')),
        (line) => line !== undefined,
        { what: 'the Stage: line', timeoutMs: 60_000 },
      );
      const url = /Stage:\s+(\S+)/u.exec(stageLine ?? '')?.[1] ?? '';
      const response = await fetch(`${url}/pets`);
      status = response.status;
      expect(((await response.json()) as unknown[]).length).toBe(20);
    };
    try {
      const code = await runStage(['--port', '0', '--table', `pets-stage-cli-${process.pid}`], until);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(status).toBe(200);
    expect(printed.find((line) => line.startsWith('Stage:'))).toMatch(
      /^Stage:\s+http:\/\/127\.0\.0\.1:\d+\/default\b/u,
    );
    expect(printed.find((line) => line.startsWith('Logs:'))).toMatch(/log group \/aws\/lambda\/Pets/u);
  });

  it('exits 2 with a message naming the port when the port is in use', async () => {
    await expect(runStage(['--port', String(busyPort)])).rejects.toThrow(
      new CannotRunError(`port ${busyPort} is in use: stop what is listening there or pass --port <another>`),
    );
  });

  it.each([
    [['--bogus'], /--bogus|bogus/u],
    [['--port', 'eighty'], /--port/u],
    [['--concurrency', '0'], /--concurrency/u],
    [['--stage', 'no/slash'], /--stage/u],
  ])('rejects %j with a usage error naming the flag', async (argv, message) => {
    await expect(runStage(argv)).rejects.toThrow(UsageError);
    await expect(runStage(argv)).rejects.toThrow(message);
  });
});
