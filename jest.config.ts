import { availableParallelism } from 'node:os';
import type { Config } from 'jest';

/**
 * One jest project per folder that holds tests, named after the folder: `npm run test:<folder>`
 * runs that folder's tests, and `npm test` runs every project but `slow`. A test file named
 * `*.slow.test.ts` belongs to the `slow` project instead (`npm run test:slow`, which CI runs right
 * after `npm test`); docs/ci.md says which tests may go there. Every folder keeps its fast tests in
 * `npm test` (tools/jest-projects.test.ts holds the tree to these rules).
 */
export const TEST_FOLDERS = [
  'access',
  'build',
  'common',
  'compare',
  'configcheck',
  'contract',
  'cost',
  'faults',
  'fuzz',
  'handler',
  'harness',
  'infra',
  'integration',
  'load',
  'local',
  'logcheck',
  'mutation',
  'rehearsal',
  'seed',
  'tools',
] as const;

/** The folders whose tests need a real DynamoDB: one provider per run, started by globalSetup. */
const WITH_DYNAMODB: ReadonlySet<string> = new Set([
  'compare',
  'configcheck',
  'faults',
  'fuzz',
  'integration',
  'load',
  'local',
  'logcheck',
]);

export const SLOW_PROJECT = 'slow';
const SLOW_TEST_FILE = '\\.slow\\.test\\.ts$';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

const withDynamoDb: Partial<Config> = {
  globalSetup: '<rootDir>/local/dynamodb/jest-global-setup.ts',
  globalTeardown: '<rootDir>/local/dynamodb/jest-global-teardown.ts',
};

function project(displayName: string, roots: readonly string[], extra: Partial<Config>): Config {
  return {
    displayName,
    testEnvironment: '<rootDir>/tools/jest-environment.ts',
    transform,
    roots: roots.map((root) => `<rootDir>/${root}`),
    moduleFileExtensions: ['ts', 'js', 'json'],
    ...extra,
  };
}

function folderProject(folder: string): Config {
  return project(folder, [folder], {
    testMatch: ['**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', SLOW_TEST_FILE],
    ...(WITH_DYNAMODB.has(folder) ? withDynamoDb : {}),
  });
}

const config: Config = {
  projects: [
    ...TEST_FOLDERS.map(folderProject),
    project(SLOW_PROJECT, TEST_FOLDERS, { testMatch: ['**/*.slow.test.ts'], ...withDynamoDb }),
  ],
  // Most of the suite's time is spent waiting on child processes (stages, k6, containers,
  // Schemathesis, npm start), so one worker more than cores keeps the cores busy; jest's default
  // (cores − 1) ran every file one after the other on 2 cores. `npm run test:slow` runs in band.
  maxWorkers: availableParallelism() + 1,
  // Once for the whole run, before any project's own setup: test runs write under a temp dir, and
  // the tools the selected projects need are provisioned with progress (a first run builds k6).
  globalSetup: '<rootDir>/tools/jest-global-setup.ts',
  // Jest reads testTimeout only here, not per project: generous for the suites that start real
  // DynamoDB, stages and k6; files with longer work set their own.
  testTimeout: 120_000,
  collectCoverageFrom: [
    'handler/**/*.ts',
    '!handler/**/*.test.ts',
    '!handler/test/**',
    '!handler/testing.ts',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: {
    // Only the handler is held to a threshold; the other layers are measured by their own suites.
    global: {},
    './handler/': { lines: 95, branches: 95, functions: 95, statements: 95 },
  },
};

export default config;
