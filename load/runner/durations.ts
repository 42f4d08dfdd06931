import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Every request's `http_req_duration`, by route, from k6's raw samples: what a baseline comparison
 * (or any statistic k6's summary does not keep) reads instead of the summary's percentiles. With
 * several runners, it holds every runner's requests, runner by runner, each in the order sent.
 * Written as `k6-durations.json` beside `k6-summary.json` on every run.
 */
export interface RequestDurations {
  schemaVersion: 1;
  metric: 'http_req_duration';
  unit: 'ms';
  /** The runners the samples came from (one for a single k6 process). */
  runners: string[];
  /** Route tag (`list`, `get`, …, `preflight` for setup's requests) → durations in ms. */
  routes: Record<string, number[]>;
}

export function writeDurations(file: string, routes: Record<string, number[]>, runners: string[]): void {
  const content: RequestDurations = {
    schemaVersion: 1,
    metric: 'http_req_duration',
    unit: 'ms',
    runners,
    routes,
  };
  writeFileSync(file, `${JSON.stringify(content)}\n`);
}

export function readDurations(file: string): RequestDurations {
  const content = JSON.parse(readFileSync(file, 'utf8')) as RequestDurations;
  if (content.schemaVersion !== 1 || content.metric !== 'http_req_duration') {
    throw new Error(`${file} is not a k6-durations.json of schema version 1`);
  }
  return content;
}
