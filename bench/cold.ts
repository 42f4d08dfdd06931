/**
 * `npm run bench:cold [-- --runs 20 --node PATH]` — prints figures, not a test.
 *
 * What it measures: the bundle's size, and how long a fresh Node process takes to load the
 * function and answer one in-memory-mocked `GET /pets/1`, median over 20 processes, for
 *   - the bundle (dist/handler/index.js, built now by build/bundle.ts), and
 *   - the unbundled `tsc` output of handler/ (compiled now into a temp dir laid out as an unbundled
 *     deployment is: the compiled files beside a `node_modules`, here a link to the project's), which
 *     loads the AWS SDK and Powertools from node_modules file by file.
 * Targets (issue 2): bundle ≤ 400 KB, bundle ≥ 3× faster to load and answer.
 *
 * How DynamoDB is mocked in memory without a test seam in the handler: the child replaces
 * `https.request` with an in-memory DynamoDB (answering GetItem with a constant item) the moment the
 * function first requires `node:https`. Nothing else is set, so the function takes its Lambda path:
 * the SDK's endpoint rules resolve the regional https endpoint, and its serializer, signer and HTTP
 * handler run as in Lambda; only the socket is replaced, identically for both variants. The child
 * reports load time (require) and answer time (one invocation); the parent also times the whole
 * process from spawn to exit. Both variants run in the deployed function's environment, including
 * NODE_OPTIONS=--enable-source-maps; the bundle also runs without it, to show what source maps cost.
 * A last process type, "built-ins only", requires just the Node built-ins the bundle required while
 * loading: what no bundling can take off the load.
 * Both variants get the same environment, the same mock and the same event, run alternately, and
 * must answer 200 with the mock's pet; the figures are medians over the runs.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual, promisify } from 'node:util';
import { build } from 'esbuild';
import { buildBundle } from '../build';
import { type CommandSpec, type FlagSpec, intFlag, parseFlags, runMain } from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';
import { collectOutput } from '../common/processes';
import { withStep } from '../common/progress';
import { functionSettings, lambdaRuntimeVariables } from '../definitions/function';
import type { ChildResult } from './cold-child';

const spec = {
  name: 'npm run bench:cold --',
  summary:
    'Bundle size, and the time for a fresh Node process to load the function and answer one in-memory-mocked GET: bundle vs unbundled tsc output.',
  flags: {
    runs: { type: 'string', value: 'N', help: 'fresh processes per variant (default 20)' },
    node: {
      type: 'string',
      value: 'PATH',
      help: 'the Node binary the processes run on (default: this one), e.g. a Node 22 like Lambda’s',
    },
  },
} satisfies CommandSpec<FlagSpec>;

const TARGET_BYTES = 400 * 1024;
const TARGET_SPEEDUP = 3;

interface Sample {
  processMs: number;
  loadMs: number;
  answerMs: number;
  builtins: string[];
}

/** Medians of one variant; `loadAndAnswerMs` is the median of each process's load + answer. */
interface Figures {
  processMs: number;
  loadMs: number;
  answerMs: number;
  loadAndAnswerMs: number;
}

// What both variants must answer: the mock's item as the API's Pet, after exactly one GetItem sent
// to the regional endpoint. A variant that answers something else (or fails fast) is not faster, it
// is broken.
const EXPECTED_PET = { id: 1, type: 'dog', breed: 'labrador', price: 250 };
const EXPECTED_CALLS = ['dynamodb.us-east-1.amazonaws.com GetItem'];

function answersExpectedPet(body: string | undefined): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(body ?? ''), EXPECTED_PET);
  } catch {
    return false;
  }
}

/**
 * The environment Lambda gives the function: the deployed settings (definitions/function.ts, with
 * NODE_OPTIONS=--enable-source-maps) plus the runtime's own variables. No DYNAMODB_ENDPOINT, so the
 * SDK resolves the regional endpoint exactly as in Lambda.
 */
function lambdaVariables(taskRoot: string, sourceMaps: boolean): NodeJS.ProcessEnv {
  const settings = functionSettings();
  const env: NodeJS.ProcessEnv = {
    ...settings.variables,
    PATH: process.env.PATH ?? '',
    TABLE_NAME: 'pets',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    ...lambdaRuntimeVariables(settings, taskRoot),
  };
  if (!sourceMaps) {
    env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim();
    if (!env.NODE_OPTIONS) delete env.NODE_OPTIONS;
  }
  return env;
}

function runChild(
  node: string,
  childScript: string,
  target: string,
  env: NodeJS.ProcessEnv,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, ['--no-warnings', childScript, target], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collectOutput(child);
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      const line = output.stdout.split('\n').find((candidate) => candidate.startsWith('BENCH '));
      if (code !== 0 || !line) {
        reject(new Error(`child for ${target} exited ${code}: ${output.stderr || output.stdout}`));
        return;
      }
      const result = JSON.parse(line.slice('BENCH '.length)) as ChildResult;
      const builtinsOnly = target.startsWith('builtins:');
      if (
        !builtinsOnly &&
        (result.status !== 200 ||
          !answersExpectedPet(result.body) ||
          !isDeepStrictEqual(result.calls, EXPECTED_CALLS))
      ) {
        reject(
          new Error(
            `child for ${target} answered ${result.status} ${result.body} after DynamoDB calls ${JSON.stringify(result.calls)}: ${output.stdout}`,
          ),
        );
        return;
      }
      resolve({ processMs, loadMs: result.loadMs, answerMs: result.answerMs, builtins: result.builtins });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function figuresOf(samples: Sample[]): Figures {
  return {
    processMs: median(samples.map((sample) => sample.processMs)),
    loadMs: median(samples.map((sample) => sample.loadMs)),
    answerMs: median(samples.map((sample) => sample.answerMs)),
    // The figure: the median time for one fresh process to load and answer (the median of
    // the sums, not the sum of the two medians, which may come from different runs).
    loadAndAnswerMs: median(samples.map((sample) => sample.loadMs + sample.answerMs)),
  };
}

/** The child (bench/cold-child.ts) as one CommonJS file for the Node under test; it requires only built-ins. */
async function compileChild(work: string): Promise<string> {
  const outfile = join(work, 'child.js');
  await build({
    entryPoints: [join(PROJECT_ROOT, 'bench', 'cold-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'error',
  });
  return outfile;
}

/** tsc's output of handler/ in `deployDir`, beside a `node_modules` as an unbundled zip has it. */
async function compileUnbundled(deployDir: string): Promise<string> {
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [
    join(PROJECT_ROOT, 'handler', 'index.ts'),
    '--outDir',
    deployDir,
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
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(deployDir, 'node_modules'), 'dir');
  return join(deployDir, 'handler', 'index.js');
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const runs = intFlag('runs', parsed.runs, 20, 1, 500);
  const node = parsed.node ?? process.execPath;
  const nodeVersion = (await promisify(execFile)(node, ['--version'])).stdout.trim();
  const work = await mkdtemp(join(tmpdir(), 'pets-cold-'));
  try {
    const { dir, bytes } = await withStep('building the bundle', () => buildBundle());
    const unbundledDir = join(work, 'unbundled');
    const unbundled = await withStep('compiling the unbundled baseline with tsc', () =>
      compileUnbundled(unbundledDir),
    );
    const childScript = await compileChild(work);
    const bundle = join(dir, 'index.js');
    const bundleEnv = lambdaVariables(dir, true);
    const bundleNoMapsEnv = lambdaVariables(dir, false);
    const unbundledEnv = lambdaVariables(unbundledDir, true);
    const samples: Record<'bundle' | 'bundleNoMaps' | 'unbundled' | 'builtins', Sample[]> = {
      bundle: [],
      bundleNoMaps: [],
      unbundled: [],
      builtins: [],
    };
    await withStep(`${runs} fresh processes per variant on Node ${nodeVersion}`, async (step) => {
      // Alternate the variants so background load on the machine hits both alike.
      for (let run = 1; run <= runs; run++) {
        samples.bundle.push(await runChild(node, childScript, bundle, bundleEnv));
        samples.unbundled.push(await runChild(node, childScript, unbundled, unbundledEnv));
        samples.bundleNoMaps.push(await runChild(node, childScript, bundle, bundleNoMapsEnv));
        const builtins = samples.bundle.at(-1)?.builtins ?? [];
        samples.builtins.push(
          await runChild(node, childScript, `builtins:${builtins.join(',')}`, bundleNoMapsEnv),
        );
        step.update(`${run} / ${runs}`);
      }
    });

    const figures = {
      bundle: figuresOf(samples.bundle),
      bundleNoMaps: figuresOf(samples.bundleNoMaps),
      unbundled: figuresOf(samples.unbundled),
      builtins: figuresOf(samples.builtins),
    };
    const speedup = figures.unbundled.loadAndAnswerMs / figures.bundle.loadAndAnswerMs;
    const loadSpeedup = figures.unbundled.loadMs / figures.bundle.loadMs;
    const processSpeedup = figures.unbundled.processMs / figures.bundle.processMs;
    const ms = (value: number, width: number) => value.toFixed(1).padStart(width);
    const row = (name: string, f: Figures, loadOnly = false) =>
      `${name.padEnd(24)} ${ms(f.loadMs, 7)} ${loadOnly ? '—'.padStart(8) : ms(f.answerMs, 8)} ${
        loadOnly ? '—'.padStart(13) : ms(f.loadAndAnswerMs, 13)
      } ${ms(f.processMs, 12)}`;
    console.log(
      `bundle size: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB); target ≤ ${TARGET_BYTES / 1024} KiB: ${bytes <= TARGET_BYTES ? 'met' : 'NOT met'}`,
    );
    console.log(
      `medians over ${runs} fresh Node ${nodeVersion} processes each, in the deployed function's environment; one GET /pets/{id}, DynamoDB mocked in memory (ms):`,
    );
    console.log(
      `${'variant'.padEnd(24)} ${'load'.padStart(7)} ${'answer'.padStart(8)} ${'load+answer'.padStart(13)} ${'spawn→exit'.padStart(12)}`,
    );
    console.log(row('bundle', figures.bundle));
    console.log(row('unbundled', figures.unbundled));
    console.log(row('bundle, no source maps', figures.bundleNoMaps));
    console.log(row('built-ins only', figures.builtins, true));
    console.log(
      `  (bundle and unbundled run with the deployed NODE_OPTIONS=${functionSettings().variables.NODE_OPTIONS}; "no source maps" is the bundle without it)`,
    );
    console.log(
      `  (built-ins only: a process requiring just the ${samples.bundle[0]?.builtins.length ?? 0} Node built-ins the bundle required while loading — ${samples.bundle[0]?.builtins.join(', ')})`,
    );
    console.log(
      `bundle is ${speedup.toFixed(1)}× faster to load and answer (target ≥ ${TARGET_SPEEDUP}×: ${speedup >= TARGET_SPEEDUP ? 'met' : 'NOT met'}); ${loadSpeedup.toFixed(1)}× to load alone; ${processSpeedup.toFixed(1)}× over the whole process including Node's own start`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

runMain(main);
