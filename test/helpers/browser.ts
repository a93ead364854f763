/**
 * A real browser for the web pages' tests: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/setup-chromium.sh) driven by playwright-core, which downloads nothing. One browser per test
 * file (`testBrowser()` registers its hooks); each page gets its own context at a desktop or a phone
 * width, so no cookie or CSRF token is shared between them. axe (@axe-core/playwright) checks a page;
 * screenshots go to test-output/screenshots/<name>-<width>.png (DURA_SCREENSHOTS_DIR moves them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags this machine needs: no sandbox (root), no GPU, and nothing that reaches out to Google's hosts —
 * the closed network refuses those connections, many at a time. playwright gives each launch a new,
 * empty user-data-dir itself (it refuses `--user-data-dir` in `args`).
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Width = 'desktop' | 'phone';
export const WIDTHS: readonly Width[] = ['desktop', 'phone'];
const CONTEXTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
} as const;

export const SCREENSHOTS_DIR = path.resolve(
  path.join(__dirname, '..', '..'),
  process.env.DURA_SCREENSHOTS_DIR ?? 'test-output/screenshots',
);

/** The file's browser, there from its `before` on; every context it opened is closed in `after`. */
export function testBrowser(): { newPage(width: Width): Promise<Page> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async function () {
    this.timeout(60_000);
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup-chromium.sh`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    async newPage(width) {
      if (!browser) throw new Error('testBrowser(): the browser is not launched yet');
      // A context of its own: axe needs a page from browser.newContext(), not browser.newPage().
      const context = await browser.newContext({ ...CONTEXTS[width], locale: 'en-US' });
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** The page's axe violations, one line each: `id (impact): help — target, target`; [] when none. */
export async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'no impact'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Writes the whole page as `<name>-<width>.png` and returns the file's path. */
export async function screenshot(page: Page, name: string, width: Width): Promise<string> {
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
