import { spawn } from 'node:child_process';
import { CannotRunError } from '../common/cli';
import { freeLoopbackPort } from '../common/net';
import { stopChild, trackChild } from '../common/processes';
import { type EnsurePythonToolOptions, ensurePythonTool, PYTHON_TOOLS, pythonToolVenv } from './python-venv';

/**
 * moto's server mode (PyPI `moto[server]`): the CloudWatch Logs stand-in the log check's wire
 * tests talk to. It lives in its own virtualenv in the tool cache, pinned to TOOL_VERSIONS.moto.
 */
export function motoVenvDir(): string {
  return pythonToolVenv(PYTHON_TOOLS.moto);
}

/**
 * Makes `<cache>/moto-venv` with the pinned `moto[server]` and returns the `moto_server` path.
 * Idempotent: a venv that already holds the pinned version is used as is (no network).
 */
export function ensureMoto(options: EnsurePythonToolOptions = {}): Promise<string> {
  return ensurePythonTool(PYTHON_TOOLS.moto, options);
}

export interface RunningMoto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts `moto_server` on a free loopback port, waits until it answers, and returns how to stop
 * it. The child is tracked, so it dies with us even if `stop()` is never called.
 */
export async function startMotoServer(options: { readyTimeoutMs?: number } = {}): Promise<RunningMoto> {
  const server = await ensureMoto({ quiet: true });
  const port = await freeLoopbackPort();
  const child = trackChild(
    spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new CannotRunError(`moto_server exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new CannotRunError(`moto_server did not answer on ${endpoint} within the timeout:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, port, stop: () => stopChild(child) };
}
