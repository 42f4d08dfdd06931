import { type Finished, runHarness } from '../../harness/test/process';

/** `node bin/pets-harness.js logs check …` as a real process: its exit code and output. */
export function runLogCheckCli(args: string[]): Promise<Finished> {
  return runHarness(['logs', 'check', ...args]);
}
