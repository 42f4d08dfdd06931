/**
 * Settings from `-e NAME=value` (k6's `__ENV`). Every number and duration is bounded: a typo must
 * not turn a load test into an unbounded one. A bad value throws in the init context, which k6
 * reports as a script error (exit 107) with this message.
 */

/**
 * k6's `__ENV`; outside k6 (Node reading a profile's shape, e.g. the harness's configuration rules)
 * there are no settings, so every one takes its default: what a harness run passes (no `-e`).
 */
function settings(): Record<string, string | undefined> {
  return typeof __ENV === 'undefined' ? {} : __ENV;
}

export function envString(name: string, fallback: string): string {
  const value = settings()[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

export function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = settings()[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

export function envInt(name: string, fallback: number, min: number, max: number): number {
  const value = envNumber(name, fallback, min, max);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got '${settings()[name]}'`);
  return value;
}

export function envList(name: string, fallback: string[]): string[] {
  const raw = settings()[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Seconds in a k6 duration such as `500ms`, `30s`, `2m`, `1h` (one unit). */
export function durationSeconds(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a duration like 30s, 2m or 1h`);
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
}

/** A duration from env, as k6 wants it (`<n>s`), at most `maxSeconds`. */
export function envDuration(name: string, fallback: string, maxSeconds: number): string {
  const raw = envString(name, fallback);
  let seconds: number;
  try {
    seconds = durationSeconds(raw);
  } catch {
    throw new Error(`${name} must be a duration like 30s, 2m or 1h, got '${raw}'`);
  }
  if (seconds <= 0 || seconds > maxSeconds) {
    throw new Error(`${name} must be more than 0 and at most ${maxSeconds}s, got '${raw}'`);
  }
  return `${Math.round(seconds * 1000)}ms`;
}
