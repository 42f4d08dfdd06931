import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CannotRunError, UsageError } from '../../common/cli';
import { executionSegments } from './runners';
import type { LoadResult } from './types';
import { judgeRunners, type RunnerOutput } from './verdict';

/**
 * `npm run load -- --collect DIR|URL`: the outputs of runners that ran elsewhere (k6-operator's
 * runner pods, see `./k6-operator.ts`) judged as one run. Each runner left
 * `<runner>-k6-samples.json[.gz]` (its raw samples) and `<runner>-k6-summary.json`; a URL is a
 * folder listing that links them (an HTML index such as `python -m http.server`'s, or an S3
 * `ListObjectsV2` answer from an object store), and is downloaded first.
 */

const SAMPLES = /^(.+)-k6-samples\.json(\.gz)?$/;
const SUMMARY = /^(.+)-k6-summary\.json$/;

export interface CollectOptions {
  source: string;
  /** Where the downloaded outputs and the merged reports go. */
  reportsDir: string;
  runId: string;
  /** How many runners the TestRun had; when given, a runner without outputs fails the run by name. */
  runners?: number;
  profile?: string;
}

/** The file names a folder listing links to: HTML `href`s, or the `<Key>`s of an S3 listing. */
function listedFiles(listing: string, listingUrl: string): URL[] {
  if (/<ListBucketResult[\s>]/.test(listing)) {
    const base = new URL(listingUrl);
    base.search = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return [...listing.matchAll(/<Key>([^<]+)<\/Key>/g)].map(
      (match) => new URL(decodeXml(match[1] ?? ''), base),
    );
  }
  return [...listing.matchAll(/href="([^"]+)"/g)].map(
    (match) => new URL(decodeXml(match[1] ?? ''), listingUrl),
  );
}

function decodeXml(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

function baseName(url: URL): string {
  return decodeURIComponent(url.pathname.split('/').pop() ?? '');
}

async function download(url: string, dir: string): Promise<void> {
  const listingUrl = url.endsWith('/') || url.includes('?') ? url : `${url}/`;
  const listing = await fetch(listingUrl);
  if (!listing.ok) throw new CannotRunError(`--collect ${url}: the listing answered HTTP ${listing.status}`);
  const files = listedFiles(await listing.text(), listingUrl).filter((file) => {
    const name = baseName(file);
    return SAMPLES.test(name) || SUMMARY.test(name);
  });
  if (files.length === 0)
    throw new CannotRunError(
      `--collect ${url}: the listing links no *-k6-samples.json[.gz] or *-k6-summary.json`,
    );
  for (const file of files) {
    const response = await fetch(file);
    if (!response.ok || !response.body)
      throw new CannotRunError(`--collect: ${file.href} answered HTTP ${response.status}`);
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    await pipeline(body, createWriteStream(join(dir, baseName(file))));
  }
}

/** k6-operator names runner jobs `<test run>-<index>` (from 1): their segments follow from the index. */
function segmentOf(name: string, count: number): string | undefined {
  const index = Number(/-(\d+)$/.exec(name)?.[1]);
  return Number.isInteger(index) && index >= 1 && index <= count
    ? executionSegments(count)[index - 1]?.segment
    : undefined;
}

/** The runners whose outputs are in `dir`, in index order; expected ones without outputs are listed too. */
function runnerOutputs(dir: string, expected?: number): RunnerOutput[] {
  const names = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const match = SAMPLES.exec(file) ?? SUMMARY.exec(file);
    if (match?.[1] && (!names.has(match[1]) || SAMPLES.test(file)))
      names.set(match[1], SAMPLES.test(file) ? file : `${match[1]}-k6-samples.json`);
  }
  const prefix = [...names.keys()][0]?.replace(/-\d+$/, '');
  if (expected !== undefined && prefix !== undefined) {
    for (let index = 1; index <= expected; index += 1) {
      const name = `${prefix}-${index}`;
      if (!names.has(name)) names.set(name, `${name}-k6-samples.json`);
    }
  }
  const count = expected ?? names.size;
  const index = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return [...names.entries()]
    .sort(([a], [b]) => index(a) - index(b) || a.localeCompare(b))
    .map(([name, samples]) => ({
      name,
      ...(segmentOf(name, count) ? { segment: segmentOf(name, count) } : {}),
      samplesFile: join(dir, samples),
      summaryFile: join(dir, `${name}-k6-summary.json`),
    }));
}

/** Judges collected outputs (a folder, or a URL downloaded into `reportsDir/runners`). */
export async function collectRun(options: CollectOptions): Promise<LoadResult> {
  const startedAt = new Date().toISOString();
  let dir = options.source;
  if (/^https?:\/\//i.test(options.source)) {
    dir = join(options.reportsDir, 'runners');
    mkdirSync(dir, { recursive: true });
    await download(options.source, dir);
  } else if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--collect ${dir}: no such folder`);
  }
  const outputs = runnerOutputs(dir, options.runners);
  if (outputs.length === 0)
    throw new CannotRunError(`--collect ${dir}: no *-k6-samples.json[.gz] or *-k6-summary.json in it`);
  mkdirSync(options.reportsDir, { recursive: true });
  return judgeRunners(outputs, {
    reportsDir: options.reportsDir,
    label: { profile: options.profile ?? 'collected', baseUrl: options.source, runId: options.runId },
    startedAt,
    finishedAt: new Date().toISOString(),
  });
}
