import type { Config } from 'jest';
import repositoryConfig from '../jest.config.ts';

/**
 * The jest config Stryker runs against each mutant (stryker.config.mjs `jest.configFile`): the
 * `handler`, `seed` and `contract` projects (the folders whose tests import handler/) flattened
 * into one config. `npx jest -c mutation/jest.config.ts` runs the same suite without mutants.
 *
 * A file of its own rather than Stryker's inline `jest.config` over jest.config.ts: Stryker passes
 * its options to the test runner process as JSON, so an override to `undefined` (no `projects`, no
 * `globalSetup`) is lost on the way and every mutant ran all ten projects, with tool provisioning
 * first. Flattened because Stryker's jest runner swaps in its own test environment at the top level
 * to learn which test covers which mutant (perTest) and to stop a mutant that loops forever (hit
 * limit); a project's own `testEnvironment` would override it.
 */

/** The folders whose tests import handler/ (build/, common/, tools/ never do). */
const ROOTS_THAT_TEST_THE_HANDLER = ['<rootDir>/handler', '<rootDir>/seed', '<rootDir>/contract'];

// Every folder's project shares its settings but roots (jest.config.ts `folderProject()`), slow
// tests left out: take them from the handler's.
const handlerProject = repositoryConfig.projects?.find(
  (project): project is Config => typeof project === 'object' && project.displayName === 'handler',
);
if (handlerProject === undefined) throw new Error('jest.config.ts no longer has a handler project');
const { displayName: _displayName, roots: _roots, ...sharedSettings } = handlerProject;

/**
 * Left out on purpose: the global setup (tool provisioning: these tests need no k6, browser, moto
 * or Schemathesis, and write nothing under reports/) and the coverage threshold (Stryker measures).
 */
const config: Config = {
  ...sharedSettings,
  rootDir: '..',
  roots: ROOTS_THAT_TEST_THE_HANDLER,
  testTimeout: repositoryConfig.testTimeout,
  // A failing property stops at its first counterexample, and each property has a time budget.
  setupFiles: ['<rootDir>/mutation/jest-setup.ts'],
  // Jest's own node environment, by name: Stryker wraps it in its own (per-test coverage, the hit
  // limit) and loads it with a plain require, which the project's TypeScript environment
  // (tools/jest-environment.ts) would not survive.
  testEnvironment: 'node',
};

export default config;
