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
 * A command: its line in `--help` and its module, loaded only when it runs. `require`, not
 * `import()`: in this CommonJS package under `nodenext`, `import()` is a real ESM import that wants
 * file extensions (tsc rejects extensionless paths, jest cannot map `.js`).
 */
function command(summary: string, load: () => CommandModule): Command {
  return { summary, load: () => Promise.resolve().then(load) };
}

const COMMANDS: Record<string, Command> = {
  run: command(`run the whole harness (${planLine('local')} → report)`, () => require('./run-command')),
  stage: command('start DynamoDB, seed, and serve the bundle on a local API Gateway stage', () =>
    require('../local/stage/cli'),
  ),
  seed: command('create and seed the pets table', () => require('../seed/cli')),
  newman: command('run the Postman collection against a stage', () => require('../postman/cli')),
  load: command('run the k6 load script against a stage', () => require('../load/runner/cli')),
  'logs check': command('check the function logs of a run (local store or CloudWatch)', () =>
    require('../logcheck/cli'),
  ),
  fuzz: command('fuzz the API with Schemathesis from the contract (a local stage unless --base-url)', () =>
    require('../fuzz/cli'),
  ),
  tools: command('provision k6, moto, Schemathesis, Chromium and the dynalite container image', () =>
    require('../tools/cli'),
  ),
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
