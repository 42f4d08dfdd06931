import type { Options, Scenario, Threshold } from 'k6/options';
import { durationSeconds, envDuration, envInt, envList, envNumber, envString } from './env.ts';
import { ROUTE_NAMES, routeEnvSuffix } from './routes.ts';
import { DEFAULT_PET_IDS, DEFAULT_PET_TYPES, parseIdList } from './seeded.ts';

export const PROFILES = ['smoke', 'load', 'stress', 'spike', 'soak'] as const;
export type Profile = (typeof PROFILES)[number];

/** Everything one run needs, read once from `__ENV` in the init context. */
export interface RunConfig {
  profile: Profile;
  /** Stage URL without a trailing slash, e.g. `http://127.0.0.1:3000/default`. */
  baseUrl: string;
  /** `-e RUN_ID`; when absent, `setup()` makes one so the run still has a single id. */
  runId: string | undefined;
  /** Where `handleSummary` writes; the runner passes `reports/<run-id>`. */
  reportsDir: string | undefined;
  /** One of several runners (`RUNNER`): its report files are named `<runner>-k6-summary.json`, … */
  runner: string | undefined;
  petIds: number[];
  petTypes: string[];
  pageLimit: number;
  maxPages: number;
  thinkTimeSeconds: number;
  budgets: Record<string, { p95: number; p99: number }>;
  maxFailedRate: number;
  minChecksRate: number;
  abortFailedRate: number;
  abortDelay: string;
}

/**
 * Latency budgets (ms) per profile: what a user of the deployed API would accept. Stress and spike
 * push past the planned capacity on purpose, so their budgets are wider.
 */
const BUDGETS: Record<Profile, { p95: number; p99: number }> = {
  smoke: { p95: 500, p99: 1000 },
  load: { p95: 500, p99: 1000 },
  stress: { p95: 1500, p99: 3000 },
  spike: { p95: 2000, p99: 4000 },
  soak: { p95: 500, p99: 1000 },
};

const THINK_TIME_S: Record<Profile, number> = { smoke: 0.25, load: 0.2, stress: 0.1, spike: 0.1, soak: 1 };

/** The longest any profile may run, so a typo in a duration cannot keep a run going for days. */
const MAX_RUN_SECONDS: Record<Profile, number> = {
  smoke: 300,
  load: 3600,
  stress: 3600,
  spike: 3600,
  soak: 8 * 3600,
};

const MAX_VUS = 500;

function profileFromEnv(): Profile {
  const raw = envString('PROFILE', 'smoke');
  if (!(PROFILES as readonly string[]).includes(raw)) {
    throw new Error(`PROFILE must be one of ${PROFILES.join(', ')}, got '${raw}'`);
  }
  return raw as Profile;
}

function baseUrlFromEnv(): string {
  const raw = __ENV.BASE_URL;
  if (raw === undefined || raw.trim() === '') {
    throw new Error('BASE_URL is required: the stage URL, e.g. -e BASE_URL=http://127.0.0.1:3000/default');
  }
  if (!/^https?:\/\/[^/]+/.test(raw.trim())) throw new Error(`BASE_URL must be an http(s) URL, got '${raw}'`);
  return raw.trim().replace(/\/+$/, '');
}

function runnerFromEnv(): string | undefined {
  const raw = __ENV.RUNNER?.trim();
  if (!raw) return undefined;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(raw))
    throw new Error(`RUNNER may hold letters, digits, '.', '_' and '-', got '${raw}'`);
  return raw;
}

export function readConfig(): RunConfig {
  const profile = profileFromEnv();
  const defaults = BUDGETS[profile];
  const p95 = envNumber('P95_MS', defaults.p95, 0, 600_000);
  const p99 = envNumber('P99_MS', defaults.p99, 0, 600_000);
  const budgets: RunConfig['budgets'] = {};
  for (const route of ROUTE_NAMES) {
    const suffix = routeEnvSuffix(route);
    budgets[route] = {
      p95: envNumber(`P95_MS_${suffix}`, p95, 0, 600_000),
      p99: envNumber(`P99_MS_${suffix}`, p99, 0, 600_000),
    };
  }
  const petTypes = envList('PET_TYPES', DEFAULT_PET_TYPES);
  if (petTypes.length === 0) throw new Error('PET_TYPES must name at least one type');
  return {
    profile,
    baseUrl: baseUrlFromEnv(),
    runId: __ENV.RUN_ID?.trim() || undefined,
    reportsDir: __ENV.REPORTS_DIR?.trim() || undefined,
    runner: runnerFromEnv(),
    petIds: parseIdList(envString('PET_IDS', DEFAULT_PET_IDS)),
    petTypes,
    pageLimit: envInt('PAGE_LIMIT', 7, 1, 1000),
    maxPages: envInt('PAGE_MAX', 50, 1, 1000),
    thinkTimeSeconds: envNumber('THINK_TIME_S', THINK_TIME_S[profile], 0, 60),
    budgets,
    maxFailedRate: envNumber('MAX_FAILED_RATE', 0.01, 0, 1),
    minChecksRate: envNumber('MIN_CHECKS_RATE', 0.99, 0, 1),
    abortFailedRate: envNumber('ABORT_FAILED_RATE', 0.1, 0, 1),
    abortDelay: envDuration('ABORT_DELAY', '10s', 3600),
  };
}

type Stage = { duration: string; target: number };

function stagesSeconds(stages: Stage[]): number {
  return stages.reduce((total, stage) => total + durationSeconds(stage.duration), 0);
}

/** The shape of every ramping profile: how many VUs, how fast, for how long. */
interface Shape {
  max: number;
  vus: number;
  rampUp: string;
  rampDown: string;
}

/** Steps of 1×, 2×, 3× and 4× the planned VUs, each held, to find where latency bends. */
function stressStages({ max, vus, rampUp, rampDown }: Shape): Stage[] {
  const step = envDuration('STEP_DURATION', '20s', max);
  const stages = [1, 2, 3, 4].flatMap((factor) => [
    { duration: rampUp, target: Math.min(vus * factor, MAX_VUS) },
    { duration: step, target: Math.min(vus * factor, MAX_VUS) },
  ]);
  return [...stages, { duration: rampDown, target: 0 }];
}

/** A quiet baseline, a sudden jump, and a look at whether the API recovers afterwards. */
function spikeStages({ max, vus, rampDown }: Shape): Stage[] {
  const spikeVus = envInt('SPIKE_VUS', Math.min(vus * 6, MAX_VUS), 1, MAX_VUS);
  const base = Math.max(1, Math.floor(vus / 5));
  const hold = envDuration('DURATION', '20s', max);
  return [
    { duration: '10s', target: base },
    { duration: '5s', target: spikeVus },
    { duration: hold, target: spikeVus },
    { duration: '5s', target: base },
    { duration: hold, target: base },
    { duration: rampDown, target: 0 },
  ];
}

/** Ramp up, hold, ramp down: the load and soak profiles. */
function holdStages({ max, vus, rampUp, rampDown }: Shape, hold: string): Stage[] {
  return [
    { duration: rampUp, target: vus },
    { duration: envDuration('DURATION', hold, max), target: vus },
    { duration: rampDown, target: 0 },
  ];
}

/** The one scenario of a profile: its executor, VUs and stages, each overridable by env. */
function scenarioFor(profile: Profile): Scenario {
  const max = MAX_RUN_SECONDS[profile];
  // Sized for a 2-core machine that also runs the local stage; raise VUS against a deployed stage.
  const vus = envInt('VUS', profile === 'smoke' ? 1 : 5, 1, MAX_VUS);
  if (profile === 'smoke') {
    return {
      executor: 'constant-vus',
      vus,
      duration: envDuration('DURATION', '10s', max),
      gracefulStop: '5s',
    };
  }
  const shape: Shape = {
    max,
    vus,
    rampUp: envDuration('RAMP_UP', profile === 'soak' ? '1m' : '10s', max),
    rampDown: envDuration('RAMP_DOWN', profile === 'soak' ? '1m' : '5s', max),
  };
  const stages =
    profile === 'stress'
      ? stressStages(shape)
      : profile === 'spike'
        ? spikeStages(shape)
        : holdStages(shape, profile === 'soak' ? '30m' : '30s');
  const total = stagesSeconds(stages);
  if (total > max) {
    throw new Error(`the ${profile} profile would run ${Math.round(total)}s; it is bounded to ${max}s`);
  }
  return { executor: 'ramping-vus', startVUs: 0, stages, gracefulRampDown: '5s', gracefulStop: '10s' };
}

/**
 * The most VUs the profile's scenario runs at once, as its stages say (each VU has at most one
 * request in flight): the peak concurrency a run of this profile drives against the function.
 * Outside k6 every setting takes its default, which is what a harness run passes.
 */
export function peakConcurrency(profile: Profile): number {
  const scenario = scenarioFor(profile);
  if (scenario.executor === 'constant-vus') return scenario.vus ?? 1;
  if (scenario.executor === 'ramping-vus') {
    return Math.max(scenario.startVUs ?? 1, ...scenario.stages.map((stage) => stage.target));
  }
  throw new Error(`the ${profile} profile's executor ${scenario.executor} has no VU count to read`);
}

/**
 * Thresholds: the run fails (exit 99) when any is crossed. Every route gets its own latency,
 * failure, check and count thresholds — k6 keeps per-tag submetrics in the summary only for
 * metrics a threshold names, so these are also what makes per-route summaries possible.
 */
function thresholdsFor(config: RunConfig): Record<string, Threshold[]> {
  const thresholds: Record<string, Threshold[]> = {
    http_req_failed: [
      `rate<${config.maxFailedRate}`,
      // Stop early when the API is clearly broken rather than hammering it to the end; the delay
      // lets a cold start or two pass before the rate is judged.
      {
        threshold: `rate<${config.abortFailedRate}`,
        abortOnFail: true,
        delayAbortEval: config.abortDelay,
      },
    ],
    checks: [`rate>${config.minChecksRate}`],
  };
  for (const route of ROUTE_NAMES) {
    const budget = config.budgets[route] ?? BUDGETS[config.profile];
    thresholds[`http_req_duration{route:${route}}`] = [`p(95)<${budget.p95}`, `p(99)<${budget.p99}`];
    thresholds[`http_req_failed{route:${route}}`] = [`rate<${config.maxFailedRate}`];
    thresholds[`checks{route:${route}}`] = [`rate>${config.minChecksRate}`];
    // A route that sent nothing would pass every other threshold vacuously.
    thresholds[`http_reqs{route:${route}}`] = ['count>0'];
  }
  return thresholds;
}

export function optionsFor(config: RunConfig): Options {
  return {
    scenarios: { [config.profile]: scenarioFor(config.profile) },
    thresholds: thresholdsFor(config),
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    setupTimeout: '60s',
    userAgent: 'pets-harness-k6/1.0',
    // Standard options only, so k6-operator and Grafana Cloud k6 run the script unchanged.
  };
}
