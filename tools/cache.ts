import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toolCacheDir } from '../common/paths';

/** Pinned tool versions: one place to bump them. */
export const TOOL_VERSIONS = {
  k6: 'v1.8.1',
  moto: '5.2.5',
  // The npm package whose Linux x64 headless Chromium is used when the machine has no browser.
  browser: '153.0.0',
  /** The Node.js of the function's runtime (nodejs22.x), for its execution environments. */
  runtimeNode: '22.23.5',
  schemathesis: '4.32.5',
} as const;

/** `<cache>/<parts…>`, created on demand. */
export function toolDir(...parts: string[]): string {
  const dir = join(toolCacheDir(), ...parts);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return dir;
}

/** Options every `ensureX()` provisioner takes. */
export interface EnsureOptions {
  /** Print nothing unless work is done (the provider calls provisioners on demand). */
  quiet?: boolean;
}
