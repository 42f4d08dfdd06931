import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { MetricType } from './thresholds';

/**
 * Reading k6's JSON output (`k6 run --out json=FILE`, gzipped when FILE ends in `.gz`): one line per
 * metric definition (`"type":"Metric"`) and one per sample (`"type":"Point"`). Go writes each float
 * in its shortest round-tripping form, so every value read here is the float64 k6 measured.
 */

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains: 'default' | 'time' | 'data';
}

export interface Sample {
  metric: string;
  /** Milliseconds since the epoch. */
  time: number;
  value: number;
  tags: Record<string, string>;
}

interface Envelope {
  type?: string;
  metric?: string;
  data?: {
    name?: string;
    type?: MetricType;
    contains?: MetricDefinition['contains'];
    time?: string;
    value?: number;
    tags?: Record<string, string> | null;
  };
}

export interface SampleReader {
  onMetric(definition: MetricDefinition): void;
  onSample(sample: Sample): void;
}

export interface ReadSummary {
  lines: number;
  samples: number;
  /** A last line cut short: the runner stopped while writing. */
  truncated: boolean;
}

function envelope(line: string, where: string): Envelope | undefined {
  try {
    return JSON.parse(line) as Envelope;
  } catch {
    throw new Error(`${where}: not a line of k6's JSON output: ${line.slice(0, 120)}`);
  }
}

/** Streams one JSON output (a file, or any readable) into `reader`. */
export async function readSamples(source: string | Readable, reader: SampleReader, label = String(source)) {
  const raw = typeof source === 'string' ? createReadStream(source) : source;
  const input = typeof source === 'string' && source.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const result: ReadSummary = { lines: 0, samples: 0, truncated: false };
  let pending: string | undefined;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (pending !== undefined) handle(pending, `${label}:${result.lines}`, reader, result);
    pending = line;
    result.lines += 1;
  }
  if (pending !== undefined) {
    // Only the last line may be cut short (a runner killed mid-write): say so instead of failing.
    try {
      handle(pending, `${label}:${result.lines}`, reader, result);
    } catch {
      result.truncated = true;
    }
  }
  return result;
}

function handle(line: string, where: string, reader: SampleReader, result: ReadSummary): void {
  if (line === '') return;
  const parsed = envelope(line, where);
  const data = parsed?.data;
  if (!parsed || !data) return;
  if (parsed.type === 'Metric' && data.name && data.type) {
    reader.onMetric({ name: data.name, type: data.type, contains: data.contains ?? 'default' });
  } else if (parsed.type === 'Point' && parsed.metric && typeof data.value === 'number' && data.time) {
    result.samples += 1;
    reader.onSample({
      metric: parsed.metric,
      time: Date.parse(data.time),
      value: data.value,
      tags: data.tags ?? {},
    });
  }
}
