import { escapeHtml, formatMs } from './html';

export interface LatencyRow {
  route: string;
  p50: number;
  p95: number;
  p99: number;
}

const PERCENTILE_SERIES = [
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

const LABEL_WIDTH = 230;
const PLOT_WIDTH = 560;
const VALUE_WIDTH = 80;
const BAR_HEIGHT = 13;
const BAR_GAP = 3;
const GROUP_GAP = 18;
const TOP = 44;
const AXIS_HEIGHT = 26;
const GROUP_HEIGHT = PERCENTILE_SERIES.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;

interface Layout {
  height: number;
  plotBottom: number;
  ticks: number[];
  /** Value → x coordinate. */
  x: (value: number) => number;
}

function layout(rows: LatencyRow[]): Layout {
  const height = TOP + Math.max(rows.length, 1) * (GROUP_HEIGHT + GROUP_GAP) + AXIS_HEIGHT;
  const max = Math.max(0, ...rows.flatMap((row) => [row.p50, row.p95, row.p99].filter(Number.isFinite)));
  const ticks = niceTicks(max);
  const scaleMax = ticks.at(-1) ?? 1;
  return {
    height,
    plotBottom: height - AXIS_HEIGHT,
    ticks,
    x: (value) => LABEL_WIDTH + (Math.max(0, value) / scaleMax) * PLOT_WIDTH,
  };
}

function legend(): string[] {
  return PERCENTILE_SERIES.flatMap((series, index) => {
    const lx = LABEL_WIDTH + index * 80;
    return [
      `<rect x="${lx}" y="10" width="12" height="12" rx="2" fill="${series.color}"/>`,
      `<text x="${lx + 18}" y="21" class="legend">${series.label}</text>`,
    ];
  });
}

/** Grid lines and axis labels. */
function grid({ ticks, x, plotBottom }: Layout): string[] {
  return ticks.flatMap((tick) => {
    const tx = x(tick).toFixed(1);
    return [
      `<line x1="${tx}" y1="${TOP - 8}" x2="${tx}" y2="${plotBottom}" class="grid"/>`,
      `<text x="${tx}" y="${plotBottom + 17}" class="axis" text-anchor="middle">${escapeHtml(tickLabel(tick))}</text>`,
    ];
  });
}

/** One route: its label and a bar per percentile. */
function routeGroup(row: LatencyRow, index: number, { x }: Layout): string[] {
  const groupTop = TOP + index * (GROUP_HEIGHT + GROUP_GAP);
  const route = row.route.length > 34 ? `${row.route.slice(0, 33)}…` : row.route;
  const label = `<text x="${LABEL_WIDTH - 10}" y="${groupTop + GROUP_HEIGHT / 2 + 4}" class="route" text-anchor="end">${escapeHtml(route)}<title>${escapeHtml(row.route)}</title></text>`;
  const bars = PERCENTILE_SERIES.flatMap((series, seriesIndex) => {
    const value = row[series.key];
    const y = groupTop + seriesIndex * (BAR_HEIGHT + BAR_GAP);
    const barWidth = Number.isFinite(value) ? Math.max(1, x(value) - LABEL_WIDTH) : 0;
    return [
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${barWidth.toFixed(1)}" height="${BAR_HEIGHT}" rx="2" fill="${series.color}"><title>${escapeHtml(`${row.route} ${series.label}: ${formatMs(value)}`)}</title></rect>`,
      `<text x="${(LABEL_WIDTH + barWidth + 6).toFixed(1)}" y="${y + BAR_HEIGHT - 2}" class="value">${escapeHtml(`${series.label} ${formatMs(value)}`)}</text>`,
    ];
  });
  return [label, ...bars];
}

/**
 * Horizontal grouped bars, one group per route, one bar per percentile: inline SVG, so the page
 * needs nothing from the network. Every label is escaped.
 */
export function latencyChartSvg(rows: LatencyRow[], title = 'Latency per route (ms)'): string {
  const chart = layout(rows);
  const width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH;
  const empty =
    rows.length === 0
      ? [`<text x="${LABEL_WIDTH + 10}" y="${TOP + 14}" class="axis">no requests were measured</text>`]
      : [];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${chart.height}" width="${width}" height="${chart.height}" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    ...legend(),
    ...grid(chart),
    ...empty,
    ...rows.flatMap((row, index) => routeGroup(row, index, chart)),
    `<line x1="${LABEL_WIDTH}" y1="${TOP - 8}" x2="${LABEL_WIDTH}" y2="${chart.plotBottom}" class="axis-line"/>`,
    '</svg>',
  ].join('');
}
