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
 * newman's counts, and the log volume.
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
  };
}
