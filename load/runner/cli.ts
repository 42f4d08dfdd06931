import { relative } from 'node:path';
import {
  baseUrlFlag,
  type CommandSpec,
  choiceFlag,
  intFlag,
  parseFlags,
  runIdFlag,
  UsageError,
} from '../../common/cli';
import { reportsDir as defaultReportsDir, newRunId } from '../../common/paths';
import { collectRun } from './collect';
import { LOAD_PROFILES, type LoadProfile, type LoadResult, MAX_RUNNERS, runLoad } from './index';
import { emitK6Operator, RESULTS_READER, testRunName } from './k6-operator';

const flags = {
  'base-url': {
    type: 'string',
    value: 'URL',
    help: 'the stage URL, e.g. http://127.0.0.1:3000/default (required)',
  },
  profile: { type: 'string', value: 'NAME', help: `${LOAD_PROFILES.join(', ')} (default smoke)` },
  'run-id': { type: 'string', value: 'ID', help: 'run id sent as x-harness-run-id (default: a new one)' },
  'reports-dir': { type: 'string', value: 'DIR', help: 'where the reports go (default reports/<run-id>)' },
  env: {
    type: 'string',
    multiple: true,
    value: 'NAME=VALUE',
    help: 'a script setting such as P95_MS=300 or VUS=20 (repeatable; see docs/load.md)',
  },
  quiet: { type: 'boolean', help: "show a progress line instead of k6's own output" },
  runners: {
    type: 'string',
    value: 'N',
    help: `split the profile into N execution segments, one k6 process each, started together;\nevery threshold is judged over all their samples (default 1, at most ${MAX_RUNNERS})`,
  },
  emit: {
    type: 'string',
    value: 'k6-operator DIR',
    help: `write Kubernetes manifests for grafana/k6-operator into DIR instead of running\n(a TestRun of parallelism --runners, the bundled script, a results volume); see docs/load.md`,
  },
  collect: {
    type: 'string',
    value: 'DIR|URL',
    help: `judge the outputs k6-operator's runners wrote (a folder, or a URL listing them)\nover all runners; --runners N says how many there must be`,
  },
} as const;

const EMIT_KINDS = ['k6-operator'] as const;

const spec = {
  name: 'pets-harness load',
  summary:
    'Run the k6 load script (load/get-pets.ts) against a stage. Reports go to reports/<run-id>/; ' +
    "the exit code is k6's (0 passed, 99 thresholds crossed, …), explained in words.",
  flags,
} satisfies CommandSpec<typeof flags>;

function parseEnvPairs(pairs: string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new UsageError(`--env must look like NAME=VALUE, got '${pair}'`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** `--emit k6-operator DIR` takes two values; parseArgs knows one, so DIR is lifted out first. */
export function splitEmit(argv: string[]): { argv: string[]; emitDir?: string } {
  const at = argv.findIndex((arg) => arg === '--emit' || arg.startsWith('--emit='));
  if (at === -1) return { argv };
  const dirAt = argv[at]?.includes('=') ? at + 1 : at + 2;
  const dir = argv[dirAt];
  if (dir === undefined || dir.startsWith('-')) {
    throw new UsageError('--emit needs a kind and a folder: --emit k6-operator DIR');
  }
  return { argv: [...argv.slice(0, dirAt), ...argv.slice(dirAt + 1)], emitDir: dir };
}

function requiredBaseUrl(raw: string | undefined): string {
  const baseUrl = baseUrlFlag('base-url', raw);
  if (baseUrl === undefined) {
    throw new UsageError('--base-url is required, e.g. --base-url http://127.0.0.1:3000/default');
  }
  return baseUrl;
}

function ms(value: number): string {
  return `${value.toFixed(1)}ms`.padStart(10);
}

function runnerLines(result: LoadResult): string[] {
  if (!result.runners?.length) return [];
  return [
    '',
    `  ${'runner'.padEnd(12)}${'segment'.padEnd(10)}${'requests'.padStart(10)}${'share'.padStart(8)}${'p95'.padStart(10)}  note`,
    ...result.runners.map(
      (runner) =>
        `  ${runner.name.padEnd(12)}${(runner.segment ?? '').padEnd(10)}${String(runner.requests).padStart(10)}` +
        `${`${(runner.share * 100).toFixed(1)}%`.padStart(8)}${ms(runner.p95)}  ` +
        (runner.problem ??
          runner.note ??
          (runner.crossedAlone.length ? `alone: ${runner.crossedAlone.join(', ')}` : '')),
    ),
  ];
}

function formatResult(result: LoadResult): string {
  const lines = [
    result.explanation,
    '',
    `  ${'route'.padEnd(14)}${'requests'.padStart(10)}${'req/s'.padStart(9)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'p99'.padStart(10)}${'failed'.padStart(9)}`,
    ...result.routes.map(
      (route) =>
        `  ${route.route.padEnd(14)}${String(route.count).padStart(10)}${route.rps.toFixed(1).padStart(9)}` +
        `${ms(route.p50)}${ms(route.p95)}${ms(route.p99)}${`${(route.failedRate * 100).toFixed(2)}%`.padStart(9)}`,
    ),
    ...runnerLines(result),
    '',
    `requests sent: ${result.requests}`,
    ...Object.entries(result.reports).map(([kind, file]) => `${kind.padEnd(10)} ${file}`),
  ];
  return lines.join('\n');
}

type Parsed = NonNullable<ReturnType<typeof parseFlags<typeof flags>>>;

async function emit(parsed: Parsed, emitDir: string, profile: LoadProfile, runId: string): Promise<number> {
  choiceFlag('emit', parsed.emit, EMIT_KINDS, 'k6-operator');
  const runners = intFlag('runners', parsed.runners, 1, 1, MAX_RUNNERS);
  const files = await emitK6Operator({
    baseUrl: requiredBaseUrl(parsed['base-url']),
    runId,
    profile,
    env: parseEnvPairs(parsed.env),
    runners,
    dir: emitDir,
  });
  const name = testRunName(runId);
  console.log(
    [
      `Wrote ${files.map((file) => (relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file))).join(', ')}`,
      '',
      `  kubectl apply -f ${emitDir}                      # TestRun ${name}, ${runners} runner(s)`,
      `  kubectl get testrun ${name} -w                    # until its stage is 'finished'`,
      `  kubectl port-forward pod/${RESULTS_READER} 8080:8080`,
      `  npm run load -- --collect http://127.0.0.1:8080/${name}/ --runners ${runners} --run-id ${runId}`,
      '',
      `or copy the outputs: kubectl cp ${RESULTS_READER}:/results/${name} ./${name} && npm run load -- --collect ./${name} --runners ${runners}`,
    ].join('\n'),
  );
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const { argv: rest, emitDir } = splitEmit(argv);
  const parsed = parseFlags(spec, rest);
  if (!parsed) return 0;
  const profile = choiceFlag('profile', parsed.profile, LOAD_PROFILES, 'smoke');
  const runId = runIdFlag(parsed['run-id'], newRunId);
  if (parsed.emit !== undefined || emitDir !== undefined) {
    if (parsed.collect) throw new UsageError('--emit and --collect are two steps: emit, apply, then collect');
    return emit(parsed, emitDir ?? '', profile, runId);
  }
  let result: LoadResult;
  if (parsed.collect !== undefined) {
    if (parsed['base-url'])
      throw new UsageError('--collect judges outputs already written; --base-url does not apply');
    result = await collectRun({
      source: parsed.collect,
      reportsDir: parsed['reports-dir'] ?? defaultReportsDir(runId),
      runId,
      ...(parsed.runners ? { runners: intFlag('runners', parsed.runners, 1, 1, MAX_RUNNERS) } : {}),
      ...(parsed.profile ? { profile } : {}),
    });
  } else {
    result = await runLoad({
      baseUrl: requiredBaseUrl(parsed['base-url']),
      profile,
      runId,
      reportsDir: parsed['reports-dir'],
      env: parseEnvPairs(parsed.env),
      progressLine: parsed.quiet ?? false,
      runners: intFlag('runners', parsed.runners, 1, 1, MAX_RUNNERS),
    });
  }
  console.log(`\n${formatResult(result)}`);
  return result.exitCode;
}
