import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ensureK6 } from '../../tools/k6';
import { ensureTestRunCrd, K6_OPERATOR } from '../../tools/k6-operator';
import { collectRun } from './collect';
import {
  emitK6Operator,
  K6_IMAGE,
  RESULTS_CLAIM,
  SCRIPT_FILE,
  type testRunManifest,
  testRunName,
} from './k6-operator';
import { LOAD_SCRIPT } from './k6-process';
import { executionSegments } from './runners';
import { crdValidator } from './test/crd-schema';
import { type FixedLatencyApi, startFixedLatencyApi } from './test/fixed-latency-api';

type TestRun = ReturnType<typeof testRunManifest>;

/** The fields these tests read of any manifest. */
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { accessModes?: string[] };
}

function documents(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as Manifest);
}

function scriptOf(manifests: Manifest[]): string {
  return manifests.find((manifest) => manifest.kind === 'ConfigMap')?.data?.[SCRIPT_FILE] ?? '';
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What k6-operator v0.0.19 keeps of `spec.arguments` for `k6 archive` (pkg/types/k6cli.go): no outputs. */
function archiveArguments(argumentsLine: string): string[] {
  const args = argumentsLine.split(' ');
  const kept: string[] = [];
  for (let i = 0; i < args.length; ) {
    let end = i + 1;
    while (end < args.length && !(args[end] ?? '').startsWith('-')) end += 1;
    if (!['-o', '--out', '-l', '--linger', '--no-usage-report'].includes(args[i] ?? ''))
      kept.push(...args.slice(i, end));
    i = end;
  }
  return kept;
}

describe('k6-operator manifests for 3 runners', () => {
  const runId = `K8s_demo.${Date.now()}`;
  const name = testRunName(runId);
  let dir: string;
  let manifests: Manifest[];
  let testRun: TestRun;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k6-operator-test-'));
    await emitK6Operator({
      baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/default',
      runId,
      profile: 'load',
      env: { VUS: '60', P95_MS: '300' },
      runners: 3,
      dir: join(dir, 'manifests'),
    });
    manifests = readdirSync(join(dir, 'manifests'))
      .sort()
      .flatMap((file) => documents(join(dir, 'manifests', file)));
    testRun = manifests.find((manifest) => manifest.kind === 'TestRun') as unknown as TestRun;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`validates the TestRun against the CRD of k6-operator ${K6_OPERATOR.version}, fetched from the Go module proxy`, async () => {
    // Fails loudly (CannotRunError with the how-to) when Go or the proxy cannot deliver it.
    const validator = crdValidator(await ensureTestRunCrd());

    expect(validator.validate(testRun)).toEqual([]);
    expect(testRun.metadata.name).toBe(name);
    expect(testRun.spec.parallelism).toBe(3);
    expect(testRun.spec.runner.image).toBe(K6_IMAGE);
  });

  it('proves the validation bites: a misspelt field, a wrong type and a missing script are refused', async () => {
    const validator = crdValidator(await ensureTestRunCrd());
    const broken = structuredClone(testRun) as unknown as {
      spec: Record<string, unknown> & { runner: { image: unknown } };
    };
    broken.spec.paralelism = 3;
    broken.spec.runner.image = 7;
    delete broken.spec.script;

    const problems = validator.validate(broken).join('\n');

    expect(problems).toMatch(/must NOT have additional properties.*paralelism/);
    expect(problems).toMatch(/\/spec\/runner\/image: must be string/);
    expect(problems).toMatch(/must have required property 'script'/);
  });

  it('puts the bundled script in the ConfigMap the TestRun names, and the results on one shared claim', () => {
    const configMap = manifests.find((m) => m.kind === 'ConfigMap');
    expect(testRun.spec.script.configMap).toEqual({ name: configMap?.metadata.name, file: SCRIPT_FILE });
    expect(scriptOf(manifests)).toMatch(/from "k6\/http"/);
    expect(scriptOf(manifests)).not.toMatch(/from "\.\/lib/);
    const claim = manifests.find((m) => m.kind === 'PersistentVolumeClaim');
    expect(claim?.metadata.name).toBe(RESULTS_CLAIM);
    expect(claim?.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(testRun.spec.runner.volumes).toEqual([
      { name: 'results', persistentVolumeClaim: { claimName: RESULTS_CLAIM } },
    ]);
    expect(testRun.spec.runner.volumeMounts).toEqual([
      { name: 'results', mountPath: '/results', subPath: name },
    ]);
    expect(testRun.spec.arguments).toMatch(/^--out json=\/results\/\$\(RUNNER\)-k6-samples\.json\.gz /);
  });

  it("lets k6 archive and inspect the bundle with the TestRun's arguments, as the operator's initializer does", async () => {
    const k6 = await ensureK6({ quiet: true });
    const script = join(dir, SCRIPT_FILE);
    writeFileSync(script, scriptOf(manifests));
    const archiveArgs = archiveArguments(testRun.spec.arguments);

    const archived = await run(k6, ['archive', script, '-O', join(dir, 'archive.tar'), ...archiveArgs]);
    const inspected = await run(k6, ['inspect', '--execution-requirements', join(dir, 'archive.tar')]);
    const source = await run(k6, ['inspect', LOAD_SCRIPT, ...archiveArgs]);

    expect([archived.code, archived.stderr]).toEqual([0, expect.not.stringMatching(/level=error/)]);
    expect(inspected.code).toBe(0);
    const options = JSON.parse(inspected.stdout) as {
      thresholds: unknown;
      scenarios: Record<string, unknown>;
    };
    // The bundle under the operator's arguments holds the profile the TypeScript source holds.
    expect(options.thresholds).toEqual((JSON.parse(source.stdout) as { thresholds: unknown }).thresholds);
    expect(Object.keys(options.scenarios)).toEqual(['load']);
    expect(JSON.stringify(options.thresholds)).toContain('p(95)<300');
  }, 120_000);
});

/** Serves `dir` as an HTML index (`/index/`) and as an S3 ListObjectsV2 answer (`/bucket?list-type=2`). */
async function listingServer(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const files = readdirSync(dir);
    if (url.pathname === '/index/') {
      response.end(
        `<html><body><ul>${files.map((f) => `<li><a href="${f}">${f}</a></li>`).join('')}</ul></body></html>`,
      );
    } else if (url.pathname === '/bucket' && url.searchParams.get('list-type') === '2') {
      response.end(
        `<?xml version="1.0"?><ListBucketResult>${files.map((f) => `<Contents><Key>run/${f}</Key></Contents>`).join('')}</ListBucketResult>`,
      );
    } else {
      const file = decodeURIComponent(url.pathname.split('/').pop() ?? '');
      if (!files.includes(file)) {
        response.writeHead(404).end();
        return;
      }
      response.end(readFileSync(join(dir, file)));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('collecting what k6-operator runner pods wrote', () => {
  const runId = `collect-${Date.now()}`;
  const name = testRunName(runId);
  let dir: string;
  let results: string;
  let api: FixedLatencyApi;
  let listing: { url: string; server: Server };

  /** Each runner pod's command as k6-operator v0.0.19 builds it (pkg/resources/jobs/runner.go), run here. */
  async function runPods(k6: string, testRun: TestRun, script: string): Promise<void> {
    const segments = executionSegments(3);
    await Promise.all(
      segments.map(async (segment, index) => {
        const runner = `${name}-${index + 1}`;
        // What Kubernetes does to the command: $(RUNNER) from the pod's env; /results is the volume.
        const args = testRun.spec.arguments
          .replaceAll('$(RUNNER)', runner)
          .replaceAll('/results', results)
          .split(' ');
        const command = [
          'run',
          '--quiet',
          `--execution-segment=${segment.segment}`,
          `--execution-segment-sequence=${segment.sequence}`,
          ...args,
          script,
          '--address=',
          '--tag',
          `instance_id=${index + 1}`,
          '--tag',
          `job_name=${runner}`,
        ];
        const result = await run(k6, command, { ...process.env, RUNNER: runner, K6_NO_USAGE_REPORT: 'true' });
        expect([runner, result.code]).toEqual([runner, 0]);
      }),
    );
  }

  beforeAll(async () => {
    const k6 = await ensureK6({ quiet: true });
    dir = mkdtempSync(join(tmpdir(), 'k6-collect-test-'));
    results = join(dir, 'results');
    mkdirSync(results);
    api = await startFixedLatencyApi(20);
    await emitK6Operator({
      baseUrl: api.url,
      runId,
      profile: 'smoke',
      env: { VUS: '3', DURATION: '4s' },
      runners: 3,
      dir: join(dir, 'manifests'),
    });
    const [testRun] = documents(join(dir, 'manifests', '02-testrun.yaml'));
    const script = join(dir, SCRIPT_FILE);
    writeFileSync(script, scriptOf(documents(join(dir, 'manifests', '00-script.yaml'))));
    await runPods(k6, testRun as unknown as TestRun, script);
    listing = await listingServer(results);
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    listing?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a folder', () => results],
    ['an HTML listing', () => `${listing.url}/index/`],
    ['an S3 listing', () => `${listing.url}/bucket?list-type=2&prefix=run/`],
  ])(
    'judges the outputs in %s over all 3 runners',
    async (_, source) => {
      const reportsDir = mkdtempSync(join(dir, 'collected-'));

      const result = await collectRun({ source: source(), reportsDir, runId, runners: 3 });

      expect(result).toMatchObject({ passed: true, exitCode: 0 });
      expect(result.explanation).toMatch(/^3 runners merged: passed/);
      expect(result.runners?.map((r) => [r.name, r.segment])).toEqual([
        [`${name}-1`, '0:1/3'],
        [`${name}-2`, '1/3:2/3'],
        [`${name}-3`, '2/3:1'],
      ]);
      expect(result.runners?.reduce((sum, r) => sum + r.requests, 0)).toBe(result.requests);
      expect(result.routes.every((route) => route.count > 0)).toBe(true);
    },
    60_000,
  );

  it('fails the run naming a runner the TestRun had but whose outputs are missing', async () => {
    const result = await collectRun({
      source: results,
      reportsDir: mkdtempSync(join(dir, 'collected-')),
      runId,
      runners: 4,
    });

    expect(result).toMatchObject({ passed: false, exitCode: 1 });
    expect(result.explanation).toBe(
      `1 of 4 runners failed, so the run fails: ${name}-4 (segment 3/4:1): wrote no samples: it did not start`,
    );
  });
});
