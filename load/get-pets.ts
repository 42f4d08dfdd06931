/**
 * Load test of the read path of the pets API: `GET /pets`, `GET /pets?type=…`, `GET /pets/{id}` and
 * a paging walk over `Link: rel="next"`.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:3000/default -e PROFILE=smoke load/get-pets.ts
 *
 * Profiles (`-e PROFILE=`): smoke, load, stress, spike, soak — see docs/load.md, for every setting.
 * Only standard k6 options and built-in modules, so k6-operator and Grafana Cloud k6 run it as is.
 */
import { sleep } from 'k6';
import exec from 'k6/execution';
import { getFrom, getPet, header, listPets, listPetsByType, type Target, walkPages } from './lib/api.ts';
import { optionsFor, readConfig } from './lib/config.ts';
import { PREFLIGHT_ROUTE } from './lib/routes.ts';
import { junitXml, textSummary } from './lib/summary.ts';
import type { SummaryData } from './lib/summary-data.ts';

const config = readConfig();

export const options = optionsFor(config);

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

/** A run id that sorts by time, for runs started by hand without `-e RUN_ID`. */
function adHocRunId(): string {
  return `k6-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..+$/, '')}`;
}

/**
 * Once, before any VU starts: prove the API answers and holds the seeded pets, so a wrong URL or
 * an empty table stops the run at once (exit 108) with the reason, instead of a minute of errors.
 * These requests also pay the first cold start (function and DynamoDB), outside the per-route budgets.
 */
export function setup(): Target {
  const target: Target = { baseUrl: config.baseUrl, runId: config.runId ?? adHocRunId() };
  const list = getFrom(
    target,
    PREFLIGHT_ROUTE,
    `${config.baseUrl}/pets?limit=1`,
    'preflight GET /pets',
  ).response;
  if (list.status !== 200) {
    const why = list.error
      ? `${list.error} (${list.error_code})`
      : `status ${list.status} ${list.body ?? ''}`;
    exec.test.abort(
      `preflight: GET ${config.baseUrl}/pets?limit=1 failed: ${why}. Is the stage up and BASE_URL right?`,
    );
  }
  const firstId = config.petIds[0] ?? 1;
  const pet = getFrom(
    target,
    PREFLIGHT_ROUTE,
    `${config.baseUrl}/pets/${firstId}`,
    'preflight GET /pets/{id}',
  );
  if (pet.response.status !== 200) {
    exec.test.abort(
      `preflight: GET /pets/${firstId} answered ${pet.response.status}: seed the table (npm run seed) or set PET_IDS to ids it holds`,
    );
  }
  // Touch the type index once too, so its first (cold) query is not counted against a budget.
  getFrom(
    target,
    PREFLIGHT_ROUTE,
    `${config.baseUrl}/pets?type=${encodeURIComponent(config.petTypes[0] ?? 'dog')}`,
    'preflight GET /pets?type=…',
  );
  if (!(header(list, 'content-type') ?? '').includes('application/json')) {
    exec.test.abort(
      `preflight: GET /pets did not answer JSON; is BASE_URL the stage URL (with the stage name)?`,
    );
  }
  return target;
}

export default function (target: Target): void {
  listPets(target);
  listPetsByType(target, pick(config.petTypes));
  getPet(target, pick(config.petIds));
  walkPages(target, config.pageLimit, config.maxPages, config.petIds);
  if (config.thinkTimeSeconds > 0) sleep(config.thinkTimeSeconds);
}

export function handleSummary(data: SummaryData): Record<string, string> {
  const setupTarget = data.setup_data as Target | undefined;
  const label = {
    profile: config.profile,
    baseUrl: config.baseUrl,
    runId: setupTarget?.runId ?? config.runId ?? '',
  };
  // The runner creates REPORTS_DIR (k6 does not create folders); by hand, files land in the cwd.
  // One of several runners (RUNNER) names its files after itself, so they can share a folder.
  const folder = config.reportsDir ? `${config.reportsDir.replace(/\/+$/, '')}/` : '';
  const prefix = `${folder}${config.runner ? `${config.runner}-` : ''}`;
  const text = textSummary(data, label, config.minChecksRate);
  return {
    stdout: text,
    [`${prefix}k6-summary.json`]: JSON.stringify(data, null, 2),
    [`${prefix}k6-summary.txt`]: text,
    [`${prefix}k6-junit.xml`]: junitXml(data, label, config.minChecksRate),
  };
}
