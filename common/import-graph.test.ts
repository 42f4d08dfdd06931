import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  folderGraph,
  foldersWithoutLayer,
  type ImportGraph,
  importCycles,
  importedNames,
  importGraph,
  isTestFile,
  LAYERS,
  upwardImports,
  withoutFiles,
} from './import-graph';
import { PROJECT_ROOT } from './paths';

/** The repository's imports, read once: every TypeScript file of both configurations. */
let graph: ImportGraph;
beforeAll(() => {
  graph = importGraph();
});

describe("the repository's imports", () => {
  it('form no cycle between files, tests included', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('form no cycle between top-level folders outside the tests', () => {
    expect(importCycles(folderGraph(withoutFiles(graph, isTestFile)))).toEqual([]);
  });

  it('never reach from a layer into one above it outside the tests (README.md, Layout)', () => {
    expect(upwardImports(withoutFiles(graph, isTestFile))).toEqual([]);
  });

  it('place every top-level folder with TypeScript in a layer', () => {
    expect(foldersWithoutLayer(graph)).toEqual([]);
  });

  it("are layered as README.md's layout table says", () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| ([a-z ]+?) +\| `([a-z0-9-]+)\/` +\|/gm)];
    const layerOf = new Map<string, string>(
      LAYERS.flatMap(({ layer, folders }) => folders.map((folder) => [folder, layer])),
    );

    expect(rows.length).toBeGreaterThan(10);
    for (const [, layer, folder] of rows) {
      expect({ folder, layer }).toEqual({ folder, layer: layerOf.get(folder ?? '') });
    }
  });

  it('are all read: value, type-only and lazy `typeof import` imports, k6 scripts included', () => {
    expect(graph.get('harness/pipeline.ts')).toContain('harness/step-table.ts');
    expect(graph.get('harness/results.ts')).toContain('harness/ids.ts');
    expect(graph.get('harness/parts.ts')).toContain('postman/newman.ts');
    expect(graph.get('load/get-pets.ts')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^load\/lib\//)]),
    );
  });
});

describe('the import graph', () => {
  it('names every form of import a file can make', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "const d = require('./d');",
      "type E = typeof import('./e');",
      "const f = import('./f');",
    ].join('\n');

    expect(importedNames(source).sort()).toEqual(['./a', './b', './c', './d', './e', './f']);
  });

  it('finds a cycle of two files and one through three, and nothing in a chain', () => {
    const cyclic: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', ['c.ts', 'f.ts']],
      ['f.ts', []],
    ]);
    const chain: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', []],
    ]);

    expect(importCycles(cyclic)).toEqual([
      ['a.ts', 'b.ts'],
      ['c.ts', 'd.ts', 'e.ts'],
    ]);
    expect(importCycles(chain)).toEqual([]);
  });

  it('flags a lower layer importing a higher one, and not the other way', () => {
    const layered: ImportGraph = new Map([
      ['local/index.ts', ['harness/ids.ts', 'common/paths.ts']],
      ['harness/ids.ts', []],
      ['harness/pipeline.ts', ['local/index.ts']],
      ['common/paths.ts', []],
    ]);

    expect(upwardImports(layered)).toEqual([
      { file: 'local/index.ts', imports: 'harness/ids.ts', from: 'local environment', to: 'harness' },
    ]);
  });

  it('tells tests from the code they test', () => {
    expect(
      ['harness/pipeline.test.ts', 'harness/test/process.ts', 'local/dynamodb/jest-global-setup.ts'].map(
        isTestFile,
      ),
    ).toEqual([true, true, true]);
    expect(['harness/pipeline.ts', 'local/stage/index.ts', 'handler/index.ts'].map(isTestFile)).toEqual([
      false,
      false,
      false,
    ]);
  });
});
