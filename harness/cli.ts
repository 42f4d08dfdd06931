import { planLine } from './step-docs';

/**
 * `pets-harness <command>`: the one CLI. Each command's module exports `main(argv)` resolving to
 * an exit code; modules load lazily so `--help` and small commands start fast.
 */
interface CommandModule {
  main: (argv: string[]) => Promise<number>;
}

interface Command {
  summary: string;
  load: () => Promise<CommandModule>;
}

/**
 * `require`, not `import()`: in this CommonJS package under `nodenext`, `import()` is a real ESM
 * import that wants file extensions (tsc rejects extensionless paths, jest cannot map `.js`).
 */
function lazy(load: () => CommandModule): () => Promise<CommandModule> {
  return () => Promise.resolve().then(load);
}

const COMMANDS: Record<string, Command> = {
  run: {
    summary: `run the whole harness (${planLine('local')} → report)`,
    load: lazy(() => require('./run-command')),
  },
  stage: {
    summary: 'start DynamoDB, seed, and serve the bundle on a local API Gateway stage',
    load: lazy(() => require('../local/stage/cli')),
  },
  seed: { summary: 'create and seed the pets table', load: lazy(() => require('../seed/cli')) },
  newman: {
    summary: 'run the Postman collection against a stage',
    load: lazy(() => require('../postman/cli')),
  },
  load: {
    summary: 'run the k6 load script against a stage',
    load: lazy(() => require('../load/runner/cli')),
  },
  'logs check': {
    summary: 'check the function logs of a run (local store or CloudWatch)',
    load: lazy(() => require('../logcheck/cli')),
  },
  fuzz: {
    summary: 'fuzz the API with Schemathesis from the contract (a local stage unless --base-url)',
    load: lazy(() => require('../fuzz/cli')),
  },
  tools: {
    summary: 'provision k6, DynamoDB Local, moto, Schemathesis and Chromium into the tool cache',
    load: lazy(() => require('../tools/cli')),
  },
};

export function commandsUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: pets-harness <command> [flags]   (pets-harness <command> --help for its flags)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
  ].join('\n');
}

export async function dispatch(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    console.log(commandsUsage());
    return first === undefined ? 2 : 0;
  }
  const twoWord = second !== undefined ? `${first} ${second}` : undefined;
  if (twoWord && COMMANDS[twoWord]) return (await COMMANDS[twoWord].load()).main(rest);
  const command = COMMANDS[first];
  if (!command) {
    const hint =
      first === 'logs'
        ? `'pets-harness logs' takes a subcommand: 'logs check'`
        : `unknown command '${first}'`;
    console.error(`pets-harness: ${hint}\n\n${commandsUsage()}`);
    return 2;
  }
  return (await command.load()).main(argv.slice(1));
}
