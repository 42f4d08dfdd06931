import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The project root (this file lives in `<root>/common`). */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** Tool cache: k6 binary, Node binaries, the moto and Schemathesis virtualenvs, a browser. */
export function toolCacheDir(): string {
  return process.env.PETS_HARNESS_CACHE ?? join(homedir(), '.cache', 'pets-harness');
}

/** `reports/<run-id>/`, where every step of one run writes its output. */
export function reportsDir(runId: string): string {
  return join(process.env.PETS_REPORTS_DIR ?? join(PROJECT_ROOT, 'reports'), runId);
}

/** The local log store's root; the stage writes here and the log check reads from here. */
export function localLogDir(): string {
  return process.env.PETS_LOG_DIR ?? join(PROJECT_ROOT, '.pets-harness', 'logs');
}

/** A run id that sorts by time and is safe in a path and a header. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..+$/, '').replace('T', '-');
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}
