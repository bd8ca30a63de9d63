import type { Browser, Page } from 'playwright-core';
import { Moderator } from '../../src/auth/moderator.entity.js';
import { SignInService } from '../../src/auth/sign-in.service.js';
import { codeAt, enrolledModerator, STAFF_PASSWORD, STAFF_TOTP_SECRET } from '../support/staff.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectQuietPages, launchChromium, type PageProblems, watchPage } from './chromium.js';

/**
 * In a real browser, under the CSP (docs/security.md #32): a moderator signs in with a recovery code, an
 * admin resets that moderator's second factor from the staff page, and the moderator's open page is
 * signed out at its next request.
 */
describe('staff administration and recovery codes in a browser', () => {
  let browser: Browser;
  let t: TestApp;
  let ada: Page;
  let ben: Page;
  let benCodes: string[];
  const problems: Record<string, PageProblems> = {};

  const newPage = async (who: string) => {
    const page = await (await browser.newContext()).newPage();
    problems[who] = watchPage(page);
    return page;
  };

  /** Name and password; then the code step, where the caller proves the second factor. */
  const password = async (page: Page, name: string) => {
    await page.goto(`${t.baseUrl}/login`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${t.baseUrl}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
  };

  beforeAll(async () => {
    browser = await launchChromium();
    t = await startTestApp();
    await enrolledModerator(t, 'ada', 'admin');
    await enrolledModerator(t, 'ben', 'moderator');
    const benRow = await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'ben' });
    benCodes = await t.app.get(SignInService).renewRecoveryCodes(benRow.id, '127.0.0.1');
    ada = await newPage('ada');
    ben = await newPage('ben');
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => expectQuietPages(problems));

  it('signs ben in with a recovery code from the code page', async () => {
    await password(ben, 'ben');
    await Promise.all([ben.waitForURL(`${t.baseUrl}/login/recovery-code`), ben.locator('#use-recovery-code').click()]);
    await ben.getByLabel('Recovery code').fill(benCodes[0]);
    await Promise.all([ben.waitForURL(`${t.baseUrl}/dashboard`), ben.getByRole('button', { name: 'Sign in' }).click()]);
    await Promise.all([ben.waitForURL(`${t.baseUrl}/dashboard/account`), ben.locator('#nav-account').click()]);
    expect(await ben.locator('#unused-codes').innerText()).toBe('9');
  });

  it("ada resets ben's second factor from the staff page; ben's page is signed out at its next request", async () => {
    await password(ada, 'ada');
    await ada.getByLabel('Code').fill(await codeAt(STAFF_TOTP_SECRET));
    await Promise.all([ada.waitForURL(`${t.baseUrl}/dashboard`), ada.getByRole('button', { name: 'Sign in' }).click()]);
    await Promise.all([ada.waitForURL(`${t.baseUrl}/admin/staff`), ada.locator('#nav-staff').click()]);
    const row = ada.locator('#staff-list tr[data-name="ben"]');
    expect(await row.locator('td.recovery-codes').innerText()).toBe('9');
    await Promise.all([ada.waitForURL(/\/admin\/staff\?done=reset_second_factor/), row.getByRole('button', { name: 'Reset second factor' }).click()]);
    expect(await ada.locator('#staff-notice').innerText()).toMatch(/^ben's second factor is reset/);
    expect(await row.locator('td.recovery-codes').innerText()).toBe('0');
    expect(await row.locator('td.state').innerText()).toBe('second factor to enrol');

    await Promise.all([ben.waitForURL(`${t.baseUrl}/login?notice=session_revoked`), ben.reload()]);
    expect(await ben.locator('#sign-in-notice').innerText()).toBe('An admin ended your sessions; please sign in again.');
  });
});
