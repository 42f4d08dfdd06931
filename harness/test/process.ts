import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../common/paths';
import { collectOutput } from '../../common/processes';

/** The CLI as a user runs it: `node bin/pets-harness.js …`, as a real process. */
const BIN = join(PROJECT_ROOT, 'bin', 'pets-harness.js');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** Resolves when stderr has matched `pattern` (rejects if the process ends first). */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<void>;
  finished: Promise<Finished>;
}

/** Process variables with no AWS credentials or config anywhere, and no instance metadata to ask. */
export function withoutAwsCredentials(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('AWS_')) clean[key] = value;
  return {
    ...clean,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent/pets-harness-test/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/pets-harness-test/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Inside `npm test`, the other projects' globalSetup exports its DynamoDB to every worker
 * (DYNAMODB_ENDPOINT and friends). A harness started by a test must choose its own provider,
 * as `npm start` on a user's machine does, so those variables are removed.
 */
function asAUserRunsIt(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const {
    DYNAMODB_ENDPOINT: _endpoint,
    PETS_TEST_DYNAMODB_KIND: _kind,
    PETS_DYNAMODB: _forced,
    ...rest
  } = env;
  return rest;
}

export function startHarness(args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...asAUserRunsIt(env), CI: 'true' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  const output = collectOutput(child);
  const stderrListeners = new Set<() => void>();
  // Registered after collectOutput's own listener, so a check sees the chunk that woke it.
  child.stderr.on('data', () => {
    for (const listener of stderrListeners) listener();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, ...output }));
  });
  return {
    child,
    output,
    finished,
    waitForStderr(pattern, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output.stderr)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${output.stderr.slice(-2000)}`));
        }, timeoutMs);
        const ended = () => {
          done();
          reject(new Error(`the harness ended before ${pattern} appeared:\n${output.stderr.slice(-2000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          stderrListeners.delete(check);
          child.off('close', ended);
        };
        stderrListeners.add(check);
        child.once('close', ended);
        check();
      });
    },
  };
}

export function runHarness(args: string[], env?: NodeJS.ProcessEnv): Promise<Finished> {
  return startHarness(args, env).finished;
}

export interface ProcessInfo {
  pid: number;
  command: string;
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`).toString().replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * Live processes (not zombies) that belong to a run: the marker appears in their environment
 * (children that inherit it: k6) or their command line (stage workers get a clean
 * Lambda-like environment, but their arguments name the run's log directory).
 */
export function processesMarkedWith(markers: string[]): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    const state = /^\S+ \(.*\) (\S)/.exec(readProc(pid, 'stat'))?.[1];
    if (!state || state === 'Z' || state === 'X') continue;
    const command = readProc(pid, 'cmdline');
    const variables = readProc(pid, 'environ');
    if (markers.some((marker) => command.includes(marker) || variables.includes(marker))) {
      found.push({ pid: Number(pid), command: command.slice(0, 160) });
    }
  }
  return found;
}
