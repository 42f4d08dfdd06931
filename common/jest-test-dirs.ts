import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest's global setup for every project: runs and log stores that tests create go under one
 * temporary directory, so `npm test` leaves the user's `reports/` and `.pets-harness/logs` as it
 * found them. Workers and the harness processes tests start inherit these variables.
 */
export default function useTemporaryRunDirectories(): void {
  const root = mkdtempSync(join(tmpdir(), 'pets-harness-test-runs-'));
  process.env.PETS_REPORTS_DIR ??= join(root, 'reports');
  process.env.PETS_LOG_DIR ??= join(root, 'logs');
  process.stderr.write(`[tests] runs and logs of this test run go to ${root}\n`);
}
