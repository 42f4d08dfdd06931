import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stopChild, trackChild } from './processes';

/**
 * How busy the host is while a run measures latencies: a child process does one fixed piece of CPU
 * work (hashing 1 MiB ten times) every half second and times it. On a shared machine another
 * process (a test suite, a second run) can triple every latency without any change to the code;
 * the same load stretches this work alike, so the ratio of two runs' medians says how much busier
 * one host was than the other (docs/compare.md).
 */

/** What the child does each time: the same bytes, the same hash, the same count, on every run. */
export const REFERENCE_WORK = 'SHA-256 of 1 MiB, 10 times';

/** The child that does the work and prints each time (a file tsc and Biome read). */
const SAMPLER = join(__dirname, 'host-load-child.ts');

export interface HostSampler {
  /** The child's process id. */
  readonly pid: number | undefined;
  /** The times taken so far, in ms, while the child runs. */
  samplesSoFar(): number[];
  /** Stops the child; the time each piece of work took, in ms, in the order they ran. */
  stop(): Promise<number[]>;
}

export function startHostSampler(intervalMs = 500): HostSampler {
  const child = trackChild(
    spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), SAMPLER, String(intervalMs)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const samples: number[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (Number.isFinite(Number(line))) samples.push(Number(line));
  });
  let stopped: Promise<number[]> | undefined;
  return {
    pid: child.pid,
    samplesSoFar: () => [...samples],
    stop() {
      stopped ??= stopChild(child, 1000).then(() => [...samples]);
      return stopped;
    },
  };
}
