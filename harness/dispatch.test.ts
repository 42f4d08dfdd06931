import { dispatch } from './cli';

/** The one CLI: every command of the table loads and answers --help; wrong commands exit 2. */
describe('pets-harness <command>', () => {
  let output: string[];
  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      output.push(args.join(' '));
    });
    jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      output.push(args.join(' '));
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    [['run'], 'pets-harness run'],
    [['stage'], 'stage'],
    [['seed'], 'seed'],
    [['newman'], 'newman'],
    [['load'], 'load'],
    [['logs', 'check'], 'logs check'],
    [['tools'], 'tools'],
  ])('loads %j and prints its help', async (command, name) => {
    const code = await dispatch([...command, '--help']);

    expect(code).toBe(0);
    expect(output.join('\n')).toMatch(new RegExp(`Usage: .*${name}`));
  });

  it.each([
    [[], /Usage: pets-harness <command>/],
    [['logs'], /'pets-harness logs' takes a subcommand: 'logs check'/],
    [['deploy-everything'], /unknown command 'deploy-everything'/],
  ])('exits 2 for %j with the list of commands', async (argv, message) => {
    const code = await dispatch(argv);

    expect(code).toBe(2);
    expect(output.join('\n')).toMatch(message);
    expect(output.join('\n')).toContain('logs check');
  });
});
