/**
 * `npm run bench:test`: how long `npm test` takes on this machine (issue 27's budget: 180 s on 2
 * cores, on a fresh clone). Runs `npm test` N times in a row and prints, per run, the wall time,
 * the CPU time of the whole process tree (Linux), the tests and suites jest counted, and at the end
 * the slowest test files of the last run. A benchmark that prints, not a timed test.
 *
 *   npm run bench:test -- --runs 3
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type CommandSpec, intFlag, parseFlags, runMain } from '../common/cli';
import { PROJECT_ROOT } from '../common/paths';

const spec = {
  name: 'npm run bench:test --',
  summary: 'Runs npm test N times; prints each wall time, CPU time and test count.',
  flags: {
    runs: { type: 'string', value: 'N', help: 'how many runs of npm test (default 3)' },
    slowest: { type: 'string', value: 'N', help: 'how many of the slowest test files to list (default 10)' },
  },
} satisfies CommandSpec<{
  runs: { type: 'string'; value: string; help: string };
  slowest: { type: 'string'; value: string; help: string };
}>;

const BUDGET_SECONDS = 180;

/** The part of jest's --json output read here. */
interface JestJson {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  testResults: { name: string; startTime: number; endTime: number }[];
}

interface Run {
  wallSeconds: number;
  cpuSeconds: number | undefined;
  exitCode: number;
  results: JestJson | undefined;
}

/**
 * CPU seconds used so far by this process's reaped descendants (cutime + cstime of
 * /proc/self/stat): npm, jest, its workers and the processes tests start, each waited for by its
 * parent. Undefined where there is no /proc.
 */
function childrenCpuSeconds(): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  const perSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return ticks / perSecond;
}

function runNpmTest(outputFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['test', '--', '--json', `--outputFile=${outputFile}`], {
      cwd: PROJECT_ROOT,
      // jest's progress goes to stderr as usual; its --json goes to the file, not the terminal.
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function measure(index: number, total: number, scratch: string): Promise<Run> {
  process.stderr.write(`\n[bench:test] run ${index} of ${total}: npm test\n`);
  const outputFile = join(scratch, `run-${index}.json`);
  const cpuBefore = childrenCpuSeconds();
  const startedAt = performance.now();
  const exitCode = await runNpmTest(outputFile);
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const results = existsSync(outputFile)
    ? (JSON.parse(readFileSync(outputFile, 'utf8')) as JestJson)
    : undefined;
  const cpuSeconds = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { wallSeconds, cpuSeconds, exitCode, results };
}

function printRuns(runs: Run[]): void {
  console.log(`\nnpm test on ${availableParallelism()} cores (budget ${BUDGET_SECONDS} s)`);
  console.log('run   wall (s)   cpu (s)   tests   passed   failed   suites   exit   within budget');
  runs.forEach((run, index) => {
    const r = run.results;
    console.log(
      [
        String(index + 1).padEnd(3),
        run.wallSeconds.toFixed(1).padStart(9),
        (run.cpuSeconds?.toFixed(1) ?? 'n/a').padStart(8),
        String(r?.numTotalTests ?? '?').padStart(6),
        String(r?.numPassedTests ?? '?').padStart(7),
        String(r?.numFailedTests ?? '?').padStart(7),
        String(r?.numTotalTestSuites ?? '?').padStart(7),
        String(run.exitCode).padStart(5),
        run.wallSeconds <= BUDGET_SECONDS ? '  yes' : '  NO',
      ].join('  '),
    );
  });
}

function printSlowest(results: JestJson, count: number): void {
  const files = results.testResults
    .map((file) => ({
      file: relative(PROJECT_ROOT, file.name),
      seconds: (file.endTime - file.startTime) / 1000,
    }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, count);
  console.log(`\nslowest test files of the last run (wall time in its worker)`);
  for (const { file, seconds } of files) console.log(`${seconds.toFixed(1).padStart(7)} s  ${file}`);
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(spec, argv);
  if (!flags) return 0;
  const total = intFlag('runs', flags.runs, 3, 1, 100);
  const slowest = intFlag('slowest', flags.slowest, 10, 0, 1000);
  const scratch = mkdtempSync(join(tmpdir(), 'pets-harness-bench-test-'));
  try {
    const runs: Run[] = [];
    for (let index = 1; index <= total; index += 1) runs.push(await measure(index, total, scratch));
    printRuns(runs);
    const last = runs.at(-1)?.results;
    if (last && slowest > 0) printSlowest(last, slowest);
    return runs.every((run) => run.exitCode === 0) ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runMain(main);
