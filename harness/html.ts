/**
 * The smallest HTML toolkit the report needs: every value that reaches the page goes through
 * `escapeHtml` (text and attributes alike), and links only ever point at relative paths or http(s).
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/**
 * A link target that cannot run script: http(s) URLs and relative paths pass (each path segment
 * percent-encoded), anything with another scheme (`javascript:`, `data:`) becomes `#`.
 */
export function safeHref(target: string): string {
  if (/^https?:\/\//i.test(target)) return escapeHtml(target);
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return '#';
  return escapeHtml(
    target
      .split('/')
      .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
      .join('/'),
  );
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100 || Number.isInteger(ms)) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
}

export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatPercent(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) return '–';
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 3 : 1)}%`;
}
