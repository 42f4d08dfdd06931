import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parseBaseUrl } from './url';

/** A wrong flag or value: the CLI says which and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The harness could not run (a tool missing, a port taken, no credentials): exit 2 with the fix. */
export class CannotRunError extends Error {
  override name = 'CannotRunError';
}

/** One flag: how it is parsed, and its line in `--help` (declared once, together). */
export interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** The value's placeholder in `--help`: `NAME` in `--table NAME`; none for a boolean. */
  value?: string;
  /** What it does and its default; each `\n` starts a continuation line under the first. */
  help: string;
}

export type FlagSpec = Record<string, Flag>;

export interface CommandSpec<F extends FlagSpec> {
  /** e.g. `pets-harness seed` */
  name: string;
  summary: string;
  flags: F;
}

type Parsed<F extends FlagSpec> = {
  [K in keyof F]: F[K]['type'] extends 'boolean'
    ? boolean | undefined
    : F[K]['multiple'] extends true
      ? string[] | undefined
      : string | undefined;
};

/** Labels up to this wide share one column; a longer one is followed by two spaces. */
const HELP_COLUMN_MAX = 26;

/** The flags' lines of `--help`, in declaration order, their texts in one column. */
function flagHelpLines(flags: FlagSpec): string[] {
  const rows = [
    ...Object.entries(flags).map(([name, flag]) => ({
      label: flag.value ? `--${name} ${flag.value}` : `--${name}`,
      help: flag.help,
    })),
    { label: '--help', help: 'show this help' },
  ];
  const column = Math.max(...rows.map((row) => row.label.length).filter((width) => width <= HELP_COLUMN_MAX));
  return rows.flatMap(({ label, help }) => {
    const [first, ...more] = help.split('\n');
    return [`${label.padEnd(column)}  ${first}`, ...more.map((line) => `${' '.repeat(column + 2)}${line}`)];
  });
}

function helpText<F extends FlagSpec>(spec: CommandSpec<F>): string {
  return [
    `Usage: ${spec.name} [flags]`,
    '',
    spec.summary,
    '',
    'Flags:',
    ...flagHelpLines(spec.flags).map((line) => `  ${line}`),
  ].join('\n');
}

/** What node:util's parseArgs reads of each flag (it knows nothing of the help). */
function parseArgsOptions(flags: FlagSpec): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(flags).map(([name, { value: _value, help: _help, ...option }]) => [name, option]),
  );
}

/**
 * Strict flag parsing: an unknown flag, a missing value or a stray argument is a UsageError that
 * names it. Returns undefined when `--help` was asked (the help is printed).
 */
export function parseFlags<F extends FlagSpec>(spec: CommandSpec<F>, argv: string[]): Parsed<F> | undefined {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText(spec));
    return undefined;
  }
  try {
    // parseArgs' own inference over a generic F is too deep for TypeScript to relate to Parsed<F>;
    // parsing against the widened config gives the same runtime values, typed by the spec above.
    const options = parseArgsOptions(spec.flags);
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return values as Parsed<F>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${spec.name}: ${message}\nRun '${spec.name} --help' for the flags.`);
  }
}

/** A whole number flag within bounds, or a UsageError naming the flag. */
export function intFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

/** One of a fixed set of values, or a UsageError naming the flag and the choices. */
export function choiceFlag<T extends string>(
  name: string,
  raw: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

/**
 * A base URL flag (`--base-url`, `--endpoint`) under common/url.ts's one rule, trailing slashes
 * dropped; undefined when absent, a UsageError naming the flag when it is not a base URL.
 */
export function baseUrlFlag(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseBaseUrl(raw);
  if ('problem' in parsed) {
    throw new UsageError(`--${name} must be an http(s) URL, got '${raw}' (it ${parsed.problem})`);
  }
  return parsed.url;
}

/**
 * Run ids name a folder under reports/ and travel in x-harness-run-id (at most 128 characters by
 * the contract). The first character is a letter or digit, so `.` and `..` cannot climb out of
 * reports/.
 */
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/u;

/** `--run-id`: names a report folder and a header; a new time-sorted id when absent. */
export function runIdFlag(value: string | undefined, makeId: () => string): string {
  const runId = value ?? makeId();
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(
      `--run-id must be 1–128 letters, digits, dots, dashes or underscores, starting with a letter or digit (it names a folder and a header), got '${runId}'`,
    );
  }
  return runId;
}

/**
 * Runs a command's main and exits with its code: UsageError and CannotRunError → 2 with the
 * message; any other error → 1.
 */
export function runMain(main: (argv: string[]) => Promise<number>, argv = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.exitCode = exitCodeFor(error);
      console.error(error instanceof UsageError || error instanceof CannotRunError ? error.message : error);
    },
  );
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UsageError || error instanceof CannotRunError ? 2 : 1;
}

/** Flags another command owns, passed through: the same flags, each help line saying so. */
export function passedThrough<F extends FlagSpec>(flags: F, note: string): F {
  return Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [name, { ...flag, help: `${flag.help} ${note}` }]),
  ) as F;
}
