import { existsSync, statSync } from 'node:fs';
import type { RouteAccess } from '../local/stage/access-patterns';
import { belongsToRun, groupByRequest } from '../logcheck/checks';
import { environmentSeries } from '../logcheck/growth';
import type { ParsedEvent } from '../logcheck/parse';
import { accessFigures, type RouteAccessFigures } from './access';
import { type Histogram, histogramOf } from './histogram';

/**
 * The figures a run keeps for the next one to compare with, in one versioned shape
 * (`summary.json` → `figures`): k6 latency per route and the Lambda REPORT figures as
 * distributions, Max Memory Used per environment against its invocation count, the bundle's size,
 * newman's counts, the log volume (per route too), and cold starts measured apart from the run.
 */

export const FIGURES_VERSION = 1;

export interface EnvironmentFigures {
  logStreamName: string;
  memorySizeMb: number;
  invocations: number;
  /** [invocation number (1-based), Max Memory Used MB] wherever the value changed: the whole series, compactly. */
  maxMemoryUsedMb: [number, number][];
}

export interface RunFigures {
  version: typeof FIGURES_VERSION;
  /** k6 `http_req_duration` per `route` tag (ms), the setup's preflight left out. */
  routes: Record<string, Histogram>;
  lambda: {
    invocations: number;
    memorySizeMb?: number;
    /** REPORT Duration per `METHOD /resource` (from the handler's `request completed` line). */
    durationMs: Record<string, Histogram>;
    billedDurationMs: Histogram;
    /** Σ Billed Duration × Memory Size, in GB-seconds. */
    gbSeconds: number;
    /** Init Duration of each cold start (few, so kept as they are). */
    initDurationMs: number[];
    /** The highest Max Memory Used of the run. */
    maxMemoryUsedMb: number;
    environments: EnvironmentFigures[];
  };
  /** The handler bundle's size (the file the runtime loads at init). */
  bundleBytes?: number;
  newman?: { requests: number; assertions: number; failedAssertions: number };
  /** The function's log events of the run: count and UTF-8 message bytes. */
  logs: { events: number; bytes: number };
  /** The function's DynamoDB calls per route (the local stage sees them; a deployed stack's it does not). */
  dynamoDb?: Record<string, RouteAccessFigures>;
  /**
   * Per route (`METHOD /resource`): the requests the function answered, and the log lines and
   * message bytes those requests left (START to REPORT, the handler's own lines between).
   */
  logsPerRoute?: Record<string, RouteLogVolume>;
  /**
   * Cold starts of fresh environments measured for the comparison (the local stage), when the run
   * had them: a distribution where the run's own REPORT lines have one or two Init Durations.
   */
  init?: { source: string; durationMs: number[]; cpuMs: number[]; referenceCpuMs?: number[] };
  /** How long a fixed piece of CPU work took, again and again while the run measured (common/host-load.ts). */
  host?: HostLoad;
}

export interface HostLoad {
  work: string;
  referenceMs: number[];
}

export interface InitFigures {
  initDurationMs: number;
  initCpuMs: number;
}

export interface RouteLogVolume {
  requests: number;
  lines: number;
  bytes: number;
}

export interface FigureSources {
  runId: string;
  /** Every parsed line the log check read. */
  parsed: readonly ParsedEvent[];
  /** k6 durations per route, when k6 ran. */
  routeDurations?: Record<string, number[]>;
  /** The bundle file, when the run used a local bundle. */
  bundleFile?: string;
  newman?: { requestsSent: number; assertions: { total: number; failed: number } };
  /** The function's DynamoDB calls per route, when the run's stage recorded them. */
  accessPatterns?: readonly RouteAccess[];
  host?: HostLoad;
  /** Init figures of fresh environments, and where they come from. */
  coldStarts?: {
    source: string;
    samples: readonly InitFigures[];
    /** An empty function's cold starts beside them: the host's share of the same work. */
    reference?: readonly InitFigures[];
  };
}

/** `METHOD /resource` of each request, from the handler's `request completed` line. */
function routesByRequest(parsed: readonly ParsedEvent[]): Map<string, string> {
  const routes = new Map<string, string>();
  for (const line of parsed) {
    if (line.kind !== 'app' || line.message !== 'request completed' || !line.requestId) continue;
    const { method, resource } = line.fields;
    if (typeof method === 'string' && typeof resource === 'string')
      routes.set(line.requestId, `${method} ${resource}`);
  }
  return routes;
}

function changePoints(values: readonly number[]): [number, number][] {
  const points: [number, number][] = [];
  values.forEach((value, i) => {
    if (i === 0 || value !== values[i - 1] || i === values.length - 1) points.push([i + 1, value]);
  });
  return points;
}

function lambdaFigures(sources: FigureSources): RunFigures['lambda'] {
  const requests = groupByRequest(sources.parsed);
  const routes = routesByRequest(sources.parsed);
  const durations: Record<string, number[]> = {};
  const billed: number[] = [];
  const init: number[] = [];
  let gbSeconds = 0;
  let maxMemory = 0;
  let memorySizeMb: number | undefined;
  for (const request of requests.values()) {
    const report = request.report;
    if (!report || !belongsToRun(request, sources.runId)) continue;
    const route = routes.get(request.requestId) ?? 'other';
    const forRoute = durations[route] ?? [];
    forRoute.push(report.durationMs);
    durations[route] = forRoute;
    billed.push(report.billedDurationMs);
    if (report.initDurationMs !== undefined) init.push(report.initDurationMs);
    if (Number.isFinite(report.billedDurationMs) && Number.isFinite(report.memorySizeMb)) {
      gbSeconds += (report.billedDurationMs / 1000) * (report.memorySizeMb / 1024);
    }
    if (Number.isFinite(report.maxMemoryUsedMb)) maxMemory = Math.max(maxMemory, report.maxMemoryUsedMb);
    if (Number.isFinite(report.memorySizeMb)) memorySizeMb = report.memorySizeMb;
  }
  return {
    invocations: billed.length,
    ...(memorySizeMb === undefined ? {} : { memorySizeMb }),
    durationMs: Object.fromEntries(
      Object.entries(durations).map(([route, values]) => [route, histogramOf(values)]),
    ),
    billedDurationMs: histogramOf(billed),
    gbSeconds,
    initDurationMs: init,
    maxMemoryUsedMb: maxMemory,
    environments: environmentSeries(sources.parsed, sources.runId).map((series) => ({
      logStreamName: series.logStreamName,
      memorySizeMb: series.memorySizeMb,
      invocations: series.maxMemoryUsedMb.length,
      maxMemoryUsedMb: changePoints(series.maxMemoryUsedMb),
    })),
  };
}

function logVolume(sources: FigureSources): RunFigures['logs'] {
  const requests = groupByRequest(sources.parsed);
  let events = 0;
  let bytes = 0;
  for (const line of sources.parsed) {
    const requestId = 'requestId' in line ? line.requestId : undefined;
    if (requestId !== undefined && !belongsToRun(requests.get(requestId), sources.runId)) continue;
    events++;
    bytes += Buffer.byteLength(line.event.message, 'utf8');
  }
  return { events, bytes };
}

/** The lines and bytes each route's requests left, over the requests of the run the function answered. */
function logVolumePerRoute(sources: FigureSources): Record<string, RouteLogVolume> {
  const requests = groupByRequest(sources.parsed);
  const routes = routesByRequest(sources.parsed);
  const perRoute: Record<string, RouteLogVolume> = {};
  for (const request of requests.values()) {
    if (!request.report || !belongsToRun(request, sources.runId)) continue;
    const route = routes.get(request.requestId) ?? 'other';
    perRoute[route] ??= { requests: 0, lines: 0, bytes: 0 };
    perRoute[route].requests++;
  }
  for (const line of sources.parsed) {
    const requestId = 'requestId' in line ? line.requestId : undefined;
    const request = requestId === undefined ? undefined : requests.get(requestId);
    if (!request?.report || !belongsToRun(request, sources.runId)) continue;
    const volume = perRoute[routes.get(request.requestId) ?? 'other'] as RouteLogVolume;
    volume.lines++;
    volume.bytes += Buffer.byteLength(line.event.message, 'utf8');
  }
  return perRoute;
}

export function buildFigures(sources: FigureSources): RunFigures {
  const bundleBytes =
    sources.bundleFile && existsSync(sources.bundleFile) ? statSync(sources.bundleFile).size : undefined;
  return {
    version: FIGURES_VERSION,
    routes: Object.fromEntries(
      Object.entries(sources.routeDurations ?? {}).map(([route, values]) => [route, histogramOf(values)]),
    ),
    lambda: lambdaFigures(sources),
    ...(bundleBytes === undefined ? {} : { bundleBytes }),
    ...(sources.newman
      ? {
          newman: {
            requests: sources.newman.requestsSent,
            assertions: sources.newman.assertions.total,
            failedAssertions: sources.newman.assertions.failed,
          },
        }
      : {}),
    logs: logVolume(sources),
    ...(sources.accessPatterns ? { dynamoDb: accessFigures(sources.accessPatterns) } : {}),
    logsPerRoute: logVolumePerRoute(sources),
    ...(sources.host && sources.host.referenceMs.length > 0 ? { host: sources.host } : {}),
    ...(sources.coldStarts && sources.coldStarts.samples.length > 0
      ? {
          init: {
            source: sources.coldStarts.source,
            durationMs: sources.coldStarts.samples.map((sample) => sample.initDurationMs),
            cpuMs: sources.coldStarts.samples.map((sample) => sample.initCpuMs),
            ...(sources.coldStarts.reference
              ? { referenceCpuMs: sources.coldStarts.reference.map((sample) => sample.initCpuMs) }
              : {}),
          },
        }
      : {}),
  };
}
