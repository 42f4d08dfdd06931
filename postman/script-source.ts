import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Pm } from './sandbox';

/**
 * Serialises the functions of postman/scripts.ts into Postman scripts at build time: each script
 * is the JavaScript of the functions it calls (and of those they call), then the calls, with their
 * arguments as JSON. The source is read and stripped of its types by TypeScript itself, so the
 * text is the same whichever tool runs the build (tsx, jest).
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One call of a script function, with its arguments. */
export interface ScriptCall {
  name: string;
  args: Json[];
}

export function call<A extends Json[]>(fn: (pm: Pm, ...args: A) => void, ...args: A): ScriptCall {
  return { name: fn.name, args };
}

const SCRIPTS_FILE = join(__dirname, 'scripts.ts');

interface ScriptFunction {
  /** The function as JavaScript, without `export` and types. */
  javascript: string;
  /** The other functions of the file it calls. */
  calls: string[];
}

let functions: Map<string, ScriptFunction> | undefined;

function identifiersIn(node: ts.Node, into: Set<string>): Set<string> {
  if (ts.isIdentifier(node)) into.add(node.text);
  ts.forEachChild(node, (child) => {
    identifiersIn(child, into);
  });
  return into;
}

function toJavaScript(declaration: ts.FunctionDeclaration, source: ts.SourceFile): string {
  const text = declaration.getText(source).replace(/^export\s+/, '');
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
  });
  return outputText.trimEnd();
}

/** Every function of scripts.ts, by name, read once. */
function scriptFunctions(): Map<string, ScriptFunction> {
  if (functions) return functions;
  const source = ts.createSourceFile(
    SCRIPTS_FILE,
    readFileSync(SCRIPTS_FILE, 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const declarations = source.statements.filter(
    (statement): statement is ts.FunctionDeclaration =>
      ts.isFunctionDeclaration(statement) && !!statement.name,
  );
  const names = new Set(declarations.map((declaration) => declaration.name?.text ?? ''));
  functions = new Map(
    declarations.map((declaration) => {
      const name = declaration.name?.text ?? '';
      const used = [...identifiersIn(declaration.body ?? declaration, new Set())];
      const calls = used.filter((identifier) => identifier !== name && names.has(identifier));
      return [name, { javascript: toJavaScript(declaration, source), calls }];
    }),
  );
  return functions;
}

/** The functions a script needs, each once, every one after those it calls. */
function needed(names: string[], all: Map<string, ScriptFunction>, into: string[] = []): string[] {
  for (const name of names) {
    if (into.includes(name)) continue;
    const fn = all.get(name);
    if (!fn) throw new Error(`postman/scripts.ts has no function ${name}`);
    needed(fn.calls, all, into);
    if (!into.includes(name)) into.push(name);
  }
  return into;
}

/** A script's lines: the functions it needs, then its calls. */
export function scriptLines(calls: ScriptCall[]): string[] {
  const all = scriptFunctions();
  const definitions = needed(
    calls.map((each) => each.name),
    all,
  ).map((name) => all.get(name)?.javascript ?? '');
  const invocations = calls.map(
    ({ name, args }) => `${name}(${['pm', ...args.map((arg) => JSON.stringify(arg))].join(', ')});`,
  );
  return [...definitions, ...invocations].join('\n').split('\n');
}
