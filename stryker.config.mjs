// @ts-check
import jestConfig from './jest.config.ts';

/**
 * Mutation testing of handler/ (`npm run test:mutation`): Stryker mutates the handler's source and
 * runs the `unit` and `contract` jest projects against each mutant; a mutant no test notices
 * survives. A measurement, not part of `npm test`. Report: reports/mutation/index.html.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
/** The jest projects run against each mutant: the two that exercise handler/ without DynamoDB or a stage. */
const MUTATION_PROJECTS = ['unit', 'contract'];

/** Of those projects' roots, the ones whose tests import handler/ (build/, common/, tools/ never do). */
const ROOTS_THAT_TEST_THE_HANDLER = ['<rootDir>/handler', '<rootDir>/seed', '<rootDir>/contract'];

const mutationProjects = (jestConfig.projects ?? []).filter(
  (project) => typeof project === 'object' && MUTATION_PROJECTS.includes(String(project.displayName)),
);

/**
 * The unit and contract projects flattened into one jest config (they differ only in roots).
 * Stryker's jest runner swaps in its own test environment at the top level to learn which test
 * covers which mutant (perTest) and to stop a mutant that loops forever (hit limit); a project's
 * own `testEnvironment` would override it, and every mutant would then run every related test up
 * to the timeout.
 */
const [unitProject] = mutationProjects;
const flattenedJestConfig = {
  ...(typeof unitProject === 'object' ? unitProject : {}),
  displayName: undefined,
  projects: undefined,
  roots: mutationProjects
    .flatMap((project) => (typeof project === 'object' ? (project.roots ?? []) : []))
    .filter((root) => ROOTS_THAT_TEST_THE_HANDLER.includes(root)),
  // No tool provisioning (k6, browser, moto, Schemathesis) before each mutant's run: these tests
  // need none, and nothing they run writes under reports/ or the log store.
  globalSetup: undefined,
  // A failing property stops at its first counterexample (no shrinking) under Stryker.
  setupFiles: ['<rootDir>/mutation/jest-setup.ts'],
  // Stryker measures instead of the coverage threshold.
  coverageThreshold: undefined,
  collectCoverage: false,
};

export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    config: flattenedJestConfig,
    // Per mutant, only the test files that import the mutated file (jest --findRelatedTests).
    enableFindRelatedTests: true,
  },
  checkers: ['typescript'],
  tsconfigFile: 'mutation/tsconfig.json',
  // A mutant the type checker rejects could never ship; it is counted as a compile error, not run.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ['handler/**/*.ts', '!handler/**/*.test.ts', '!handler/test/**'],
  coverageAnalysis: 'perTest',
  // Re-runs only mutants whose code or covering tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // Two cores shared by several developers: one jest worker per core, no more.
  concurrency: 2,
  // Added to Stryker's estimate (1.5 × the covering tests' time + the dry run's overhead). A mutant
  // run also loads every related test file with instrumented code: 30-50 s here under load, past a
  // 10 s margin, so kills were reported as timeouts and each restarted the runner. A looping
  // mutant is stopped by the hit limit instead (per-test coverage, above).
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
