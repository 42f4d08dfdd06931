/// <reference lib="dom" />
// The functions passed to evaluate() run in the browser, where the DOM is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunId, reportsDir } from '../common/paths';
import { screenshotPage, withPage } from '../tools/chromium';
import { estimatePageHeight, writeReport } from './report';
import type { RunSummary } from './results';
import { failedRunSummary, runSummary } from './test/fixtures';

/**
 * The report page in a real browser, driven by Playwright: the rendered page shows the verdict and
 * every step, the banner is painted in the verdict's colour, and the screenshot stays next to the
 * page (report.png) for people.
 */

// A browser start per check; on a busy two-core machine each can take several seconds.
const BROWSER_TIMEOUT_MS = 120_000;

const BANNER_COLORS = { passed: 'rgb(21, 128, 61)', failed: 'rgb(185, 28, 28)' } as const;

function publish(summary: RunSummary, name: string): { dir: string; html: string } {
  const runId = `test-report-page-${name}-${newRunId()}`;
  const dir = reportsDir(runId);
  const { html } = writeReport({ ...summary, runId }, dir);
  return { dir, html };
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23), and whether the signature is PNG's. */
function pngSize(file: Buffer): { png: boolean; width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return {
    png: file.subarray(0, 8).equals(signature),
    width: file.readUInt32BE(16),
    height: file.readUInt32BE(20),
  };
}

describe('the report page in a headless browser', () => {
  it.each([
    ['passed', runSummary(), 'All checks passed'],
    ['failed', failedRunSummary(), 'Checks failed'],
  ] as const)(
    'renders the %s verdict in its colour and each step verdict',
    async (verdict, summary, title) => {
      const { html } = publish(summary, verdict);

      const rendered = await withPage(html, async (page) => {
        const banner = page.locator('#verdict');
        const box = await banner.boundingBox();
        return {
          verdict: await banner.getAttribute('data-verdict'),
          classes: await banner.getAttribute('class'),
          title: await page.locator('#verdict .title').textContent(),
          background: await banner.evaluate((element) => getComputedStyle(element).backgroundColor),
          bannerHeight: box?.height ?? 0,
          steps: await page
            .locator('tr[data-step]')
            .evaluateAll((rows) =>
              rows.map((row) => [row.getAttribute('data-step'), row.getAttribute('data-verdict')]),
            ),
          chartVisible: await page.locator('svg.chart').first().isVisible(),
        };
      });

      expect(rendered.verdict).toBe(verdict);
      expect(rendered.classes).toBe(`banner ${verdict}`);
      expect(rendered.title).toBe(title);
      expect(rendered.background).toBe(BANNER_COLORS[verdict]);
      // The banner is a block tens of pixels tall, not a collapsed element.
      expect(rendered.bannerHeight).toBeGreaterThan(40);
      expect(rendered.steps).toEqual(summary.steps.map((step) => [step.id, step.verdict]));
      expect(rendered.chartVisible).toBe(true);
    },
    BROWSER_TIMEOUT_MS,
  );

  it(
    'keeps a screenshot of the page next to it, at the width and estimated height of the page',
    async () => {
      const summary = runSummary();
      const { dir, html } = publish(summary, 'screenshot');
      const height = estimatePageHeight(summary);

      const written = await screenshotPage(html, join(dir, 'report.png'), { height });

      expect(written).toBe(join(dir, 'report.png'));
      expect(pngSize(readFileSync(written))).toEqual({ png: true, width: 1280, height });
    },
    BROWSER_TIMEOUT_MS,
  );
});
