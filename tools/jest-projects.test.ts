import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Config } from 'jest';
import { PROJECT_ROOT } from '../common/paths';
import jestConfig, { SLOW_PROJECT, TEST_FOLDERS } from '../jest.config';
import { TOOLS_BY_PROJECT, toolsFor } from './jest-global-setup';

/**
 * The rules of jest.config.ts, held against the tree: one project per folder that holds tests,
 * named after it and run by `npm run test:<folder>`; `*.slow.test.ts` files in the `slow` project
 * only, and every folder still has fast tests that `npm test` runs.
 */

const NOT_SOURCE = new Set(['node_modules', 'dist', 'cdk.out', 'reports', 'coverage']);

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || NOT_SOURCE.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFilesUnder(path);
    return entry.name.endsWith('.test.ts') ? [relative(PROJECT_ROOT, path)] : [];
  });
}

const testFiles = testFilesUnder(PROJECT_ROOT);
const folderOf = (file: string) => file.split('/')[0] ?? '';
const isSlow = (file: string) => file.endsWith('.slow.test.ts');
const projects = (jestConfig.projects ?? []).filter(
  (project): project is Config => typeof project === 'object',
);
const SCRIPTS = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

describe('the jest projects', () => {
  it('are one per folder that holds tests, named after it, and the slow project over them all', () => {
    const foldersWithTests = [...new Set(testFiles.map(folderOf))].sort();

    expect([...TEST_FOLDERS].sort()).toEqual(foldersWithTests);
    expect(projects.map((project) => project.displayName)).toEqual([...TEST_FOLDERS, SLOW_PROJECT]);
    for (const folder of TEST_FOLDERS) {
      expect(projects.find((project) => project.displayName === folder)?.roots).toEqual([
        `<rootDir>/${folder}`,
      ]);
    }
    expect(projects.at(-1)?.roots).toEqual(TEST_FOLDERS.map((folder) => `<rootDir>/${folder}`));
    // Every file on an ordinary global (tools/jest-environment.ts says why).
    expect(new Set(projects.map((project) => project.testEnvironment))).toEqual(
      new Set(['<rootDir>/tools/jest-environment.ts']),
    );
  });

  it('keep fast tests in every folder: npm test covers each one', () => {
    const fastFolders = new Set(testFiles.filter((file) => !isSlow(file)).map(folderOf));

    expect(TEST_FOLDERS.filter((folder) => !fastFolders.has(folder))).toEqual([]);
  });

  it('give *.slow.test.ts files to the slow project only', () => {
    for (const project of projects) {
      const ignored = (project.testPathIgnorePatterns ?? []).some((pattern) =>
        new RegExp(pattern).test('local/stage/example.slow.test.ts'),
      );
      if (project.displayName === SLOW_PROJECT) {
        expect(project.testMatch).toEqual(['**/*.slow.test.ts']);
      } else {
        expect({ project: project.displayName, ignoresSlowTests: ignored }).toEqual({
          project: project.displayName,
          ignoresSlowTests: true,
        });
      }
    }
  });

  it('each have an npm script test:<project>, and npm test runs every project but the slow one', () => {
    for (const project of TEST_FOLDERS) {
      expect(SCRIPTS[`test:${project}`]).toMatch(
        new RegExp(`^jest --selectProjects ${project}( --coverage)?$`),
      );
    }
    // One file at a time: slow tests are whole runs, timed or heavy, and would slow each other.
    expect(SCRIPTS[`test:${SLOW_PROJECT}`]).toBe(`jest --selectProjects ${SLOW_PROJECT} --runInBand`);
    expect(SCRIPTS.test).toBe(`jest --ignoreProjects ${SLOW_PROJECT} --coverage`);
  });
});

describe("the global setup's tools", () => {
  it('are keyed by project names', () => {
    const names: string[] = [...TEST_FOLDERS, SLOW_PROJECT];

    expect(Object.keys(TOOLS_BY_PROJECT).filter((project) => !names.includes(project))).toEqual([]);
  });

  it('are those of the selected projects, once each, minus the ignored projects', () => {
    expect(toolsFor({ selectProjects: ['handler'] })).toEqual([]);
    expect(toolsFor({ selectProjects: ['load', 'harness'] })).toEqual(['k6', 'browser', 'moto']);
    expect(toolsFor({ selectProjects: ['logcheck', 'fuzz'], ignoreProjects: ['fuzz'] })).toEqual(['moto']);
    expect(toolsFor({ selectProjects: ['slow'] })).toEqual(['k6', 'browser', 'schemathesis', 'moto']);
    expect(toolsFor({ ignoreProjects: ['slow'] })).toEqual(['k6', 'browser', 'moto', 'schemathesis']);
  });
});
