/**
 * Runs the Postman collection with newman's programmatic API against one stage and says exactly
 * how many requests reached the function: the log check compares that count with the handler's
 * per-request log lines.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as runCollection } from 'newman';
import type { Item, Request, Response } from 'postman-collection';
import { reportsDir as defaultReportsDir } from '../common/paths';
import { startStep } from '../common/progress';
import type { PostmanCollection } from './build-collection';
import { COLLECTION_PATH, ENVIRONMENT_PATHS, type EnvironmentName, GATEWAY_FOLDER } from './collection-files';

export interface NewmanOptions {
  baseUrl: string;
  runId: string;
  env?: EnvironmentName;
  /** Where the reports go; default `reports/<run-id>/`. */
  reportsDir?: string;
  /** No cli reporter; one progress line instead. */
  quiet?: boolean;
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

/** One request newman sent, as the runner saw it. */
interface SentRequest {
  folder: string;
  request: string;
  status?: number;
  /** Answered by the stage itself (preflight, 403 Missing Authentication Token): never reached the function. */
  answeredByGateway: boolean;
  correlationId?: string;
}

const MISSING_TOKEN = 'Missing Authentication Token';
// Above API Gateway's 29 s integration timeout, so a slow function shows up as the stage's 504.
const REQUEST_TIMEOUT_MS = 35_000;
const RUN_TIMEOUT_MS = 10 * 60_000;

function loadJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** item id → folder name, from the collection's two levels (folders of requests). */
function folderOfItems(collection: PostmanCollection): Map<string, string> {
  const folders = new Map<string, string>();
  for (const folder of collection.item) {
    for (const item of folder.item) folders.set(item.id, folder.name);
  }
  return folders;
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

export async function runNewman(options: NewmanOptions): Promise<NewmanResult> {
  const env = options.env ?? 'local';
  const outDir = options.reportsDir ?? defaultReportsDir(options.runId);
  mkdirSync(outDir, { recursive: true });
  const reports = {
    junit: join(outDir, 'newman-junit.xml'),
    html: join(outDir, 'newman.html'),
    summary: join(outDir, 'newman-summary.json'),
    // For `logs check --correlation-ids`: the ids of requests that reached the function, so a
    // missing handler line can be named.
    correlationIds: join(outDir, 'newman-correlation-ids.json'),
  };
  const collection = loadJson<PostmanCollection>(COLLECTION_PATH);
  const folderOf = folderOfItems(collection);
  const folderName = (item: Item | undefined) =>
    item ? (folderOf.get(item.id) ?? '(collection)') : '(collection)';

  const sent: SentRequest[] = [];
  const assertionsByFolder = new Map<string, { total: number; failed: number }>();
  const failures: NewmanResult['failures'] = [];
  const step = options.quiet ? startStep(`newman: ${collection.info.name} → ${options.baseUrl}`) : undefined;
  const startedAt = new Date();

  const summaryError = await new Promise<unknown>((resolve) => {
    const emitter = runCollection(
      {
        collection: COLLECTION_PATH,
        environment: ENVIRONMENT_PATHS[env],
        envVar: [
          { key: 'baseUrl', value: options.baseUrl.replace(/\/+$/, '') },
          { key: 'runId', value: options.runId },
        ],
        reporters: options.quiet ? ['junit', 'htmlextra'] : ['cli', 'junit', 'htmlextra'],
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
        color: options.quiet ? 'off' : 'auto',
      },
      (error) => resolve(error ?? undefined),
    );
    emitter.on(
      'request',
      (error: Error | null, event: { item?: Item; request?: Request; response?: Response }) => {
        const folder = folderName(event.item);
        const request = event.item?.name ?? '(unnamed)';
        const correlationId = event.request?.headers.get('x-correlation-id');
        sent.push({
          folder,
          request,
          ...(correlationId ? { correlationId } : {}),
          ...(event.response ? { status: event.response.code } : {}),
          answeredByGateway: isGatewayAnswer(event.request?.method, event.response),
        });
        if (error) failures.push({ folder, request, assertion: 'request', message: errorMessage(error) });
        step?.update(`${sent.length} requests`);
      },
    );
    emitter.on(
      'assertion',
      (error: Error | null, event: { item?: Item; assertion: string; skipped?: boolean }) => {
        const folder = folderName(event.item);
        const counts = assertionsByFolder.get(folder) ?? { total: 0, failed: 0 };
        counts.total += 1;
        if (error) {
          counts.failed += 1;
          failures.push({
            folder,
            request: event.item?.name ?? '(unnamed)',
            assertion: event.assertion,
            message: error.message,
          });
        }
        assertionsByFolder.set(folder, counts);
      },
    );
    emitter.on('script', (error: Error | null, event: { item?: Item; event?: { listen?: string } }) => {
      if (!error) return;
      failures.push({
        folder: folderName(event.item),
        request: event.item?.name ?? '(unnamed)',
        assertion: `${event.event?.listen ?? ''} script`,
        message: error.message,
      });
    });
  });
  if (summaryError) {
    failures.push({
      folder: '(run)',
      request: '(run)',
      assertion: 'newman',
      message: errorMessage(summaryError),
    });
  }
  const finishedAt = new Date();

  const folders = collection.item.map((folder) => {
    const counts = assertionsByFolder.get(folder.name) ?? { total: 0, failed: 0 };
    return {
      name: folder.name,
      requests: sent.filter((request) => request.folder === folder.name).length,
      assertions: counts.total,
      failed: counts.failed,
    };
  });
  const assertions = {
    total: folders.reduce((sum, folder) => sum + folder.assertions, 0),
    failed: folders.reduce((sum, folder) => sum + folder.failed, 0),
  };
  // A request reached the function when it got an answer the stage did not give by itself. Only
  // the Gateway folder's requests may be answered by the stage; one there that the function
  // answered instead still counts (the function logged it) and fails that folder's tests.
  const atFunction = sent.filter(
    (request) =>
      request.status !== undefined && !(request.folder === GATEWAY_FOLDER && request.answeredByGateway),
  );
  const requestsAtFunction = atFunction.length;
  writeFileSync(
    reports.correlationIds,
    `${JSON.stringify(atFunction.flatMap((request) => (request.correlationId ? [request.correlationId] : [])))}\n`,
  );
  const result: NewmanResult = {
    passed: failures.length === 0,
    requestsSent: sent.length,
    requestsAtFunction,
    assertions,
    folders,
    failures,
    reports,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
  writeFileSync(
    reports.summary,
    `${JSON.stringify(
      {
        runId: options.runId,
        baseUrl: options.baseUrl,
        env,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        ...result,
      },
      null,
      2,
    )}\n`,
  );
  const line = `${result.requestsSent} requests sent, ${result.requestsAtFunction} reached the function, ${assertions.total - assertions.failed}/${assertions.total} assertions passed`;
  if (step) {
    if (result.passed) step.succeed(line);
    else step.fail(line);
  }
  return result;
}
