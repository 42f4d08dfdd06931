import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotRunError } from '../common/cli';
import { toolDir } from './cache';

/**
 * k6-operator's `TestRun` CRD, which the manifests of `npm run load -- --emit k6-operator` are
 * validated against. It comes from the operator's Go module, pinned by version and by the module's
 * own `h1:` checksum (what go.sum would record), fetched through the Go module proxy into the tool
 * cache; only the CRD file is kept, checked by its SHA-256. Nothing of the operator is committed.
 */
export const K6_OPERATOR = {
  module: 'github.com/grafana/k6-operator',
  version: 'v0.0.19',
  /** `go mod download -json` → `Sum` of this version. */
  moduleSum: 'h1:9qEoO5bo7/Cc6DxbYE9uKHThDgJdl4eaEhC+s8dmrVk=',
  crdPath: 'config/crd/bases/k6.io_testruns.yaml',
  crdSha256: '3f328323feae172eafc6e25181582ff3f3e938ff86963addbeec9b89f124c316',
} as const;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

interface GoModDownload {
  Dir?: string;
  Sum?: string;
  Error?: string;
}

function goModDownload(cwd: string, modCache: string): Promise<GoModDownload> {
  const target = `${K6_OPERATOR.module}@${K6_OPERATOR.version}`;
  return new Promise((resolve, reject) => {
    execFile(
      'go',
      ['mod', 'download', '-json', target],
      // Outside any module; a private module cache that is removed afterwards.
      {
        cwd,
        env: { ...process.env, GOMODCACHE: modCache, GOFLAGS: '-modcacherw', GO111MODULE: 'on' },
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        let parsed: GoModDownload | undefined;
        try {
          parsed = JSON.parse(stdout) as GoModDownload;
        } catch {
          parsed = undefined;
        }
        if (parsed && !parsed.Error && !error) resolve(parsed);
        else
          reject(
            new Error(
              `go mod download ${target} failed: ${parsed?.Error ?? (stderr.trim() || error?.message)}`,
            ),
          );
      },
    );
  });
}

/** Go's module cache makes files read-only; make them writable so the temporary copy can go. */
function removeTree(dir: string): void {
  const writable = (path: string) => {
    chmodSync(path, 0o700);
    if (statSync(path).isDirectory())
      for (const entry of readdirSync(path)) {
        const child = join(path, entry);
        if (statSync(child).isDirectory()) writable(child);
        else chmodSync(child, 0o600);
      }
  };
  if (existsSync(dir)) writable(dir);
  rmSync(dir, { recursive: true, force: true });
}

function howToGetCrd(): string {
  return [
    `k6-operator's TestRun CRD (${K6_OPERATOR.module}@${K6_OPERATOR.version}) is needed and could not be fetched.`,
    '  • install Go (https://go.dev/dl/) and allow the Go module proxy (GOPROXY, default https://proxy.golang.org)',
    `  • or place ${K6_OPERATOR.crdPath} of that release at ${join(toolDir('k6-operator', K6_OPERATOR.version), 'k6.io_testruns.yaml')}`,
  ].join('\n');
}

/**
 * The path of the pinned `TestRun` CRD in the tool cache, fetched on first use with
 * `go mod download`. Any mismatch of checksums is an error, never a silent refetch.
 */
export async function ensureTestRunCrd(): Promise<string> {
  const cached = join(toolDir('k6-operator', K6_OPERATOR.version), 'k6.io_testruns.yaml');
  if (existsSync(cached)) {
    if (sha256(cached) === K6_OPERATOR.crdSha256) return cached;
    throw new CannotRunError(
      `${cached} does not have the pinned SHA-256 ${K6_OPERATOR.crdSha256}; remove it to refetch`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'k6-operator-'));
  try {
    const downloaded = await goModDownload(work, join(work, 'modcache')).catch((error: Error) => {
      throw new CannotRunError(`${error.message}\n\n${howToGetCrd()}`);
    });
    if (downloaded.Sum !== K6_OPERATOR.moduleSum) {
      throw new CannotRunError(
        `${K6_OPERATOR.module}@${K6_OPERATOR.version} has checksum ${downloaded.Sum}, pinned ${K6_OPERATOR.moduleSum}`,
      );
    }
    const crd = join(downloaded.Dir ?? '', K6_OPERATOR.crdPath);
    if (!existsSync(crd) || sha256(crd) !== K6_OPERATOR.crdSha256) {
      throw new CannotRunError(
        `${crd} is missing or does not have the pinned SHA-256 ${K6_OPERATOR.crdSha256}`,
      );
    }
    writeFileSync(cached, readFileSync(crd));
    return cached;
  } finally {
    removeTree(work);
  }
}
