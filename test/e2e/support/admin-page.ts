import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@hookline/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const chromiumPath = process.env.HOOKLINE_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);
const screenshots = join(repoRoot, 'test-results', 'screenshots');

/** Headless Chromium as the page tests run it (closed by `useAdminPage` after its block). */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // A closed network makes Chromium hang on its own background lookups; none of them is needed here.
    // (Playwright adds --headless and a fresh temporary --user-data-dir itself.)
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

export interface AdminPage {
  /** Opens the admin page, signs in with `key` and waits for the first view (a screenshot of the form if named). */
  logIn(key: string, screenshotName?: string): Promise<Page>;
  /** A full-page screenshot in test-results/screenshots/. */
  shot(page: Page, name: string): Promise<Buffer>;
  /** Script errors and Content-Security-Policy violations seen by any page; none is expected. */
  readonly pageProblems: string[];
}

/**
 * Headless Chromium (Debian's package) for the admin page served by config-api at `configApiUrl()`: launched once
 * for the describe block that calls this, closed after it. Builds the page first when a developer runs a test alone.
 */
export function useAdminPage(configApiUrl: () => string): AdminPage {
  let browser: Browser;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    // The page is built by ./dev up and ./dev test; build it here when a developer runs this file alone.
    if (!existsSync(join(repoRoot, 'web', 'dist', 'index.html'))) {
      execFileSync('corepack', ['pnpm', '--filter', '@hookline/web', 'build'], { cwd: repoRoot, stdio: 'inherit' });
    }
    mkdirSync(screenshots, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  // caret 'initial': hiding the caret injects a <style>, which the page's CSP (rightly) refuses.
  const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true, caret: 'initial' });

  async function logIn(key: string, screenshotName?: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => pageProblems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text()))
        pageProblems.push(`${message.text()} (${page.url()})`);
    });
    await page.goto(`${configApiUrl()}/`);
    await page.getByLabel('API key').fill(key);
    if (screenshotName) await shot(page, screenshotName);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Outgoing webhooks' }).waitFor();
    return page;
  }

  return { logIn, shot, pageProblems };
}
