import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { UsageError } from '../../common/cli';
import { TOOL_VERSIONS } from '../../tools/cache';
import { LOAD_SCRIPT } from './k6-process';
import type { LoadProfile } from './types';

/**
 * `npm run load -- --runners N --emit k6-operator DIR`: what `kubectl apply -f DIR` needs to run
 * the profile on Kubernetes with grafana/k6-operator, written so that `--collect` can judge the
 * run over all its runners afterwards:
 *
 * - `00-script.yaml`: a ConfigMap with the script bundled into one file (k6 imports `./lib/…`,
 *   which a ConfigMap's flat keys cannot hold);
 * - `01-results.yaml`: a ReadWriteMany PersistentVolumeClaim every runner writes into, and a small
 *   pod that serves it over HTTP for `--collect URL` (or `kubectl cp` for `--collect DIR`);
 * - `02-testrun.yaml`: the `TestRun` with `parallelism: N`, the profile's settings as `-e`, and
 *   each runner's raw samples (`--out json`) and summary written to `/results`, named after the
 *   runner's job (`RUNNER`, from the pod's `job-name` label).
 */

export interface EmitOptions {
  baseUrl: string;
  runId: string;
  profile: LoadProfile;
  env: Record<string, string>;
  runners: number;
  dir: string;
}

export const SCRIPT_FILE = 'get-pets.js';
export const RESULTS_CLAIM = 'pets-k6-results';
export const RESULTS_READER = 'pets-k6-results-reader';
const RESULTS_MOUNT = '/results';
/** The k6 the runners run: the same release the harness builds locally. */
export const K6_IMAGE = `grafana/k6:${TOOL_VERSIONS.k6.replace(/^v/, '')}`;

/** A Kubernetes name for the run: lower case, digits and dashes, short enough for its jobs' names. */
export function testRunName(runId: string): string {
  const cleaned = runId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `pets-${cleaned}`.slice(0, 48).replace(/-+$/, '');
}

/** The script and its `load/lib/` imports as one ES module; k6's own modules stay imports. */
async function bundleScript(): Promise<string> {
  const result = await build({
    entryPoints: [LOAD_SCRIPT],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * The script's settings for `TestRun.spec.arguments`. k6-operator splits that string on single
 * spaces (and hands it to `k6 archive` in its initializer, which does not read the pod's
 * environment), so settings travel as `-e` and may not hold white space.
 */
function scriptArguments(options: EmitOptions): string {
  const settings: Record<string, string> = {
    ...options.env,
    BASE_URL: options.baseUrl,
    PROFILE: options.profile,
    RUN_ID: options.runId,
    REPORTS_DIR: RESULTS_MOUNT,
  };
  const parts = ['--out', `json=${RESULTS_MOUNT}/$(RUNNER)-k6-samples.json.gz`, '--no-usage-report'];
  for (const [name, value] of Object.entries(settings)) {
    if (/\s/.test(value) || value === '') {
      throw new UsageError(
        `--env ${name}: k6-operator passes settings as '-e NAME=VALUE' split on spaces; '${value}' cannot be one`,
      );
    }
    parts.push('-e', `${name}=${value}`);
  }
  return parts.join(' ');
}

function labels(options: EmitOptions): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'pets-harness',
    'pets-harness/run-id': testRunName(options.runId).slice(5),
  };
}

export function testRunManifest(options: EmitOptions) {
  const name = testRunName(options.runId);
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, labels: labels(options) },
    spec: {
      parallelism: options.runners,
      script: { configMap: { name: `${name}-script`, file: SCRIPT_FILE } },
      arguments: scriptArguments(options),
      runner: {
        image: K6_IMAGE,
        env: [
          // Kubernetes expands $(RUNNER) in the command line from this variable: each runner's
          // files carry its job's name (`<test run>-<index>`).
          { name: 'RUNNER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } },
        ],
        volumes: [{ name: 'results', persistentVolumeClaim: { claimName: RESULTS_CLAIM } }],
        // One folder per run on the shared volume; the kubelet creates it.
        volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT, subPath: name }],
      },
    },
  };
}

function scriptConfigMap(options: EmitOptions, script: string) {
  const name = `${testRunName(options.runId)}-script`;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: labels(options) },
    data: { [SCRIPT_FILE]: script },
  };
}

function resultsManifests(options: EmitOptions) {
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: RESULTS_CLAIM, labels: { 'app.kubernetes.io/part-of': 'pets-harness' } },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '2Gi' } } },
  };
  const reader = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: RESULTS_READER, labels: labels(options) },
    spec: {
      containers: [
        {
          name: 'http',
          image: 'python:3.13-alpine',
          command: ['python', '-m', 'http.server', '8080', '--directory', RESULTS_MOUNT],
          ports: [{ containerPort: 8080 }],
          volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT, readOnly: true }],
        },
      ],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName: RESULTS_CLAIM, readOnly: true } }],
    },
  };
  return [claim, reader];
}

/** Writes the manifests into `options.dir`; returns the files written. */
export async function emitK6Operator(options: EmitOptions): Promise<string[]> {
  const script = await bundleScript();
  mkdirSync(options.dir, { recursive: true });
  const documents: [string, unknown[]][] = [
    ['00-script.yaml', [scriptConfigMap(options, script)]],
    ['01-results.yaml', resultsManifests(options)],
    ['02-testrun.yaml', [testRunManifest(options)]],
  ];
  return documents.map(([file, manifests]) => {
    const path = join(options.dir, file);
    writeFileSync(path, manifests.map((manifest) => stringify(manifest, { lineWidth: 0 })).join('---\n'));
    return path;
  });
}
