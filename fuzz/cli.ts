import {
  baseUrlFlag,
  type CommandSpec,
  type FlagSpec,
  intFlag,
  parseFlags,
  runIdFlag,
  UsageError,
} from '../common/cli';
import { newRunId } from '../common/paths';
import { withStep } from '../common/progress';
import { startLocalApi } from '../local/index';
import { type FuzzResult, fuzzLine, runFuzz } from './index';

const DEFAULT_FUZZ_SECONDS = 300;

const spec = {
  name: 'pets-harness fuzz',
  summary:
    'Fuzz the API with Schemathesis from contract/openapi.yaml: every check and phase (stateful included) within a ' +
    'time budget, against a stage (--base-url) or, by default, a local stage started for the run. JUnit, the ' +
    'Schemathesis report and a summary go to reports/<run-id>/; pets the fuzz created are deleted afterwards.',
  flags: {
    'base-url': {
      type: 'string',
      value: 'URL',
      help: 'a running stage, e.g. http://127.0.0.1:3000/default (default: start a local one)',
    },
    time: {
      type: 'string',
      value: 'SECONDS',
      help: `time budget for the whole fuzz, every phase (default ${DEFAULT_FUZZ_SECONDS})`,
    },
    'run-id': {
      type: 'string',
      value: 'ID',
      help: 'the run id sent as x-harness-run-id (default: a new one)',
    },
    seed: { type: 'string', value: 'N', help: 'Schemathesis seed, to replay a run' },
    'reports-dir': { type: 'string', value: 'DIR', help: 'where the reports go (default reports/<run-id>/)' },
  },
} satisfies CommandSpec<FlagSpec>;

function printResult(runId: string, result: FuzzResult): void {
  console.log(`fuzz run ${runId}: ${result.passed ? 'passed' : 'FAILED'} — ${fuzzLine(result)}`);
  console.log(
    `  Schemathesis ${result.schemathesisVersion}, seed ${result.seed}; phases: ${Object.entries(
      result.phases,
    )
      .map(([name, status]) => `${name} ${status}`)
      .join(', ')}`,
  );
  for (const failure of result.failures) {
    console.log(`  ✖ ${failure.code} ${failure.title} (${failure.count}): ${failure.operations.join(', ')}`);
  }
  for (const problem of result.cleanup.problems) console.log(`  ✖ cleanup: ${problem}`);
  for (const warning of result.warnings) console.log(`  ⚠ ${warning}`);
  for (const [name, path] of Object.entries(result.reports)) console.log(`  ${name}: ${path}`);
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(spec, argv);
  if (!flags) return 0;
  const baseUrl = baseUrlFlag('base-url', flags['base-url']);
  const maxTimeSeconds = intFlag('time', flags.time, DEFAULT_FUZZ_SECONDS, 1, 86_400);
  const runId = runIdFlag(flags['run-id'], newRunId);
  if (flags.seed !== undefined && !/^\d{1,40}$/u.test(flags.seed)) {
    throw new UsageError(`--seed must be a whole number, got '${flags.seed}'`);
  }
  const local = baseUrl
    ? undefined
    : await withStep('starting a local stage (DynamoDB, seed, bundle)', () =>
        startLocalApi({ port: 0, log: () => {} }),
      );
  try {
    const result = await runFuzz({
      baseUrl: baseUrl ?? (local?.url as string),
      runId,
      maxTimeSeconds,
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      ...(flags['reports-dir'] ? { reportsDir: flags['reports-dir'] } : {}),
    });
    printResult(runId, result);
    return result.passed ? 0 : 1;
  } finally {
    if (local) await withStep('stopping the local stage and DynamoDB', () => local.stop());
  }
}
