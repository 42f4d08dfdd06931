import type { Config } from 'jest';
import repositoryConfig from '../jest.config.ts';

/**
 * The jest config Stryker runs against each mutant (stryker.config.mjs `jest.configFile`): the
 * `unit` and `contract` projects flattened into one config, over the roots whose tests import
 * handler/. `npx jest -c mutation/jest.config.ts` runs the same suite without mutants.
 *
 * A file of its own rather than Stryker's inline `jest.config` over jest.config.ts: Stryker passes
 * its options to the test runner process as JSON, so an override to `undefined` (no `projects`, no
 * `globalSetup`) is lost on the way and every mutant ran all ten projects, with tool provisioning
 * first. Flattened because Stryker's jest runner swaps in its own test environment at the top level
 * to learn which test covers which mutant (perTest) and to stop a mutant that loops forever (hit
 * limit); a project's own `testEnvironment` would override it.
 */
const MUTATION_PROJECTS = ['unit', 'contract'];

/** Of those projects' roots, the ones whose tests import handler/ (build/, common/, tools/ never do). */
const ROOTS_THAT_TEST_THE_HANDLER = ['<rootDir>/handler', '<rootDir>/seed', '<rootDir>/contract'];

const projects = (repositoryConfig.projects ?? []).filter(
  (project): project is Config =>
    typeof project === 'object' && MUTATION_PROJECTS.includes(String(project.displayName)),
);
const [unitProject] = projects;
if (unitProject === undefined || projects.length !== MUTATION_PROJECTS.length) {
  throw new Error(`jest.config.ts no longer has the projects ${MUTATION_PROJECTS.join(' and ')}`);
}

const { displayName: _displayName, ...unitSettings } = unitProject;

const config: Config = {
  ...unitSettings,
  rootDir: '..',
  roots: projects
    .flatMap((project) => project.roots ?? [])
    .filter((root) => ROOTS_THAT_TEST_THE_HANDLER.includes(root)),
  testTimeout: repositoryConfig.testTimeout,
  // No tool provisioning (k6, browser, moto, Schemathesis) before each mutant's run: these tests
  // need none, and nothing they run writes under reports/ or the log store. No coverage threshold:
  // Stryker measures instead.
  // A failing property stops at its first counterexample, and each property has a time budget.
  setupFiles: ['<rootDir>/mutation/jest-setup.ts'],
};

export default config;
