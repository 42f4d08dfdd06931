import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../common/paths';
import mutationConfig from './jest.config';

/**
 * What Stryker runs against each mutant. The config went wrong silently once: overrides written
 * inline in stryker.config.mjs were lost on the way to the test runner, and every mutant ran all
 * ten projects with tool provisioning first, five times slower, still reporting a score.
 */
describe('the mutation testing jest config', () => {
  it('is one flattened project over the roots whose tests import the handler', () => {
    expect(mutationConfig.projects).toBeUndefined();
    expect(mutationConfig.displayName).toBeUndefined();
    expect(mutationConfig.roots).toEqual(['<rootDir>/handler', '<rootDir>/seed', '<rootDir>/contract']);
    expect(mutationConfig.rootDir).toBe('..');
  });

  it("provisions no tools, holds no coverage threshold, bounds fast-check properties, and uses jest's node environment", () => {
    expect(mutationConfig.globalSetup).toBeUndefined();
    expect(mutationConfig.coverageThreshold).toBeUndefined();
    expect(mutationConfig.setupFiles).toEqual(['<rootDir>/mutation/jest-setup.ts']);
    expect(mutationConfig.testEnvironment).toBe('node');
  });

  it('is the config file Stryker reads, with no inline jest config to lose', () => {
    const strykerConfig = readFileSync(join(PROJECT_ROOT, 'stryker.config.mjs'), 'utf8');

    expect(strykerConfig).toMatch(/^\s+configFile: 'mutation\/jest\.config\.ts',$/mu);
    expect(strykerConfig).not.toMatch(/^\s+config:/mu);
  });
});
