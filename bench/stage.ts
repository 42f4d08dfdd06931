/**
 * `npm run bench:stage`: what the local stage costs. GET /pets with wrk on loopback, through the
 * stage and through a bare `node:http` server that calls the same bundle in-process (the ceiling),
 * in one run: once with an in-memory pets function (the stage's own overhead) and once with the
 * real bundle on dynalite. Prints req/s, p50, p99 and the stage/ceiling ratio. A benchmark that
 * prints, not a test; bounded (warm-up + `--duration` seconds per server and case).
 *
 *   npm run bench:stage -- --duration 10 --connections 16
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { ensureBundle } from '../build';
import {
  CannotRunError,
  type CommandSpec,
  type FlagSpec,
  intFlag,
  parseFlags,
  UsageError,
} from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';
import { stopChild, trackChild } from '../common/processes';
import { functionSettings } from '../definitions/function';
import { LOCAL_AWS_ENV } from '../definitions/local-aws';
import { startDynamoDb } from '../local/dynamodb';
import { captureLines, openLogStream } from '../local/logs';
import { startStage } from '../local/stage';
import { buildProxyEvent, LOCAL_ACCOUNT_ID, LOCAL_API_ID, newTraceId } from '../local/stage/event';
import { gatewayError, mapProxyResult, withGatewayHeaders } from '../local/stage/response';
import { seedTable } from '../seed';

const spec = {
  name: 'npm run bench:stage --',
  summary: 'GET /pets through the local stage vs the same bundle in-process, with wrk.',
  flags: {
    duration: { type: 'string', value: 'S', help: 'seconds per server and case (default 10)' },
    connections: { type: 'string', value: 'N', help: 'wrk connections (default 16)' },
    only: { type: 'string', value: 'CASE', help: 'memory or dynalite (default both)' },
    concurrency: {
      type: 'string',
      value: 'N',
      help: "the stage's execution environments (default: the stage default)",
    },
    suspend: {
      type: 'string',
      value: 'on|off',
      help: 'SIGSTOP frozen environments (default on, as the stage runs)',
    },
    'suspend-after': {
      type: 'string',
      value: 'MS',
      help: 'idle time before an environment is stopped (default: the stage default, 50)',
    },
    iam: {
      type: 'string',
      value: 'on|off',
      help: 'the IAM gateway in front of DynamoDB (default on, as the stage runs)',
    },
  },
} satisfies CommandSpec<FlagSpec>;

const MEMORY_BUNDLE = join(PROJECT_ROOT, 'local', 'test-bundles', 'pets-memory');
const WARM_UP_SECONDS = 2;
/** wrk alternates between the ceiling and the stage in slices this long. */
const SLICE_SECONDS = 2;

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

// wrk's done() hook prints one JSON line with the figures (latencies in microseconds).
const WRK_REPORT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;

function wrkPath(): string {
  for (const candidate of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(candidate)) return candidate;
  throw new CannotRunError(
    'wrk is not installed: `sudo apt-get install wrk` (Debian/Ubuntu package) and run again',
  );
}

// Asynchronous on purpose: the stage under test runs in this very process and must keep serving.
async function runWrk(url: string, seconds: number, connections: number, script: string): Promise<Figures> {
  const threads = String(Math.min(2, availableParallelism(), connections));
  const { stdout: output } = await promisify(execFile)(
    wrkPath(),
    ['-t', threads, '-c', String(connections), '-d', `${seconds}s`, '-s', script, url],
    { encoding: 'utf8', timeout: (seconds + 30) * 1000 },
  );
  const line = output.split('\n').find((text) => text.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no figures:\n${output}`);
  const raw = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    errors: number;
    non2xx: number;
    p50: number;
    p99: number;
  };
  return {
    requestsPerSecond: raw.requests / (raw.durationUs / 1e6),
    p50Ms: raw.p50 / 1000,
    p99Ms: raw.p99 / 1000,
    errors: raw.errors,
    non2xx: raw.non2xx,
  };
}

// ── the ceiling: the same bundle called in-process by a bare node:http server ───────────────────

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

/** Child-process side of the ceiling (`--serve-ceiling <bundleDir> <logDir>`): reports its port by IPC. */
async function serveCeiling(bundleDir: string, logDir: string): Promise<void> {
  const settings = functionSettings();
  // The function's stdout goes to a log stream as in the stage, so both pay for logging alike.
  const stream = openLogStream(settings.logGroupName, 'ceiling', logDir);
  captureLines(process.stdout, stream);
  const { handler } = require(join(bundleDir, 'index.js')) as { handler: Handler };
  let port = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = (queryAt === -1 ? url : url.slice(0, queryAt)).replace(/^\/default/u, '') || '/';
      const requestId = crypto.randomUUID();
      const event = buildProxyEvent(
        {
          method: req.method ?? 'GET',
          path,
          query: queryAt === -1 ? '' : url.slice(queryAt + 1),
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
          sourceIp: '127.0.0.1',
          port,
          protocol: 'HTTP/1.1',
        },
        {
          stage: 'default',
          resource: '/pets',
          pathParameters: null,
          requestId,
          requestTimeEpoch: Date.now(),
          traceId: newTraceId(),
          apiId: LOCAL_API_ID,
          accountId: LOCAL_ACCOUNT_ID,
          resourceId: 'bench0',
        },
      );
      const context = {
        awsRequestId: crypto.randomUUID(),
        functionName: settings.functionName,
        getRemainingTimeInMillis: () => settings.timeoutSeconds * 1000,
      } as Context;
      const mapped = mapProxyResult(await handler(event, context).catch(() => undefined));
      const answer = withGatewayHeaders(mapped.ok ? mapped.answer : gatewayError('functionError'), {
        requestId,
        apigwId: 'ceiling0000000=',
      });
      res.writeHead(answer.statusCode, answer.headers);
      res.end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    port = (server.address() as AddressInfo).port;
    process.send?.({ port });
  });
}

/** Child-process side of the stage (`--serve-stage <bundleDir> <logDir>`), so dynalite (in the bench process) does not share its event loop. */
async function serveStage(bundleDir: string, logDir: string): Promise<void> {
  const env = JSON.parse(process.env.BENCH_FUNCTION_ENV ?? '{}') as Record<string, string>;
  // The template's table resolves to the bench's own, so the IAM gateway judges calls on it.
  const stage = await startStage({
    port: 0,
    bundleDir,
    env,
    tableName: env.TABLE_NAME,
    logDir,
    suspend: process.env.BENCH_SUSPEND !== 'off',
    ...(process.env.BENCH_SUSPEND_AFTER_MS
      ? { suspendAfterMs: Number(process.env.BENCH_SUSPEND_AFTER_MS) }
      : {}),
    enforceIam: process.env.BENCH_IAM !== 'off',
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
  });
  process.send?.({ port: stage.port });
  process.once('SIGTERM', () => {
    void stage.stop().then(() => process.exit(0));
  });
}

/** Starts one server (`ceiling` or `stage`) in its own process and gives its GET /pets URL. */
async function startServer(
  kind: 'ceiling' | 'stage',
  bundleDir: string,
  logDir: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = trackChild(
    fork(__filename, [`--serve-${kind}`, bundleDir, logDir], {
      execArgv: ['--import', 'tsx'],
      // The ceiling calls the function in its own process, so it gets the function's environment;
      // the stage passes it on to its environments.
      env:
        kind === 'ceiling'
          ? { ...process.env, ...env }
          : { ...process.env, BENCH_FUNCTION_ENV: JSON.stringify(env) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`the ${kind} server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/default/pets`, child };
}

// ── the cases ─────────────────────────────────────────────────────────────────────────────────────

interface CaseResult {
  name: string;
  ceiling: Figures;
  stage: Figures;
}

/** Figures of several wrk slices as one: requests over time, the median slice's latencies. */
function combine(slices: Figures[], seconds: number[]): Figures {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const requests = slices.reduce((sum, slice, i) => sum + slice.requestsPerSecond * (seconds[i] ?? 0), 0);
  return {
    requestsPerSecond: requests / seconds.reduce((sum, value) => sum + value, 0),
    p50Ms: median(slices.map((slice) => slice.p50Ms)),
    p99Ms: median(slices.map((slice) => slice.p99Ms)),
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    non2xx: slices.reduce((sum, slice) => sum + slice.non2xx, 0),
  };
}

/**
 * Both servers run side by side and wrk alternates between them in short slices, so that on a
 * shared machine the ceiling and the stage see the same load and the ratio compares like with like.
 */
async function runCase(
  name: string,
  bundleDir: string,
  env: Record<string, string>,
  options: { seconds: number; connections: number; script: string; workDir: string },
): Promise<CaseResult> {
  process.stderr.write(`▶ ${name}: ceiling and stage, alternating ${SLICE_SECONDS} s slices …\n`);
  const kinds = ['ceiling', 'stage'] as const;
  const servers = await Promise.all(
    kinds.map((kind) => startServer(kind, bundleDir, join(options.workDir, `${name}-${kind}-logs`), env)),
  );
  try {
    const slices: Record<(typeof kinds)[number], Figures[]> = { ceiling: [], stage: [] };
    const lengths: number[] = [];
    for (const server of servers)
      await runWrk(server.url, WARM_UP_SECONDS, options.connections, options.script);
    for (let done = 0, round = 0; done < options.seconds; round++) {
      const length = Math.min(SLICE_SECONDS, options.seconds - done);
      // Each round swaps who goes first, so neither always follows the other's load.
      for (const at of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const server = servers[at] as (typeof servers)[number];
        slices[kinds[at] as (typeof kinds)[number]].push(
          await runWrk(server.url, length, options.connections, options.script),
        );
      }
      lengths.push(length);
      done += length;
    }
    return { name, ceiling: combine(slices.ceiling, lengths), stage: combine(slices.stage, lengths) };
  } finally {
    await Promise.all(servers.map((server) => stopChild(server.child, 5000)));
  }
}

function printResults(results: CaseResult[], seconds: number, connections: number): void {
  const row = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(42) : cell.padStart(10))).join(' ');
  console.log(
    `\nGET /pets on loopback, wrk ${connections} connections, ${seconds} s per server in alternating ${SLICE_SECONDS} s slices (after ${WARM_UP_SECONDS} s warm-up each)\n`,
  );
  console.log(row(['case / server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'ratio']));
  for (const result of results) {
    for (const [server, figures] of [
      ['ceiling (in-process)', result.ceiling],
      ['stage', result.stage],
    ] as const) {
      const ratio =
        server === 'stage'
          ? `${((100 * result.stage.requestsPerSecond) / result.ceiling.requestsPerSecond).toFixed(1)}%`
          : '';
      console.log(
        row([
          `${result.name}: ${server}`,
          figures.requestsPerSecond.toFixed(0),
          figures.p50Ms.toFixed(2),
          figures.p99Ms.toFixed(2),
          String(figures.errors),
          String(figures.non2xx),
          ratio,
        ]),
      );
    }
  }
  console.log('\nratio = stage req/s ÷ ceiling req/s (target for the in-memory case: ≥ 35%, issue 15)');
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const seconds = intFlag('duration', parsed.duration, 10, 1, 120);
  const connections = intFlag('connections', parsed.connections, 16, 1, 1000);
  if (parsed.concurrency !== undefined)
    process.env.BENCH_CONCURRENCY = String(intFlag('concurrency', parsed.concurrency, 10, 1, 1000));
  if (parsed.suspend !== undefined && !['on', 'off'].includes(parsed.suspend))
    throw new UsageError(`--suspend: expected on or off, got '${parsed.suspend}'`);
  process.env.BENCH_SUSPEND = parsed.suspend ?? 'on';
  if (parsed['suspend-after'] !== undefined)
    process.env.BENCH_SUSPEND_AFTER_MS = String(
      intFlag('suspend-after', parsed['suspend-after'], 50, 0, 600_000),
    );
  if (parsed.iam !== undefined && !['on', 'off'].includes(parsed.iam))
    throw new UsageError(`--iam: expected on or off, got '${parsed.iam}'`);
  process.env.BENCH_IAM = parsed.iam ?? 'on';
  wrkPath();
  const workDir = mkdtempSync(join(tmpdir(), 'bench-stage-'));
  const script = join(workDir, 'report.lua');
  writeFileSync(script, WRK_REPORT);
  const options = { seconds, connections, script, workDir };
  const results: CaseResult[] = [];
  try {
    if (parsed.only !== 'dynalite') {
      results.push(
        await runCase(
          'in-memory function',
          MEMORY_BUNDLE,
          { ...LOCAL_AWS_ENV, TABLE_NAME: 'unused' },
          options,
        ),
      );
    }
    if (parsed.only !== 'memory') {
      process.env.PETS_DYNAMODB = 'dynalite';
      const dynamoDb = await startDynamoDb({ log: (line) => process.stderr.write(`  ${line}\n`) });
      try {
        const tableName = `pets-bench-stage-${process.pid}`;
        await seedTable({ endpoint: dynamoDb.endpoint, tableName, createTable: true, reset: true });
        const bundle = await ensureBundle();
        const env = {
          ...LOCAL_AWS_ENV,
          TABLE_NAME: tableName,
          DYNAMODB_ENDPOINT: dynamoDb.endpoint,
          POWERTOOLS_SERVICE_NAME: 'pets',
          LOG_LEVEL: 'INFO',
        };
        results.push(await runCase('real bundle on dynalite', bundle.dir, env, options));
      } finally {
        await dynamoDb.stop();
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  printResults(results, seconds, connections);
  return 0;
}

if (process.argv[2] === '--serve-ceiling') {
  void serveCeiling(process.argv[3] ?? MEMORY_BUNDLE, process.argv[4] ?? tmpdir());
} else if (process.argv[2] === '--serve-stage') {
  void serveStage(process.argv[3] ?? MEMORY_BUNDLE, process.argv[4] ?? tmpdir());
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = error instanceof CannotRunError || error instanceof UsageError ? 2 : 1;
    },
  );
}
