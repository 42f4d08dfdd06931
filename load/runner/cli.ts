import { type CommandSpec, choiceFlag, intFlag, parseFlags, UsageError } from '../../common/cli';
import { newRunId } from '../../common/paths';
import { LOAD_PROFILES, type LoadResult, MAX_RUNNERS, runLoad } from './index';

const flags = {
  'base-url': { type: 'string' },
  profile: { type: 'string' },
  'run-id': { type: 'string' },
  'reports-dir': { type: 'string' },
  env: { type: 'string', multiple: true },
  quiet: { type: 'boolean' },
  runners: { type: 'string' },
} as const;

const spec = {
  name: 'pets-harness load',
  summary:
    'Run the k6 load script (load/get-pets.ts) against a stage. Reports go to reports/<run-id>/; ' +
    "the exit code is k6's (0 passed, 99 thresholds crossed, …), explained in words.",
  flags,
  flagHelp: [
    '--base-url URL      the stage URL, e.g. http://127.0.0.1:3000/default (required)',
    `--profile NAME      ${LOAD_PROFILES.join(', ')} (default smoke)`,
    '--run-id ID         run id sent as x-harness-run-id (default: a new one)',
    '--reports-dir DIR   where the reports go (default reports/<run-id>)',
    '--env NAME=VALUE    a script setting such as P95_MS=300 or VUS=20 (repeatable; see docs/load.md)',
    "--quiet             show a progress line instead of k6's own output",
    `--runners N         split the profile into N execution segments, one k6 process each, started together;
                      every threshold is judged over all their samples (default 1, at most ${MAX_RUNNERS})`,
  ],
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

function parseBaseUrl(raw: string | undefined): string {
  if (raw === undefined)
    throw new UsageError('--base-url is required, e.g. --base-url http://127.0.0.1:3000/default');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--base-url must be an http(s) URL, got '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
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

export function formatResult(result: LoadResult): string {
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

export async function main(argv: string[]): Promise<number> {
  const parsed = parseFlags(spec, argv);
  if (!parsed) return 0;
  const baseUrl = parseBaseUrl(parsed['base-url']);
  const profile = choiceFlag('profile', parsed.profile, LOAD_PROFILES, 'smoke');
  const runId = parsed['run-id'] ?? newRunId();
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(runId)) {
    throw new UsageError(`--run-id may hold letters, digits, '.', '_' and '-' (at most 128), got '${runId}'`);
  }
  const result = await runLoad({
    baseUrl,
    profile,
    runId,
    reportsDir: parsed['reports-dir'],
    env: parseEnvPairs(parsed.env),
    quiet: parsed.quiet ?? false,
    runners: intFlag('runners', parsed.runners, 1, 1, MAX_RUNNERS),
  });
  console.log(`\n${formatResult(result)}`);
  return result.exitCode;
}
