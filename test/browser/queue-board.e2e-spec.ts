import type { Browser } from 'playwright-core';
import { signedInModerator } from '../support/staff.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchChromium, watchPage } from './chromium.js';

const GOOGLE_FONTS = 'https://fonts.googleapis.com/';

/**
 * bull-board's page (a React app from its own static files) under the app's strict CSP, unchanged for
 * /ops/queues: its scripts are same-origin files, so it runs. What the CSP blocks is cosmetic and known:
 * the Google Fonts stylesheet (the board falls back to system fonts, and ops' browsers make no
 * third-party request) and a few inline styles (the loading placeholder's). Any other violation fails.
 */
describe("the ops queue board in a browser, under the app's Content Security Policy", () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('runs the board: every queue listed, no script blocked, no error', async () => {
    const ops = await signedInModerator(t, 'olga', 'ops');
    const session = /rd_staff=([^;]+)/.exec(String((await ops.get('/ops/queues').expect(200)).headers['set-cookie']))?.[1];
    expect(session).toBeDefined();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies([{ name: 'rd_staff', value: session!, url: t.baseUrl }]);
    const page = await context.newPage();
    const problems = watchPage(page);

    const response = await page.goto(`${t.baseUrl}/ops/queues`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self';script-src-attr 'none';style-src 'self'");
    for (const queue of ['mail', 'review', 'dispatch', 'timers']) {
      await page.getByRole('link', { name: queue, exact: true }).first().waitFor({ timeout: 15_000 });
    }
    await page.getByRole('link', { name: 'mail', exact: true }).first().click();
    await page.getByText('No latest jobs in this queue.').waitFor({ timeout: 15_000 });

    expect(problems.pageErrors).toEqual([]);
    expect(problems.csp.filter((line) => !/stylesheet '[^']*fonts\.googleapis\.com|Applying inline style/.test(line))).toEqual([]);
    expect(problems.failedRequests.filter((line) => !line.includes(GOOGLE_FONTS))).toEqual([]);
    await context.close();
  });
});
