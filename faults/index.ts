import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportsDir as defaultReportsDir } from '../common/paths';
import { withoutTrailingSlash } from '../common/url';
import type { Pet } from '../handler/types';
import { DYNAMODB_FAULTS, type DynamoDbFault, FAULT_HEADER } from '../local/stage/dynamodb-faults';
import {
  judgeProbe,
  type ProbeAnswer,
  type ProbeData,
  type ProbeOutcome,
  type ProbeRequest,
  probeRequests,
} from './probes';

export { hasStackTrace, type ProbeOutcome } from './probes';

/**
 * The fault round: every route, sent while the stage's DynamoDB gateway fails that request's calls
 * in each way DynamoDB fails (throttling, an outage, a hung call, an error that is not transient),
 * and each answer judged (faults/probes.ts). The faults are asked for per request, with the
 * `x-harness-fault` header, so nothing else the stage serves meanwhile is touched. The table is
 * read through the API before and after: the round must leave it as it found it.
 */

export interface FaultRoundOptions {
  baseUrl: string;
  /** The run's id: the round's requests carry `<run-id>.faults`, so the run's log check leaves their ERROR lines out. */
  runId: string;
  /** The function's timeout: a hung call must be answered before it. */
  functionTimeoutMs: number;
  /** Requests in flight at most, hung ones aside (they are sent first, so none waits for an environment). */
  parallel?: number;
  /** The faults to send (default: every one the stage knows). */
  faults?: readonly DynamoDbFault[];
  /** Where faults.json goes; default `reports/<run-id>/`. */
  reportsDir?: string;
  onProgress?: (line: string) => void;
}

export interface TableProof {
  petsBefore: number;
  petsAfter: number;
  unchanged: boolean;
  /** What differed, when something did (and was put back through the API). */
  differences: string[];
}

export interface FaultRoundResult {
  passed: boolean;
  /** The run id the round's requests carried. */
  runId: string;
  faults: DynamoDbFault[];
  probes: ProbeOutcome[];
  table: TableProof;
  requestsSent: number;
  durationMs: number;
  report: string;
}

/** x-harness-run-id is at most 128 characters (the contract's maxLength): the suffix fits. */
export function faultRunId(runId: string): string {
  return `${runId.slice(0, 121)}.faults`;
}

interface Sender {
  baseUrl: string;
  runId: string;
  sent: number;
}

async function send(sender: Sender, request: Omit<ProbeRequest, 'route'>, fault?: DynamoDbFault) {
  const correlationId = `${sender.runId}-${randomUUID().slice(0, 8)}`;
  const headers: Record<string, string> = {
    'x-harness-run-id': sender.runId,
    'x-correlation-id': correlationId,
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(fault ? { [FAULT_HEADER]: fault } : {}),
  };
  const started = Date.now();
  sender.sent += 1;
  const response = await fetch(`${sender.baseUrl}${request.path}`, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const answer: ProbeAnswer = {
    status: response.status,
    body: await response.text(),
    ms: Date.now() - started,
    ...optionalHeader('retryAfter', response.headers.get('retry-after')),
    ...optionalHeader('correlationId', response.headers.get('x-correlation-id')),
  };
  return { correlationId, answer, link: response.headers.get('link') };
}

function optionalHeader<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

/** Every pet, through the API, page by page (`Link: rel="next"`), sorted by id. */
async function readAllPets(sender: Sender): Promise<Pet[]> {
  const pets: Pet[] = [];
  let path: string | undefined = '/pets?limit=1000';
  while (path) {
    const { answer, link } = await send(sender, { method: 'GET', path });
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.body}`);
    pets.push(...(JSON.parse(answer.body) as Pet[]));
    const next = /<([^>]+)>;\s*rel="next"/u.exec(link ?? '')?.[1];
    path = next ? next.slice(next.indexOf('/pets')) : undefined;
  }
  return pets.sort((a, b) => a.id - b.id);
}

function probeData(pets: readonly Pet[]): ProbeData {
  const first = pets[0];
  const freeId = Math.max(0, ...pets.map((pet) => pet.id)) + 1000;
  return { existing: first ? { id: first.id, type: first.type } : { id: 1, type: 'dog' }, freeId };
}

/** Runs `tasks` with at most `limit` in flight, in order. */
async function inParallel<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const at = next++;
      results[at] = await (tasks[at] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

async function runProbes(
  sender: Sender,
  data: ProbeData,
  options: FaultRoundOptions,
): Promise<ProbeOutcome[]> {
  const probe = (request: ProbeRequest, fault: DynamoDbFault) => async () => {
    const { correlationId, answer } = await send(sender, request, fault);
    return judgeProbe(request, fault, { correlationId, timeoutMs: options.functionTimeoutMs }, answer);
  };
  const requests = probeRequests(data);
  const faults = options.faults ?? DYNAMODB_FAULTS;
  const pairs = faults.flatMap((fault) => requests.map((request) => ({ request, fault })));
  // Hung calls first and all at once: each holds an environment for seconds, none may queue.
  const hung = pairs.filter((pair) => pair.fault === 'hang').map((pair) => probe(pair.request, pair.fault)());
  const quick = pairs.filter((pair) => pair.fault !== 'hang').map((pair) => probe(pair.request, pair.fault));
  const [hungOutcomes, quickOutcomes] = await Promise.all([
    Promise.all(hung),
    inParallel(quick, options.parallel ?? 3),
  ]);
  return [...quickOutcomes, ...hungOutcomes];
}

function compareTables(before: readonly Pet[], after: readonly Pet[]): string[] {
  const afterById = new Map(after.map((pet) => [pet.id, pet]));
  const beforeIds = new Set(before.map((pet) => pet.id));
  const differences: string[] = [];
  for (const pet of before) {
    const now = afterById.get(pet.id);
    if (!now) differences.push(`pet ${pet.id} was deleted`);
    else if (JSON.stringify(now) !== JSON.stringify(pet)) differences.push(`pet ${pet.id} was changed`);
  }
  for (const pet of after) if (!beforeIds.has(pet.id)) differences.push(`pet ${pet.id} was created`);
  return differences;
}

/** Puts back what the round changed, through the API: created pets deleted, deleted ones created again. */
async function putBack(sender: Sender, before: readonly Pet[], after: readonly Pet[]): Promise<void> {
  const beforeIds = new Set(before.map((pet) => pet.id));
  const afterIds = new Set(after.map((pet) => pet.id));
  for (const pet of after.filter((pet) => !beforeIds.has(pet.id))) {
    await send(sender, { method: 'DELETE', path: `/pets/${pet.id}` });
  }
  for (const pet of before.filter((pet) => !afterIds.has(pet.id))) {
    await send(sender, { method: 'POST', path: '/pets', body: JSON.stringify(pet) });
  }
}

function writeRoundReport(result: Omit<FaultRoundResult, 'report'>, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'faults.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Runs the round against a stage that honours `x-harness-fault`; writes `faults.json`. */
export async function runFaultRound(options: FaultRoundOptions): Promise<FaultRoundResult> {
  const started = Date.now();
  const sender: Sender = {
    baseUrl: withoutTrailingSlash(options.baseUrl),
    runId: faultRunId(options.runId),
    sent: 0,
  };
  const progress = options.onProgress ?? (() => undefined);
  progress('reading the table through the API');
  const before = await readAllPets(sender);
  const faults = options.faults ?? DYNAMODB_FAULTS;
  progress(`${faults.length} faults × 5 routes`);
  const probes = await runProbes(sender, probeData(before), options);
  progress('reading the table again');
  const after = await readAllPets(sender);
  const differences = compareTables(before, after);
  if (differences.length > 0) await putBack(sender, before, after);
  const table: TableProof = {
    petsBefore: before.length,
    petsAfter: after.length,
    unchanged: differences.length === 0,
    differences,
  };
  const result = {
    passed: table.unchanged && probes.every((probe) => probe.problems.length === 0),
    runId: sender.runId,
    faults: [...faults],
    probes,
    table,
    requestsSent: sender.sent,
    durationMs: Date.now() - started,
  };
  return {
    ...result,
    report: writeRoundReport(result, options.reportsDir ?? defaultReportsDir(options.runId)),
  };
}

/** The step's one line: how many answers were right, and the first wrong ones, each saying what and where. */
export function faultRoundLine(result: FaultRoundResult): string {
  const wrong = result.probes.filter((probe) => probe.problems.length > 0);
  const right = `${result.probes.length - wrong.length}/${result.probes.length} answers right`;
  const table = result.table.unchanged
    ? `table unchanged (${result.table.petsAfter} pets)`
    : `table changed: ${result.table.differences.join(', ')} (put back)`;
  const shown = wrong
    .slice(0, 3)
    .map(
      (probe) => `${probe.route} with DynamoDB ${probe.fault} (${probe.group}): ${probe.problems.join('; ')}`,
    );
  const more = wrong.length > shown.length ? ` and ${wrong.length - shown.length} more` : '';
  return [right, table, ...shown].join('; ') + more;
}
