import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './paths';

/**
 * The repository's import graph, read with the TypeScript compiler API (its scanner and the module
 * resolution `tsc` uses): every TypeScript file of the project and every repository file it names
 * in an import, an export … from, a `require('…')`, an `import('…')` call or type. Type-only
 * imports count: a cycle of types is still a cycle a reader has to hold in their head.
 */

/** File → the repository files it imports, both relative to the repository root with `/`. */
export type ImportGraph = Map<string, string[]>;

function toRepoPath(file: string): string {
  return relative(PROJECT_ROOT, file).split(sep).join('/');
}

/**
 * The module names a file mentions: imports and exports … from, `require('…')`, `import('…')`
 * calls and types. The compiler's own pre-processing scanner finds them (what `tsc` reads to load
 * a program), without building a syntax tree.
 */
export function importedNames(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }) => fileName);
}

function readConfig(configFile: string): ts.ParsedCommandLine {
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile));
}

/**
 * The TypeScript configurations that together hold every TypeScript file of the repository: the
 * project's, and the k6 scripts' (load/, bundled for k6, not for Node).
 */
const TS_CONFIGS = [join(PROJECT_ROOT, 'tsconfig.json'), join(PROJECT_ROOT, 'load', 'tsconfig.json')];

/** The graph of the files the configurations include; imports of packages (node_modules) are left out. */
export function importGraph(configFiles = TS_CONFIGS): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const configFile of configFiles) addFiles(graph, readConfig(configFile));
  return graph;
}

function addFiles(graph: ImportGraph, config: ts.ParsedCommandLine): void {
  const cache = ts.createModuleResolutionCache(PROJECT_ROOT, (name) => name, config.options);
  for (const file of config.fileNames) {
    if (file.endsWith('.d.ts')) continue;
    const targets = new Set<string>();
    for (const name of importedNames(ts.sys.readFile(file) ?? '')) {
      const resolved = ts.resolveModuleName(name, file, config.options, ts.sys, cache).resolvedModule;
      if (!resolved || resolved.isExternalLibraryImport) continue;
      if (resolved.resolvedFileName.endsWith('.d.ts')) continue;
      targets.add(toRepoPath(resolved.resolvedFileName));
    }
    graph.set(toRepoPath(file), [...targets].sort());
  }
}

/** The graph without some files (and every arrow to them), e.g. without the tests. */
export function withoutFiles(graph: ImportGraph, drop: (file: string) => boolean): ImportGraph {
  const kept: ImportGraph = new Map();
  for (const [file, targets] of graph) {
    if (!drop(file)) {
      kept.set(
        file,
        targets.filter((target) => !drop(target)),
      );
    }
  }
  return kept;
}

/** Tests and what only tests use: test files, `test/` and `support/` folders, jest's setup. */
export function isTestFile(file: string): boolean {
  return /\.test\.ts$|(^|\/)(test|support)\/|(^|\/)jest[.-][^/]*\.ts$|^handler\/testing\.ts$/.test(file);
}

/** The top-level folder a file is in (`.` for the repository's root). */
function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '.' : file.slice(0, slash);
}

/** The graph between top-level folders: an arrow where a file of one imports a file of another. */
export function folderGraph(graph: ImportGraph): ImportGraph {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const arrows = folders.get(from) ?? new Set<string>();
    folders.set(from, arrows);
    for (const target of targets) if (folderOf(target) !== from) arrows.add(folderOf(target));
  }
  return new Map([...folders].map(([folder, arrows]) => [folder, [...arrows].sort()]));
}

/**
 * The graph's cycles, one per strongly connected component of more than one file (Tarjan), each
 * given as the files it holds, sorted. A file that imports itself is a component of its own.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const connect = (file: string): void => {
    index.set(file, next);
    lowLink.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        connect(target);
        lowLink.set(file, Math.min(lowLink.get(file) ?? 0, lowLink.get(target) ?? 0));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/**
 * The layers, bottom first: code may import its own layer and the layers below it, never one
 * above. Every top-level folder with TypeScript is in exactly one (README.md's layout table shows
 * them). Tests stand outside the layering: a test lives beside what it proves and may look across
 * layers for that (the contract's test that the Postman collection covers it); cycles are found
 * with the tests included.
 */
export const LAYERS = [
  { layer: 'shared', folders: ['common', 'definitions', 'containers'] },
  { layer: 'tools', folders: ['tools'] },
  { layer: 'api', folders: ['handler', 'contract', 'build', 'infra', 'configcheck'] },
  { layer: 'local environment', folders: ['local', 'seed', 'rehearsal'] },
  {
    layer: 'checks',
    folders: ['postman', 'load', 'fuzz', 'faults', 'access', 'logcheck', 'compare', 'cost'],
  },
  { layer: 'harness', folders: ['harness'] },
  /** What only runs the others: test suites, benchmarks, the jest and Stryker configurations. */
  { layer: 'beside', folders: ['integration', 'bench', 'mutation', 'bin', '.'] },
] as const;

/** The rank of a folder's layer (0 = bottom); undefined for a folder no layer holds. */
function layerRank(folder: string): number | undefined {
  const index = LAYERS.findIndex(({ folders }) => (folders as readonly string[]).includes(folder));
  return index === -1 ? undefined : index;
}

export interface UpwardImport {
  file: string;
  imports: string;
  from: string;
  to: string;
}

/** Every import of a file in a higher layer by a file in a lower one. */
export function upwardImports(graph: ImportGraph): UpwardImport[] {
  const upward: UpwardImport[] = [];
  for (const [file, targets] of graph) {
    const rank = layerRank(folderOf(file));
    for (const target of targets) {
      const targetRank = layerRank(folderOf(target));
      if (rank === undefined || targetRank === undefined || targetRank <= rank) continue;
      upward.push({ file, imports: target, from: LAYERS[rank]!.layer, to: LAYERS[targetRank]!.layer });
    }
  }
  return upward;
}

/** The folders holding TypeScript that no layer names. */
export function foldersWithoutLayer(graph: ImportGraph): string[] {
  return [...new Set([...graph.keys()].map(folderOf))].filter((folder) => layerRank(folder) === undefined);
}

/** `npx tsx common/import-graph.ts`: the layers, the folder graph of the code, its cycles. */
function printGraph(): void {
  const graph = importGraph();
  const code = withoutFiles(graph, isTestFile);
  const arrows = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
  console.log(
    `${graph.size} TypeScript files, ${arrows} imports between them (${code.size} files outside tests)`,
  );
  for (const { layer, folders } of [...LAYERS].reverse()) {
    console.log(`\n${layer}`);
    const byFolder = folderGraph(code);
    for (const folder of folders)
      console.log(`  ${folder} → ${(byFolder.get(folder) ?? []).join(' ') || '–'}`);
  }
  const cycles = importCycles(graph);
  const folderCycles = importCycles(folderGraph(code));
  const upward = upwardImports(code);
  console.log(`\nfile cycles (tests included): ${cycles.length}`);
  for (const cycle of cycles) console.log(`  ${cycle.join(' ⇄ ')}`);
  console.log(`folder cycles (outside tests): ${folderCycles.length}`);
  for (const cycle of folderCycles) console.log(`  ${cycle.join(' ⇄ ')}`);
  console.log(`upward imports (outside tests): ${upward.length}`);
  for (const arrow of upward) console.log(`  ${arrow.file} (${arrow.from}) → ${arrow.imports} (${arrow.to})`);
  const unplaced = foldersWithoutLayer(graph);
  if (unplaced.length > 0) console.log(`folders in no layer: ${unplaced.join(', ')}`);
}

if (require.main === module) printGraph();
