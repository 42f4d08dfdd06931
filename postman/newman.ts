/**
 * Runs the Postman collection with newman's programmatic API against one stage. The result is
 * newman's own run summary (its stats, failures and executions, as newman's reporters read them),
 * plus how many requests reached the function: the log check compares that count with the
 * handler's per-request log lines.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type NewmanRunExecution,
  type NewmanRunFailure,
  type NewmanRunOptions,
  type NewmanRunSummary,
  run as runCollection,
} from 'newman';
import type { Response } from 'postman-collection';
import { reportsDir as defaultReportsDir } from '../common/paths';
import { type Step, startStep } from '../common/progress';
import { withoutTrailingSlash } from '../common/url';
import type { PostmanCollection } from './build-collection';
import { COLLECTION_PATH, ENVIRONMENT_PATHS, type EnvironmentName, GATEWAY_FOLDER } from './collection-files';

export interface NewmanOptions {
  baseUrl: string;
  runId: string;
  env?: EnvironmentName;
  /** Where the reports go; default `reports/<run-id>/`. */
  reportsDir?: string;
  /** One progress line instead of newman's cli reporter (the harness and `newman --quiet`). */
  progressLine?: boolean;
}

export interface NewmanResult {
  passed: boolean;
  requestsSent: number;
  /** requests that reach the function (not the gateway-only 403s) */
  requestsAtFunction: number;
  assertions: { total: number; failed: number };
  folders: { name: string; requests: number; assertions: number; failed: number }[];
  failures: { folder: string; request: string; assertion: string; message: string }[];
  reports: Record<string, string>;
  startedAt: string;
  finishedAt: string;
}

const MISSING_TOKEN = 'Missing Authentication Token';
// Above API Gateway's 29 s integration timeout, so a slow function shows up as the stage's 504.
const REQUEST_TIMEOUT_MS = 35_000;
const RUN_TIMEOUT_MS = 10 * 60_000;
const OUTSIDE_FOLDERS = '(collection)';

function loadJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** item id → folder name, from the collection's two levels (folders of requests). */
function folderOfItems(collection: PostmanCollection): (itemId: string | undefined) => string {
  const folders = new Map<string, string>();
  for (const folder of collection.item) {
    for (const item of folder.item) folders.set(item.id, folder.name);
  }
  return (itemId) => (itemId === undefined ? undefined : folders.get(itemId)) ?? OUTSIDE_FOLDERS;
}

/**
 * What the stage answers by itself: the CORS preflight and 403 "Missing Authentication Token" for
 * an unknown resource or method.
 */
function isGatewayAnswer(method: string | undefined, response: Response | undefined): boolean {
  if (method === 'OPTIONS' && response && response.code < 300) return true;
  if (response?.code !== 403) return false;
  try {
    const body = JSON.parse(response.text() ?? '') as { message?: unknown };
    return body.message === MISSING_TOKEN;
  } catch {
    return false;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reportPaths(outDir: string) {
  return {
    junit: join(outDir, 'newman-junit.xml'),
    html: join(outDir, 'newman.html'),
    summary: join(outDir, 'newman-summary.json'),
    // For `logs check --correlation-ids`: the ids of requests that reached the function, so a
    // missing handler line can be named.
    correlationIds: join(outDir, 'newman-correlation-ids.json'),
  };
}

function runOptions(options: NewmanOptions, reports: ReturnType<typeof reportPaths>): NewmanRunOptions {
  return {
    collection: COLLECTION_PATH,
    environment: ENVIRONMENT_PATHS[options.env ?? 'local'],
    envVar: [
      { key: 'baseUrl', value: withoutTrailingSlash(options.baseUrl) },
      { key: 'runId', value: options.runId },
    ],
    reporters: options.progressLine ? ['junit', 'htmlextra'] : ['cli', 'junit', 'htmlextra'],
    reporter: {
      junit: { export: reports.junit },
      htmlextra: {
        export: reports.html,
        title: `Pets API — newman run ${options.runId}`,
        browserTitle: 'newman',
      },
    },
    timeoutRequest: REQUEST_TIMEOUT_MS,
    timeout: RUN_TIMEOUT_MS,
    color: options.progressLine ? 'off' : 'auto',
  };
}

/** Runs newman; resolves its summary, and the error that ended the run early, if one did. */
function runWithSummary(
  options: NewmanRunOptions,
  step: Step | undefined,
): Promise<{ summary: NewmanRunSummary; error?: Error }> {
  return new Promise((resolve) => {
    const emitter = runCollection(options, (error, summary) =>
      resolve({ summary, ...(error ? { error } : {}) }),
    );
    // Progress only: the counts come from the summary.
    let requests = 0;
    emitter.on('request', () => {
      requests += 1;
      step?.update(`${requests} requests`);
    });
  });
}

/** What newman recorded as failed, each with its folder and request. */
function failuresOf(failures: NewmanRunFailure[], folderOf: (id: string | undefined) => string) {
  return failures.map((failure) => {
    const error = failure.error as Partial<NewmanRunFailure['error']> | undefined;
    const script = /^(test|prerequest)-script/.exec(failure.at)?.[1];
    const assertion = failure.at.startsWith('assertion')
      ? (error?.test ?? failure.at)
      : script
        ? `${script} script`
        : failure.at;
    return {
      folder: folderOf(failure.source?.id),
      request: failure.source?.name ?? '(unnamed)',
      assertion,
      message: error?.message ?? errorMessage(failure.error),
    };
  });
}

function folderTotals(
  collection: PostmanCollection,
  executions: NewmanRunExecution[],
  folderOf: (id: string | undefined) => string,
): NewmanResult['folders'] {
  return collection.item.map((folder) => {
    const inFolder = executions.filter((execution) => folderOf(execution.item?.id) === folder.name);
    const assertions = inFolder.flatMap((execution) => execution.assertions ?? []);
    return {
      name: folder.name,
      requests: inFolder.length,
      assertions: assertions.length,
      failed: assertions.filter((assertion) => assertion.error).length,
    };
  });
}

/**
 * A request reached the function when it got an answer the stage did not give by itself. Only
 * the Gateway folder's requests may be answered by the stage; one there that the function
 * answered instead still counts (the function logged it) and fails that folder's tests.
 */
function reachedTheFunction(
  executions: NewmanRunExecution[],
  folderOf: (id: string | undefined) => string,
): NewmanRunExecution[] {
  return executions.filter(
    (execution) =>
      execution.response !== undefined &&
      !(
        folderOf(execution.item?.id) === GATEWAY_FOLDER &&
        isGatewayAnswer(execution.request?.method, execution.response)
      ),
  );
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function runNewman(options: NewmanOptions): Promise<NewmanResult> {
  const outDir = options.reportsDir ?? defaultReportsDir(options.runId);
  mkdirSync(outDir, { recursive: true });
  const reports = reportPaths(outDir);
  const collection = loadJson<PostmanCollection>(COLLECTION_PATH);
  const folderOf = folderOfItems(collection);
  const step = options.progressLine
    ? startStep(`newman: ${collection.info.name} → ${options.baseUrl}`)
    : undefined;
  const startedAt = new Date();
  const { summary, error } = await runWithSummary(runOptions(options, reports), step);
  const finishedAt = new Date();
  const { stats, executions = [] } = summary.run;
  const failures = failuresOf(summary.run.failures ?? [], folderOf);
  if (error)
    failures.push({ folder: '(run)', request: '(run)', assertion: 'newman', message: error.message });
  const atFunction = reachedTheFunction(executions, folderOf);
  const correlationIds = atFunction.flatMap((execution) => {
    const id = execution.request?.headers.get('x-correlation-id');
    return id ? [id] : [];
  });
  writeFileSync(reports.correlationIds, `${JSON.stringify(correlationIds)}\n`);
  const assertions = { total: stats.assertions.total ?? 0, failed: stats.assertions.failed ?? 0 };
  const result: NewmanResult = {
    passed: failures.length === 0,
    requestsSent: stats.requests.total ?? 0,
    requestsAtFunction: atFunction.length,
    assertions,
    folders: folderTotals(collection, executions, folderOf),
    failures,
    reports,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
  const durationMs = finishedAt.getTime() - startedAt.getTime();
  writeJson(reports.summary, {
    runId: options.runId,
    baseUrl: options.baseUrl,
    env: options.env ?? 'local',
    durationMs,
    ...result,
  });
  const line = `${result.requestsSent} requests sent, ${result.requestsAtFunction} reached the function, ${assertions.total - assertions.failed}/${assertions.total} assertions passed`;
  if (result.passed) step?.succeed(line);
  else step?.fail(line);
  return result;
}
