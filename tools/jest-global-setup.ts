import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowser } from './chromium';
import { ensureK6 } from './k6';
import { ensureMoto } from './moto';
import { ensureSchemathesis } from './python-venv';

type Tool = 'k6' | 'moto' | 'browser' | 'schemathesis';

/**
 * Jest's global setup, once per `npm test` before any project's own setup:
 * - runs and log stores that tests create go under one temporary directory, so `npm test` leaves
 *   the user's `reports/` and `.pets-harness/logs` as it found them (workers and the harness
 *   processes tests start inherit these variables);
 * - the tools the selected projects use are provisioned here, with progress on stderr, so that a
 *   first run on a fresh machine builds k6 or fills the moto virtualenv once, visibly, instead of
 *   inside some test's hook timeout. A tool that cannot be had fails the run here, saying how.
 *
 * Keyed by jest project (jest.config.ts): a project left out needs no tool.
 */
export const TOOLS_BY_PROJECT: Readonly<Record<string, readonly Tool[]>> = {
  load: ['k6'],
  // npm start in harness/cli.test.ts checks for k6 first; moto answers STS for the aws target's
  // credentials step; the report page is rendered in the browser.
  harness: ['k6', 'browser', 'moto'],
  logcheck: ['moto'],
  fuzz: ['schemathesis'],
  // tools/chromium.test.ts unpacks and launches the npm browser.
  tools: ['browser'],
  // rehearsal/: log shipping to moto's CloudWatch Logs.
  rehearsal: ['moto'],
  // Whole npm start runs (harness/run.e2e.slow.test.ts): every step's tool; the rehearsal's slow
  // tests deploy into moto and run the harness.
  slow: ['k6', 'browser', 'schemathesis', 'moto'],
};

const PROVISION = {
  k6: () => ensureK6(),
  moto: () => ensureMoto(),
  browser: () => ensureBrowser(),
  schemathesis: () => ensureSchemathesis(),
};

function useTemporaryRunDirectories(): void {
  const root = mkdtempSync(join(tmpdir(), 'pets-harness-test-runs-'));
  process.env.PETS_REPORTS_DIR ??= join(root, 'reports');
  process.env.PETS_LOG_DIR ??= join(root, 'logs');
  process.stderr.write(`[tests] runs and logs of this test run go to ${root}\n`);
}

/** The part of Jest's global config this setup reads: `--selectProjects` and `--ignoreProjects`. */
interface SelectedProjects {
  selectProjects?: string[];
  ignoreProjects?: string[];
}

/** The tools the projects of this run need, once each, in a stable order. */
export function toolsFor(globalConfig: SelectedProjects): Tool[] {
  const ignored = new Set(globalConfig.ignoreProjects ?? []);
  const selected = (globalConfig.selectProjects ?? Object.keys(TOOLS_BY_PROJECT)).filter(
    (project) => !ignored.has(project),
  );
  return [...new Set(selected.flatMap((project) => TOOLS_BY_PROJECT[project] ?? []))];
}

export default async function globalSetup(globalConfig: SelectedProjects): Promise<void> {
  useTemporaryRunDirectories();
  for (const tool of toolsFor(globalConfig)) await PROVISION[tool]();
}
