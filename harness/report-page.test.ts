import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunId, reportsDir } from '../common/paths';
import { dumpDom, screenshotPage } from '../tools/chromium';
import { estimatePageHeight, writeReport } from './report';
import type { RunSummary } from './results';
import { failedRunSummary, runSummary } from './test/fixtures';
import { decodePng } from './test/png';

/**
 * The report page in a real browser: headless Chromium renders it, `--dump-dom` shows what it
 * rendered, and the screenshot stays next to the page (reports/<id>/report.png) for people.
 */

// Two Chromium starts per test; on a busy two-core machine each can take several seconds.
const CHROMIUM_TIMEOUT_MS = 120_000;

const BANNER_COLORS: Record<string, [number, number, number]> = {
  passed: [0x15, 0x80, 0x3d],
  failed: [0xb9, 0x1c, 0x1c],
};

function near(actual: [number, number, number], expected: [number, number, number]): boolean {
  return actual.every((value, i) => Math.abs(value - (expected[i] ?? 0)) <= 6);
}

/** Rows down the middle of the top of the page painted in the banner's color. */
function bannerRows(png: ReturnType<typeof decodePng>, color: [number, number, number]): number {
  let rows = 0;
  for (let y = 0; y < Math.min(png.height, 400); y++) if (near(png.pixel(png.width / 2, y), color)) rows++;
  return rows;
}

function publish(summary: RunSummary, name: string): { dir: string; html: string } {
  const runId = `test-report-page-${name}-${newRunId()}`;
  const dir = reportsDir(runId);
  const { html } = writeReport({ ...summary, runId }, dir);
  return { dir, html };
}

describe('the report page in headless Chromium', () => {
  it.each([
    ['passed', runSummary(), 'All checks passed'],
    ['failed', failedRunSummary(), 'Checks failed'],
  ] as const)(
    'renders the %s verdict and each step verdict, and keeps its screenshot next to it',
    async (verdict, summary, title) => {
      const { dir, html } = publish(summary, verdict);
      const height = estimatePageHeight(summary);

      const dom = await dumpDom(html);
      const png = decodePng(readFileSync(await screenshotPage(html, join(dir, 'report.png'), { height })));

      expect(dom).toContain(`<div id="verdict" class="banner ${verdict}" data-verdict="${verdict}">`);
      expect(dom).toContain(`<div class="title">${title}</div>`);
      for (const step of summary.steps) {
        expect(dom).toContain(
          `<tr id="step-${step.id}" data-step="${step.id}" data-verdict="${step.verdict}">`,
        );
      }
      expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart"');
      expect([png.width, png.height]).toEqual([1280, height]);
      // The banner is a block tens of pixels tall in the verdict's color, not a blank page.
      expect(bannerRows(png, BANNER_COLORS[verdict] as [number, number, number])).toBeGreaterThan(40);
      const other = verdict === 'passed' ? BANNER_COLORS.failed : BANNER_COLORS.passed;
      expect(bannerRows(png, other as [number, number, number])).toBe(0);
    },
    CHROMIUM_TIMEOUT_MS,
  );
});
