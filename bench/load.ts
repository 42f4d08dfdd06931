/**
 * `npm run bench:load`: the k6 `load` profile against a local stage (own table, own log folder),
 * printing req/s and p50/p95/p99 per route. A benchmark that prints figures, not a test: the
 * verdict of the thresholds is shown but does not change the exit code.
 *
 * Bounded: ramp 10 s, hold 30 s, ramp down 5 s by default. Override with the script's own env,
 * e.g. `VUS=10 DURATION=20s npm run bench:load`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunId } from '../common/paths';
import { runLoad } from '../load/runner/index';
import { startLocalApi } from '../local';

/** Script settings a caller may pass through the environment. */
const PASSED_THROUGH = ['VUS', 'DURATION', 'RAMP_UP', 'RAMP_DOWN', 'THINK_TIME_S', 'PAGE_LIMIT'] as const;

function column(text: string, width: number): string {
  return text.padStart(width);
}

async function main(): Promise<void> {
  const env: Record<string, string> = { VUS: '5', DURATION: '30s', RAMP_UP: '10s', RAMP_DOWN: '5s' };
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'bench-load-'));
  const api = await startLocalApi({
    port: 0,
    tableName: `pets-bench-load-${process.pid}`,
    seed: true,
    logDir: join(workDir, 'logs'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const runId = `bench-load-${newRunId()}`;
    const result = await runLoad({
      baseUrl: api.url,
      runId,
      profile: 'load',
      reportsDir: join(workDir, 'reports'),
      env,
      progressLine: true,
    });
    const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
    console.log(
      `\nk6 load profile against the local stage (DynamoDB: ${api.dynamoDbKind}), ${cpus().length} cores, ` +
        `VUS=${env.VUS} ramp ${env.RAMP_UP} / hold ${env.DURATION} / down ${env.RAMP_DOWN}, ${seconds.toFixed(1)}s wall`,
    );
    console.log(
      `\n  ${'route'.padEnd(14)}${column('requests', 10)}${column('req/s', 9)}${column('p50 ms', 9)}${column('p95 ms', 9)}${column('p99 ms', 9)}${column('failed', 9)}`,
    );
    for (const route of result.routes) {
      console.log(
        `  ${route.route.padEnd(14)}${column(String(route.count), 10)}${column(route.rps.toFixed(1), 9)}` +
          `${column(route.p50.toFixed(1), 9)}${column(route.p95.toFixed(1), 9)}${column(route.p99.toFixed(1), 9)}` +
          `${column(`${(route.failedRate * 100).toFixed(2)}%`, 9)}`,
      );
    }
    const total = result.routes.reduce((sum, route) => sum + route.rps, 0);
    console.log(
      `  ${'all routes'.padEnd(14)}${column(String(result.requests), 10)}${column(total.toFixed(1), 9)}`,
    );
    console.log(`\n${result.explanation}`);
  } finally {
    await api.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
