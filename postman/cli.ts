import {
  baseUrlFlag,
  type CommandSpec,
  choiceFlag,
  type FlagSpec,
  parseFlags,
  runIdFlag,
  UsageError,
} from '../common/cli';
import { newRunId } from '../common/paths';
import { runNewman } from './newman';

const spec = {
  name: 'pets-harness newman',
  summary:
    'Run the Postman collection (postman/pets.postman_collection.json) with newman against a stage; reports go to reports/<run-id>/.',
  flags: {
    'base-url': {
      type: 'string',
      value: 'URL',
      help: 'the stage URL, e.g. http://127.0.0.1:3000/default (required)',
    },
    'run-id': {
      type: 'string',
      value: 'ID',
      help: 'the run id sent as x-harness-run-id (default: a new one)',
    },
    env: {
      type: 'string',
      value: 'local|aws',
      help: 'which Postman environment to start from (default local)',
    },
    'reports-dir': { type: 'string', value: 'DIR', help: 'where the reports go (default reports/<run-id>/)' },
    quiet: { type: 'boolean', help: 'one progress line instead of the cli reporter' },
  },
} satisfies CommandSpec<FlagSpec>;

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(spec, argv);
  if (!flags) return 0;
  const baseUrl = baseUrlFlag('base-url', flags['base-url']);
  if (!baseUrl)
    throw new UsageError(`${spec.name}: --base-url is required (e.g. http://127.0.0.1:3000/default)`);
  const runId = runIdFlag(flags['run-id'], newRunId);
  const result = await runNewman({
    baseUrl,
    runId,
    env: choiceFlag('env', flags.env, ['local', 'aws'] as const, 'local'),
    ...(flags['reports-dir'] ? { reportsDir: flags['reports-dir'] } : {}),
    progressLine: flags.quiet ?? false,
  });
  console.log(
    `newman run ${runId}: ${result.passed ? 'passed' : 'FAILED'} — ${result.requestsSent} requests sent, ${result.requestsAtFunction} reached the function; assertions ${result.assertions.total - result.assertions.failed}/${result.assertions.total} passed`,
  );
  for (const failure of result.failures) {
    console.log(`  ✖ ${failure.folder} / ${failure.request} — ${failure.assertion}: ${failure.message}`);
  }
  for (const [name, path] of Object.entries(result.reports)) console.log(`  ${name}: ${path}`);
  return result.passed ? 0 : 1;
}
