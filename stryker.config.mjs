// @ts-check
/**
 * Mutation testing of handler/ (`npm run mutation`): Stryker mutates the handler's source and
 * runs the `handler`, `seed` and `contract` jest projects against each mutant; a mutant no test
 * notices survives. A measurement, not part of `npm test`. Report: reports/mutation/index.html.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The handler, seed and contract projects, flattened (why: mutation/jest.config.ts).
    configFile: 'mutation/jest.config.ts',
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
  // Added to Stryker's estimate (1.5 × the covering tests' time + the dry run's overhead): a mutant
  // run loads its related test files afresh (3-5 s here), and a busy shared machine can double that.
  // A mutant that loops forever is stopped earlier by the hit limit (per-test coverage, above).
  timeoutMS: 15_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
