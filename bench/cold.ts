/**
 * `npm run bench:cold` — prints figures, not a test.
 *
 * What it measures: the bundle's size, and how long a fresh Node process takes to load the
 * function and answer one `GET /pets/1`, median over 20 processes, for
 *   - the bundle (dist/handler/index.js, built now by handler/build.ts), and
 *   - the unbundled `tsc` output of handler/ (compiled now into a temp dir), which loads the AWS SDK
 *     and Powertools from node_modules file by file, as an unbundled deployment would.
 * Targets (issue 2): bundle ≤ 400 KB, bundle ≥ 3× faster to load and answer.
 *
 * How DynamoDB is mocked in memory without a test seam in the handler: each child process first
 * starts a tiny DynamoDB stand-in on 127.0.0.1 inside the same process (an http server answering
 * GetItem from a constant item), sets DYNAMODB_ENDPOINT to it — an ordinary setting of the function —
 * and only then starts the clock and `require`s the handler. The SDK's real serializer, signer and
 * HTTP handler run exactly as in Lambda; only the far end of the socket is fake, identical for both
 * variants. The child reports load time (require) and answer time (one invocation); the parent also
 * times the whole process from spawn to answer. The fake's own share is negligible: the same figures
 * came out with the fake in a separate, warm process. Its cold HTTP round trip is not: a fresh Node
 * process that only requires http/https/crypto and makes that one request to the fake takes about
 * 20 ms (first use of Node's HTTP client, sockets, streams), which both variants pay and no bundling
 * can remove — the floor under "load+answer".
 * Both variants get the same environment, the same fake and the same event, run alternately, and
 * must answer 200 with the fake's pet; the figures are medians over the runs.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual, promisify } from 'node:util';
import { PROJECT_ROOT } from '../common/paths';
import { collectOutput } from '../common/processes';
import { withStep } from '../common/progress';
import { buildBundle } from '../handler/build';

const RUNS = 20;
const TARGET_BYTES = 400 * 1024;
const TARGET_SPEEDUP = 3;

// The child: fake DynamoDB in-process, then load the handler and answer one GET.
const CHILD_SCRIPT = `
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const item = { id: { N: '1' }, type: { S: 'dog' }, breed: { S: 'labrador' }, price: { N: '250' } };
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const target = String(request.headers['x-amz-target'] || '');
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(target.endsWith('.GetItem') ? { Item: item } : {}));
  });
});
server.listen(0, '127.0.0.1', async () => {
  process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:' + server.address().port;
  const started = performance.now();
  const { handler } = require(process.argv[2]);
  const loaded = performance.now();
  const event = {
    httpMethod: 'GET', path: '/pets/1', resource: '/pets/{id}', pathParameters: { id: '1' },
    headers: { Host: '127.0.0.1:3000' }, multiValueHeaders: {}, queryStringParameters: null,
    multiValueQueryStringParameters: null, body: null, isBase64Encoded: false, stageVariables: null,
    requestContext: { stage: 'default', requestId: 'bench' },
  };
  const context = { awsRequestId: 'bench', functionName: 'Pets', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Pets', memoryLimitInMB: '256',
    getRemainingTimeInMillis: () => 10000 };
  const result = await handler(event, context);
  const answered = performance.now();
  process.stdout.write('\\nBENCH ' + JSON.stringify({ status: result.statusCode, body: result.body, loadMs: loaded - started, answerMs: answered - loaded }) + '\\n');
  server.close();
});
`;

interface Sample {
  processMs: number;
  loadMs: number;
  answerMs: number;
}

/** Medians of one variant; `loadAndAnswerMs` is the median of each process's load + answer. */
interface Figures extends Sample {
  loadAndAnswerMs: number;
}

// What both variants must answer: the fake's item as the API's Pet. A variant that answers
// something else (or fails fast) is not faster, it is broken.
const EXPECTED_PET = { id: 1, type: 'dog', breed: 'labrador', price: 250 };

function answersExpectedPet(body: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(body), EXPECTED_PET);
  } catch {
    return false;
  }
}

function runChild(childScript: string, entry: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--no-warnings', childScript, entry], {
      env: {
        PATH: process.env.PATH ?? '',
        // Lets the unbundled output find the SDK in the project's node_modules.
        NODE_PATH: join(PROJECT_ROOT, 'node_modules'),
        TABLE_NAME: 'pets',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        POWERTOOLS_SERVICE_NAME: 'pets',
        LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collectOutput(child);
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      const line = output.stdout.split('\n').find((candidate) => candidate.startsWith('BENCH '));
      if (code !== 0 || !line) {
        reject(new Error(`child for ${entry} exited ${code}: ${output.stderr || output.stdout}`));
        return;
      }
      const result = JSON.parse(line.slice('BENCH '.length)) as {
        status: number;
        body: string;
        loadMs: number;
        answerMs: number;
      };
      if (result.status !== 200 || !answersExpectedPet(result.body)) {
        reject(new Error(`child for ${entry} answered ${result.status} ${result.body}: ${output.stdout}`));
        return;
      }
      resolve({ processMs, loadMs: result.loadMs, answerMs: result.answerMs });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function compileUnbundled(outDir: string): Promise<string> {
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    join(PROJECT_ROOT, 'handler', 'index.ts'),
    '--outDir',
    outDir,
    '--rootDir',
    PROJECT_ROOT,
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--target',
    'es2022',
    '--esModuleInterop',
    '--skipLibCheck',
    '--types',
    'node',
  ];
  await promisify(execFile)(process.execPath, [tsc, ...args], { cwd: PROJECT_ROOT });
  return join(outDir, 'handler', 'index.js');
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pets-cold-'));
  try {
    const { dir, bytes } = await withStep('building the bundle', () => buildBundle());
    const unbundled = await withStep('compiling the unbundled baseline with tsc', () =>
      compileUnbundled(join(work, 'tsc')),
    );
    const childScript = join(work, 'child.js');
    await writeFile(childScript, CHILD_SCRIPT);
    const variants = { bundle: join(dir, 'index.js'), unbundled };
    const samples: Record<keyof typeof variants, Sample[]> = { bundle: [], unbundled: [] };
    await withStep(`${RUNS} fresh processes per variant`, async (step) => {
      // Alternate the variants so background load on the machine hits both alike.
      for (let run = 1; run <= RUNS; run++) {
        for (const name of ['bundle', 'unbundled'] as const) {
          samples[name].push(await runChild(childScript, variants[name]));
        }
        step.update(`${run} / ${RUNS}`);
      }
    });

    const figures = Object.fromEntries(
      (Object.keys(samples) as (keyof typeof samples)[]).map((name) => [
        name,
        {
          processMs: median(samples[name].map((sample) => sample.processMs)),
          loadMs: median(samples[name].map((sample) => sample.loadMs)),
          answerMs: median(samples[name].map((sample) => sample.answerMs)),
          // The figure: the median time for one fresh process to load and answer (the
          // median of the sums, not the sum of the two medians, which may come from different runs).
          loadAndAnswerMs: median(samples[name].map((sample) => sample.loadMs + sample.answerMs)),
        },
      ]),
    ) as Record<keyof typeof samples, Figures>;
    const speedup = figures.unbundled.loadAndAnswerMs / figures.bundle.loadAndAnswerMs;
    const processSpeedup = figures.unbundled.processMs / figures.bundle.processMs;
    const row = (name: string, f: Figures) =>
      `${name.padEnd(10)} ${f.loadMs.toFixed(1).padStart(9)} ${f.answerMs.toFixed(1).padStart(10)} ${f.loadAndAnswerMs
        .toFixed(1)
        .padStart(13)} ${f.processMs.toFixed(1).padStart(14)}`;
    console.log(
      `bundle size: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB); target ≤ ${TARGET_BYTES / 1024} KiB: ${bytes <= TARGET_BYTES ? 'met' : 'NOT met'}`,
    );
    console.log(
      `medians over ${RUNS} fresh Node ${process.version} processes, one GET /pets/{id} each (ms):`,
    );
    console.log(
      `${'variant'.padEnd(10)} ${'load'.padStart(9)} ${'answer'.padStart(10)} ${'load+answer'.padStart(13)} ${'spawn→exit'.padStart(14)}`,
    );
    console.log(row('bundle', figures.bundle));
    console.log(row('unbundled', figures.unbundled));
    console.log(
      `bundle is ${speedup.toFixed(1)}× faster to load and answer (target ≥ ${TARGET_SPEEDUP}×: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}); ${processSpeedup.toFixed(1)}× over the whole process including Node's own start`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
