import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../common/net';
import { startStep } from '../../common/progress';
import { type K6Process, type K6Progress, k6Arguments, spawnK6 } from './k6-process';
import type { LoadOptions, LoadProfile, LoadResult } from './types';
import { judgeRunners, type RunnerOutput } from './verdict';

/**
 * N k6 processes on this host, one per execution segment of the profile, started together:
 * each starts paused with its REST API on a loopback port, and once every one has initialised its
 * VUs all are resumed at once (what k6-operator's starter does for its runners). Their raw samples
 * are then judged as one run (`./verdict.ts`).
 */

export interface Segment {
  segment: string;
  sequence: string;
}

function fraction(index: number, count: number): string {
  if (index === 0) return '0';
  if (index === count) return '1';
  return `${index}/${count}`;
}

/** Runner i of n (from 1) gets `(i-1)/n:i/n` of the sequence `0,1/n,…,1`, as k6-operator splits a TestRun. */
export function executionSegments(count: number): Segment[] {
  const sequence = Array.from({ length: count + 1 }, (_, index) => fraction(index, count)).join(',');
  return Array.from({ length: count }, (_, index) => ({
    segment: `${fraction(index, count)}:${fraction(index + 1, count)}`,
    sequence,
  }));
}

interface Runner {
  name: string;
  segment: Segment;
  port: number;
  samplesFile: string;
  process: K6Process;
  /** The last progress line k6 printed. */
  seen: { progress?: K6Progress };
}

const STATUS_PAUSED_BEFORE_RUN = 4;
const READY_DEADLINE_MS = 180_000;

async function restStatus(port: number): Promise<{ status?: number; paused?: boolean } | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: { attributes?: { status?: number; paused?: boolean } } };
    return body.data?.attributes;
  } catch {
    return undefined;
  }
}

/** Resolves when every runner waits paused with its VUs initialised; rejects naming one that exited first. */
async function allReady(runners: Runner[]): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  const waiting = new Set(runners);
  while (waiting.size > 0) {
    for (const runner of [...waiting]) {
      if (runner.process.done()) throw new Error(`${runner.name} exited before the start`);
      const status = await restStatus(runner.port);
      if (status?.paused && status.status === STATUS_PAUSED_BEFORE_RUN) waiting.delete(runner);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${[...waiting].map((r) => r.name).join(', ')} not ready after ${READY_DEADLINE_MS / 1000}s`,
      );
    }
    if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function resume(runner: Runner): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${runner.port}/v1/status`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: { type: 'status', id: 'default', attributes: { paused: false } } }),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`${runner.name} refused to resume: HTTP ${response.status}`);
}

function progressLine(runners: Runner[]): string {
  const seen = runners.map((runner) => runner.seen.progress).filter((p): p is K6Progress => p !== undefined);
  const vus = seen.reduce((sum, progress) => sum + progress.vus, 0);
  const iterations = seen.reduce((sum, progress) => sum + progress.iterations, 0);
  const elapsed = seen[0]?.elapsed ?? 'starting';
  return `${runners.length} runners: ${elapsed}, ${vus} VUs, ${iterations} iterations`;
}

async function startRunners(
  k6: string,
  options: LoadOptions,
  profile: LoadProfile,
  runnersDir: string,
  env: NodeJS.ProcessEnv,
  onProgress: () => void,
): Promise<Runner[]> {
  const segments = executionSegments(options.runners ?? 1);
  const runners: Runner[] = [];
  for (const [index, segment] of segments.entries()) {
    const name = `runner-${index + 1}`;
    const port = await freeLoopbackPort();
    const samplesFile = join(runnersDir, `${name}-k6-samples.json`);
    const args = k6Arguments(options, profile, runnersDir, {
      name,
      samplesFile,
      segment,
      pausedOnPort: port,
    });
    const seen: { progress?: K6Progress } = {};
    const process = spawnK6(k6, args, env, {
      echo: false,
      onProgress: (progress) => {
        seen.progress = progress;
        onProgress();
      },
    });
    runners.push({ name, segment, port, samplesFile, process, seen });
  }
  return runners;
}

/** Runs the profile as `options.runners` k6 processes started together, judged over all their samples. */
export async function runRunners(
  k6: string,
  options: LoadOptions,
  profile: LoadProfile,
  reportsDir: string,
  env: NodeJS.ProcessEnv,
): Promise<LoadResult> {
  const runnersDir = join(reportsDir, 'runners');
  mkdirSync(runnersDir, { recursive: true });
  const step = startStep(`k6 ${profile} × ${options.runners} runners → ${options.baseUrl}`);
  const startedAt = new Date();
  const runners: Runner[] = await startRunners(k6, options, profile, runnersDir, env, () =>
    step.update(progressLine(runners)),
  );
  try {
    step.update(`${runners.length} runners initialising`);
    await allReady(runners);
    await Promise.all(runners.map(resume));
  } catch {
    // One runner that cannot start fails them all (the verdict names it): the others must not
    // run a partial profile.
    for (const runner of runners) runner.process.kill();
  }
  const exits = await Promise.all(runners.map((runner) => runner.process.exited));
  const outputs: RunnerOutput[] = runners.map((runner, index) => ({
    name: runner.name,
    segment: runner.segment.segment,
    samplesFile: runner.samplesFile,
    summaryFile: join(runnersDir, `${runner.name}-k6-summary.json`),
    exit: exits[index],
  }));
  const result = await judgeRunners(outputs, {
    reportsDir,
    label: { profile, baseUrl: options.baseUrl, runId: options.runId },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  });
  if (result.passed) step.succeed(`${result.requests} requests over ${runners.length} runners`);
  else step.fail(result.explanation);
  return result;
}
