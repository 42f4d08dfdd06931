import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readDurations } from '../load/runner/durations';

/**
 * k6's raw samples (`--out csv=k6-samples.csv.gz`): every request's `http_req_duration`, by its
 * `route` tag. The end-of-test summary only has percentiles; a comparison needs the distribution.
 */

/** The route the script tags its one-off setup requests with: they pay the cold start, no route's latency. */
const SETUP_ROUTE = 'preflight';

/** One CSV record (k6 writes RFC 4180: quotes around fields holding commas or quotes). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** `route=get&name=…` → the value of one tag. */
function tagValue(extraTags: string, name: string): string | undefined {
  for (const pair of extraTags.split('&')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at) === name) return decodeURIComponent(pair.slice(at + 1));
  }
  return undefined;
}

/**
 * Per-route request durations (ms) from the load runner's `k6-durations.json` (what a run writes,
 * one runner or several) or from k6's CSV output, gzipped or not; undefined when absent.
 */
export function readRouteDurations(file: string): Record<string, number[]> | undefined {
  if (!existsSync(file)) return undefined;
  // The load runner's k6-durations.json: every request of every runner, already by route.
  if (file.endsWith('.json')) {
    const { [SETUP_ROUTE]: _setup, ...routes } = readDurations(file).routes;
    return routes;
  }
  const raw = readFileSync(file);
  // A gzip stream starts with 1f 8b; the name alone does not say whether k6 compressed it.
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n');
  const header = parseCsvLine(lines[0] ?? '');
  const column = (name: string) => header.indexOf(name);
  const [metricAt, valueAt, tagsAt] = [column('metric_name'), column('metric_value'), column('extra_tags')];
  if (metricAt < 0 || valueAt < 0) return undefined;
  const routes: Record<string, number[]> = {};
  for (const line of lines.slice(1)) {
    if (!line.startsWith('http_req_duration,')) continue;
    const fields = parseCsvLine(line);
    const route = tagValue(fields[tagsAt] ?? '', 'route');
    const value = Number(fields[valueAt]);
    if (route === undefined || route === SETUP_ROUTE || !Number.isFinite(value)) continue;
    const forRoute = routes[route] ?? [];
    forRoute.push(value);
    routes[route] = forRoute;
  }
  return routes;
}
