import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pipelineSettled } from '../support/row-counts.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { backgroundColorOf, launchChromium, type PageProblems, watchPage } from './chromium.js';

/**
 * The requester's whole journey in a real browser with JavaScript switched off: the pages are plain HTML
 * forms and must work without it. Runs through the real Fastify server (own database and Redis prefix).
 */
describe('the requester pages in a browser, without JavaScript', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  // Carried from one step to the next: the journey is one story.
  let reference = '';
  let statusPath = '';

  /** The error answers this journey provokes on purpose: a bad form and an unconfirmed withdrawal are re-rendered with 400. */
  const provoked = (url: string, status: number) => status === 400 && /^\/(recover|status\/[\w-]{43}\/withdraw)$/.test(new URL(url).pathname);
  const byText = (text: string) => page.getByText(text, { exact: false });
  const bodyText = () => page.locator('main').innerText();

  beforeAll(async () => {
    browser = await launchChromium(); // throws "… apt-get install -y chromium" when the browser is missing
    t = await startTestApp();
    context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    problems = watchPage(page, provoked);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // Every step: nothing the CSP refused, nothing that failed to load, no console errors.
    // (No page when beforeAll failed: its error, e.g. the missing-chromium message, is the one to read.)
    if (problems) expect(problems).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
  });

  it('explains the process at / and links to the form, styled by the stylesheet', async () => {
    const response = await page.goto(`${t.baseUrl}/`);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Recover your account · Recovery Desk');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Lost access to your account?');
    expect(await bodyText()).toMatch(/weeks, sometimes months/);
    // The stylesheet loaded and applied (a CSP refusal or a 404 would leave the header unstyled).
    const headerBackground = await backgroundColorOf(page.locator('.site-header'));
    expect(headerBackground).toBe('rgb(13, 39, 64)');
    await page.getByRole('link', { name: 'Request account recovery' }).click();
    await page.waitForURL(`${t.baseUrl}/recover`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request account recovery');
  });

  it('re-renders an empty submission with an error summary and a message beside each required field', async () => {
    await Promise.all([page.waitForURL(`${t.baseUrl}/recover`), page.getByRole('button', { name: 'Submit request' }).click()]);
    const summary = page.locator('.alert-error[role="alert"]');
    expect(await summary.getByRole('heading').innerText()).toBe('Please correct the following');
    const summaryLinks = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(summaryLinks).toEqual(expect.arrayContaining(['#username', '#contact_email', '#request_type', '#coc_accepted', '#delay_acknowledged']));
    for (const field of ['username', 'contact_email', 'request_type', 'coc_accepted', 'delay_acknowledged']) {
      await expect(page.locator(`#${field}-error`).isVisible()).resolves.toBe(true);
      // Each summary link leads to a real field on the page.
      await expect(page.locator(`#${field}`).count()).resolves.toBe(1);
    }
    await expect(page.locator('#username').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#username').getAttribute('aria-describedby')).resolves.toBe('username-error');
    // The optional fields have no message, and the defaults the form came with are still chosen.
    for (const field of ['previous_emails', 'projects', 'joined_approx', 'details']) await expect(page.locator(`#${field}-error`).count()).resolves.toBe(0);
    await expect(page.locator('input[name="has_2fa"][value="unknown"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('input[name="has_recovery_codes"][value="unknown"]').isChecked()).resolves.toBe(true);
  });

  it('keeps what was typed when only some fields are wrong', async () => {
    await page.getByLabel('PyPI username').fill('carol');
    await page.getByLabel('Your contact e-mail address').fill('not-an-address');
    await page.getByLabel('What happened?').selectOption('lost_2fa');
    await page.getByLabel('E-mail addresses you used on the account').fill('carol@uni.example.edu\nbroken');
    await page.getByLabel('Anything else that shows the account is yours').fill('I released carol-tools 1.0 in <2019>.');
    await page.getByRole('radio', { name: 'Yes' }).first().check();
    await page.locator('#coc_accepted').check();
    await Promise.all([page.waitForURL(`${t.baseUrl}/recover`), page.getByRole('button', { name: 'Submit request' }).click()]);

    expect(await page.locator('#contact_email-error').innerText()).toMatch(/e-mail address/);
    expect(await page.locator('#previous_emails-error').innerText()).toMatch(/e-mail address/);
    expect(await page.locator('#delay_acknowledged-error').count()).toBe(1);
    for (const field of ['username', 'request_type', 'details', 'coc_accepted']) await expect(page.locator(`#${field}-error`).count()).resolves.toBe(0);
    await expect(page.getByLabel('PyPI username').inputValue()).resolves.toBe('carol');
    await expect(page.getByLabel('Your contact e-mail address').inputValue()).resolves.toBe('not-an-address');
    await expect(page.getByLabel('What happened?').inputValue()).resolves.toBe('lost_2fa');
    await expect(page.getByLabel('E-mail addresses you used on the account').inputValue()).resolves.toBe('carol@uni.example.edu\nbroken');
    await expect(page.getByLabel('Anything else that shows the account is yours').inputValue()).resolves.toBe('I released carol-tools 1.0 in <2019>.');
    await expect(page.locator('input[name="has_2fa"][value="true"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('#coc_accepted').isChecked()).resolves.toBe(true);
    await expect(page.locator('#delay_acknowledged').isChecked()).resolves.toBe(false);
  });

  it('accepts the corrected form and shows the reference and the private status link', async () => {
    await page.getByLabel('Your contact e-mail address').fill('carol@example.org');
    await page.getByLabel('What happened?').selectOption({ label: 'I lost my two-factor device' });
    await page.getByLabel('E-mail addresses you used on the account').fill('carol@uni.example.edu\ncarol.old@example.net');
    await page.getByLabel('Projects you maintain with this account').fill('carol-tools\ncarol-lib');
    await page.getByLabel('When did you create the account?').fill('2019-04');
    await page.locator('fieldset').filter({ hasText: 'two-factor authentication' }).getByRole('radio', { name: 'Yes', exact: true }).check();
    await page.locator('fieldset').filter({ hasText: 'recovery codes' }).getByRole('radio', { name: 'No', exact: true }).check();
    await page
      .getByLabel('Anything else that shows the account is yours')
      .fill('My phone with the authenticator app was stolen.\nI can push a branch to carol-tools.');
    await page.getByLabel('I accept the Code of Conduct').check();
    await page.getByLabel('I understand that a review can take a significant amount of time').check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Submit request' }).click(),
    ]);
    expect(response.status()).toBe(201);
    await page.waitForLoadState();

    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Request received');
    await expect(page.getByRole('status').innerText()).resolves.toBe('Your request was received.');
    reference = await page.locator('strong.reference').innerText();
    expect(reference).toMatch(/^RD-[2-9A-Z]{6}$/);
    const link = page.locator('#status-link');
    const href = (await link.getAttribute('href')) ?? '';
    expect(await link.innerText()).toBe(href);
    // The link is built on PUBLIC_BASE_URL (http://recovery.test in tests); its path is what we open here.
    const url = new URL(href);
    expect(url.origin).toBe(t.config.publicBaseUrl);
    expect(url.pathname).toMatch(/^\/status\/[A-Za-z0-9_-]{43}$/);
    statusPath = url.pathname;
  });

  it('opens the status page: state in plain words, place in the queue, estimate and timeline', async () => {
    expect(statusPath).not.toBe('');
    await pipelineSettled(t); // the assessment adds the note about one-time codes
    const response = await page.goto(`${t.baseUrl}${statusPath}`);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Request ${reference}`);
    // "Received…" until the pipeline routes the ticket, "Waiting…" after: either is the queue.
    expect(await page.locator('p.state').innerText()).toMatch(/^(Received\. Your request is waiting|Waiting) in the queue for a moderator\.$/);
    expect(await page.locator('#queue-position').innerText()).toBe('1');
    expect(await page.locator('#wait-estimate').innerText()).toMatch(/^unknown/);
    expect(await page.locator('ol.timeline > li').allInnerTexts()).toEqual([
      expect.stringMatching(/We received your request\.$/),
      expect.stringMatching(/If an address you can read is on the account, we e-mailed it a one-time code\./),
    ]);
    // the code form is there for every request, whether or not any address is on file
    expect(await page.getByLabel('Code from the e-mail').count()).toBe(1);
  });

  it('adds information through the form and shows it in the timeline', async () => {
    await page.getByLabel('Your message').fill('I also still have the old laptop\nwith my SSH key for carol-lib.');
    await Promise.all([page.waitForURL(`${t.baseUrl}${statusPath}?sent=1`), page.getByRole('button', { name: 'Send' }).click()]);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Thank you: your information was added to the request.');
    const entries = page.locator('ol.timeline > li');
    await expect(entries.count()).resolves.toBe(3);
    expect(await entries.nth(2).innerText()).toContain('You added information.');
    await expect(entries.nth(2).locator('blockquote').innerText()).resolves.toBe('I also still have the old laptop\nwith my SSH key for carol-lib.');
    await expect(page.getByLabel('Your message').inputValue()).resolves.toBe('');
    expect(await page.locator('#queue-position').innerText()).toBe('1');
  });

  it('withdraws only after the confirmation is ticked, then shows the withdrawn state and no forms', async () => {
    const withdraw = page.getByRole('button', { name: 'Withdraw request' });
    // Pressing without the tick: refused with a notice, nothing changes.
    const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), withdraw.click()]);
    expect(refused.status()).toBe(400);
    await page.waitForLoadState();
    expect(await page.getByRole('status').innerText()).toMatch(/Tick the box/);
    expect(await page.locator('p.state').innerText()).toMatch(/waiting in the queue/i);

    await page.getByLabel('I no longer need help with this account.').check();
    await Promise.all([page.waitForURL(`${t.baseUrl}${statusPath}`), page.getByRole('button', { name: 'Withdraw request' }).click()]);
    expect(await page.locator('p.state').innerText()).toBe('Withdrawn at your request.');
    expect(await page.locator('ol.timeline > li').last().innerText()).toMatch(/You withdrew the request\.$/);
    await expect(page.locator('#queue-position').count()).resolves.toBe(0);
    await expect(page.locator('form').count()).resolves.toBe(0);
    await expect(byText('Withdraw the request').count()).resolves.toBe(0);
  });

  it('with JavaScript on, loads every page without a console error or a CSP violation', async () => {
    const jsContext = await browser.newContext({ javaScriptEnabled: true });
    try {
      const jsPage = await jsContext.newPage();
      const seen = watchPage(jsPage);
      for (const path of ['/', '/recover', '/code-of-conduct', statusPath]) {
        const response = await jsPage.goto(`${t.baseUrl}${path}`, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        // The page really is styled: the stylesheet was not refused by the CSP.
        await expect(backgroundColorOf(jsPage.locator('.site-header'))).resolves.toBe('rgb(13, 39, 64)');
      }
      expect(seen).toEqual({ console: [], csp: [], pageErrors: [], failedRequests: [] });
    } finally {
      await jsContext.close();
    }
  });
});
