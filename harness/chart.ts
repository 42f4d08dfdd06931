import { escapeHtml, formatMs } from './html';

export interface LatencyRow {
  route: string;
  p50: number;
  p95: number;
  p99: number;
}

export const PERCENTILE_SERIES = [
  { key: 'p50', label: 'p50', color: '#60a5fa' },
  { key: 'p95', label: 'p95', color: '#2563eb' },
  { key: 'p99', label: 'p99', color: '#1e3a8a' },
] as const;

/** Gridline positions for 0…max: steps of 1, 2 or 5 × 10^n, about five of them. */
export function niceTicks(max: number, target = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const rough = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  if ((ticks.at(-1) ?? 0) < max) ticks.push(Number(((ticks.at(-1) ?? 0) + step).toPrecision(12)));
  return ticks;
}

/** Axis labels: `0`, `50 ms`, `1.5 s` — no trailing zeros. */
export function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(3))} ms`;
}

/**
 * Horizontal grouped bars, one group per route, one bar per percentile: inline SVG, so the page
 * needs nothing from the network. Every label is escaped.
 */
export function latencyChartSvg(rows: LatencyRow[], title = 'Latency per route (ms)'): string {
  const labelWidth = 230;
  const plotWidth = 560;
  const valueWidth = 80;
  const barHeight = 13;
  const barGap = 3;
  const groupGap = 18;
  const top = 44;
  const axisHeight = 26;
  const groupHeight = PERCENTILE_SERIES.length * (barHeight + barGap) - barGap;
  const width = labelWidth + plotWidth + valueWidth;
  const height = top + Math.max(rows.length, 1) * (groupHeight + groupGap) + axisHeight;
  const max = Math.max(0, ...rows.flatMap((row) => [row.p50, row.p95, row.p99].filter(Number.isFinite)));
  const ticks = niceTicks(max);
  const scaleMax = ticks.at(-1) ?? 1;
  const x = (value: number) => labelWidth + (Math.max(0, value) / scaleMax) * plotWidth;
  const plotBottom = height - axisHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-label="${escapeHtml(title)}">`,
  );
  parts.push(`<title>${escapeHtml(title)}</title>`);
  // Legend
  PERCENTILE_SERIES.forEach((series, index) => {
    const lx = labelWidth + index * 80;
    parts.push(
      `<rect x="${lx}" y="10" width="12" height="12" rx="2" fill="${series.color}"/>`,
      `<text x="${lx + 18}" y="21" class="legend">${series.label}</text>`,
    );
  });
  // Grid and axis labels
  for (const tick of ticks) {
    const tx = x(tick).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${plotBottom}" class="grid"/>`,
      `<text x="${tx}" y="${plotBottom + 17}" class="axis" text-anchor="middle">${escapeHtml(tickLabel(tick))}</text>`,
    );
  }
  if (rows.length === 0) {
    parts.push(`<text x="${labelWidth + 10}" y="${top + 14}" class="axis">no requests were measured</text>`);
  }
  rows.forEach((row, index) => {
    const groupTop = top + index * (groupHeight + groupGap);
    const route = row.route.length > 34 ? `${row.route.slice(0, 33)}…` : row.route;
    parts.push(
      `<text x="${labelWidth - 10}" y="${groupTop + groupHeight / 2 + 4}" class="route" text-anchor="end">${escapeHtml(route)}<title>${escapeHtml(row.route)}</title></text>`,
    );
    PERCENTILE_SERIES.forEach((series, seriesIndex) => {
      const value = row[series.key];
      const y = groupTop + seriesIndex * (barHeight + barGap);
      const barWidth = Number.isFinite(value) ? Math.max(1, x(value) - labelWidth) : 0;
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" rx="2" fill="${series.color}"><title>${escapeHtml(`${row.route} ${series.label}: ${formatMs(value)}`)}</title></rect>`,
        `<text x="${(labelWidth + barWidth + 6).toFixed(1)}" y="${y + barHeight - 2}" class="value">${escapeHtml(`${series.label} ${formatMs(value)}`)}</text>`,
      );
    });
  });
  parts.push(
    `<line x1="${labelWidth}" y1="${top - 8}" x2="${labelWidth}" y2="${plotBottom}" class="axis-line"/>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
