import { stackNames } from '../infra/names';

/**
 * The deployed-stage job, written once: what a team runs after merging, as
 * .github/workflows/deployed-stage.yml runs it against AWS, and as the rehearsal runs it against
 * moto. Each list is the flags after `npm run deploy --`, `npm start --` and `npm run destroy --`;
 * harness/workflows.test.ts holds the workflow to them.
 */
export interface DeployedStageCommands {
  deploy: string[];
  run: string[];
  destroy: string[];
}

/** The flags for one environment (`--env NAME`: PetsStack-NAME, pets-NAME, …), a throwaway stack. */
export function deployedStageCommands(env: string): DeployedStageCommands {
  return {
    deploy: ['--env', env, '--destroy-on-removal', '--yes'],
    run: ['--target', 'aws', '--stack-name', stackNames(env).stackName, '--seed'],
    destroy: ['--env', env],
  };
}

/** The environment the rehearsal deploys: `PetsStack-rehearsal` in moto. */
export const REHEARSAL_ENV = 'rehearsal';
