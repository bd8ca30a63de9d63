/**
 * Captures the requester pages for the docs: docs/screenshots/{home,request-form-errors,request-submitted,status-page}.png,
 * 1280 px wide, full page, JavaScript off (as the pages are meant to work). Not part of the test suite (the name does
 * not match *.e2e-spec.ts); regenerate with
 *
 *   node --experimental-vm-modules node_modules/jest/bin/jest.js --testRegex 'screenshots\.capture\.ts$' test/browser
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { TicketState } from '../../src/tickets/ticket-state.js';
import { makeStoredTicket, makeTicketBody, seedDirectory } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchChromium, watchPage } from './chromium.js';

const OUT_DIR = join(process.cwd(), 'docs', 'screenshots');
const DAY = 86_400_000;

/** Requests already waiting, and recent decisions, so the status page shows a real place in the queue and an estimate. */
async function seedQueue(t: TestApp): Promise<void> {
  await seedDirectory(t); // the demo directory (50 generated accounts)
  for (let i = 0; i < 11; i++) await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
  const now = Date.now();
  const decided = Array.from({ length: 20 }, (_, i) => makeStoredTicket(i, {
    state: i % 4 === 0 ? TicketState.Denied : TicketState.Completed, createdAt: new Date(now - 60 * DAY),
    updatedAt: new Date(now - i * DAY), closedAt: new Date(now - i * DAY), decidedAt: new Date(now - i * DAY),
  }));
  await t.dataSource.getRepository(Ticket).insert(decided);
}

describe('documentation screenshots', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  const shoot = async (name: string) => {
    const path = join(OUT_DIR, name);
    await page.screenshot({ path, fullPage: true, animations: 'disabled' });
    expect(statSync(path).size).toBeGreaterThan(10_000);
  };

  beforeAll(async () => {
    mkdirSync(OUT_DIR, { recursive: true });
    browser = await launchChromium();
    t = await startTestApp({ PUBLIC_BASE_URL: 'https://recovery.example.org' });
    await seedQueue(t);
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('captures the requester journey', async () => {
    const problems = watchPage(page, (url, status) => status === 400 && new URL(url).pathname === '/recover');

    await page.goto(`${t.baseUrl}/`);
    await shoot('home.png');

    // A first attempt with mistakes: a typo in the address, no request type, the two confirmations not ticked.
    await page.goto(`${t.baseUrl}/recover`);
    await page.getByLabel('PyPI username').fill('alice');
    await page.getByLabel('Your contact e-mail address').fill('alice.liddell@example');
    await page.getByLabel('Projects you maintain with this account').fill('wonderland\nlooking-glass');
    await page.getByLabel('When did you create the account?').fill('2016-03');
    await Promise.all([page.waitForURL(`${t.baseUrl}/recover`), page.getByRole('button', { name: 'Submit request' }).click()]);
    expect(await page.locator('.field-error').count()).toBeGreaterThanOrEqual(3);
    await shoot('request-form-errors.png');

    await page.getByLabel('Your contact e-mail address').fill('alice.liddell@example.org');
    await page.getByLabel('What happened?').selectOption('lost_2fa');
    await page.getByLabel('E-mail addresses you used on the account').fill('alice@oxford.example.ac.uk\nal1ce@mail.example.net');
    await page.locator('fieldset').filter({ hasText: 'two-factor authentication' }).getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.locator('fieldset').filter({ hasText: 'recovery codes' }).getByRole('radio', { name: 'No', exact: true }).check();
    await page.getByLabel('Anything else that shows the account is yours').fill(
      'My phone with the authenticator app was reset during a repair, and I never saved recovery codes.\n'
      + 'I can push a branch with a token to the wonderland repository to show I control it.');
    await page.getByLabel('I accept the Code of Conduct').check();
    await page.getByLabel('I understand that a review can take a significant amount of time').check();
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Submit request' }).click()]);
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request received');
    await shoot('request-submitted.png');

    const statusPath = new URL((await page.locator('#status-link').getAttribute('href')) ?? '').pathname;
    await page.goto(`${t.baseUrl}${statusPath}`);
    await page.getByLabel('Your message').fill('I found an old invoice for the domain wonderland.example, registered with al1ce@mail.example.net.');
    await Promise.all([page.waitForURL(`${t.baseUrl}${statusPath}?sent=1`), page.getByRole('button', { name: 'Send' }).click()]);
    expect(await page.locator('#queue-position').innerText()).toBe('12');
    expect(await page.locator('#wait-estimate').innerText()).toMatch(/^about \d+ (days|weeks)$/);
    await shoot('status-page.png');

    expect(problems).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
  });
});
