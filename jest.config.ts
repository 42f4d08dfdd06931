import type { Config } from 'jest';

// One config, one project per layer; scripts select them (`jest --selectProjects unit`).
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

function project(displayName: string, roots: string[], extra: Partial<Config> = {}): Config {
  return {
    displayName,
    testEnvironment: 'node',
    transform,
    roots: roots.map((root) => `<rootDir>/${root}`),
    testMatch: ['**/*.test.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    ...extra,
  };
}

// Projects whose tests need a real DynamoDB share one provider per run, started by globalSetup.
const withDynamoDb: Partial<Config> = {
  globalSetup: '<rootDir>/local/dynamodb/jest-global-setup.ts',
  globalTeardown: '<rootDir>/local/dynamodb/jest-global-teardown.ts',
};

const config: Config = {
  projects: [
    project('unit', ['handler', 'build', 'seed', 'common', 'tools', 'mutation']),
    project('contract', ['contract']),
    project('infra', ['infra']),
    project('integration', ['integration'], withDynamoDb),
    project('stage', ['local'], withDynamoDb),
    project('load', ['load'], withDynamoDb),
    project('logcheck', ['logcheck'], withDynamoDb),
    project('harness', ['harness']),
    project('compare', ['compare', 'cost'], withDynamoDb),
    project('fuzz', ['fuzz'], withDynamoDb),
  ],
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
