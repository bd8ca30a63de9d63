import { createServer } from 'node:net';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import request from 'supertest';
import { AuditEntry } from '../../src/audit/audit-entry.entity.js';
import { Moderator } from '../../src/auth/moderator.entity.js';
import { Passkey } from '../../src/auth/passkey.entity.js';
import { totpCode } from '../../src/auth/totp.js';
import { ReviewService } from '../../src/review-queue/review.service.js';
import { Recovery } from '../../src/tickets/recovery.entity.js';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { makeAccount, makeTicketBody, seedDirectory } from '../support/factories.js';
import { MovableClock } from '../support/movable-clock.js';
import { pipelineSettled } from '../support/row-counts.js';
import { enrolledModerator, STAFF_PASSWORD } from '../support/staff.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectQuietPages, launchChromium, type PageProblems, watchPage } from './chromium.js';

const OWNER = makeAccount({
  username: 'olly-owner',
  emails: [{ address: 'olly@owner.example', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null }],
});

/** One TOTP time step: a code is taken once per step, so a second code needs the clock one step on. */
const STEP_MS = 30_000;

/** A port nobody listens on now: the app must know its own origin (PUBLIC_BASE_URL) before it listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A passkey from the page, in Debian's chromium with a CDP virtual authenticator (a platform
 * authenticator: CTAP2, internal transport, resident keys, user verification): nina adds one on her
 * account page after a fresh code, signs out, and signs in with it instead of the code; approves a
 * ticket from its page with the passkey instead of a code (docs/security.md #15); then removes it.
 * WebAuthn needs a secure context: http://localhost is one, so the app's origin and RP ID are localhost.
 */
describe('passkeys in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId = '';
  let origin = '';
  let secret = '';
  const clock = new MovableClock();
  const problems: Record<string, PageProblems> = {};

  const heading = () => page.getByRole('heading', { level: 1 }).innerText();
  const code = () => totpCode(secret, clock.now());
  const virtualCredentials = async () =>
    (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as { credentialId: string; signCount: number; rpId: string }[];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    t = await startTestApp({ PORT: String(port), PUBLIC_BASE_URL: origin }, { clock });
    // A senior: she approves against the recommendation below (a reason, and a second senior after her).
    secret = await enrolledModerator(t, 'nina', 'senior');
    await seedDirectory(t, [OWNER]);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    // The wrong code is refused on purpose (401).
    problems.nina = watchPage(page, (url, status) => url.endsWith('/account/security/passkeys/options') && status === 401);
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const added = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    authenticatorId = added.authenticatorId;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('nina signs in with her code and adds a passkey from her account page', async () => {
    await page.goto(`${origin}/login`);
    await page.getByLabel('Name').fill('nina');
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${origin}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
    // No passkey yet: the code page offers none.
    expect(await page.locator('#passkey-sign-in').count()).toBe(0);
    await page.getByLabel('Code').fill(await code());
    await Promise.all([page.waitForURL(`${origin}/dashboard`), page.getByRole('button', { name: 'Sign in' }).click()]);

    await Promise.all([page.waitForURL(`${origin}/account/security`), page.locator('#nav-security').click()]);
    expect(await heading()).toBe('Your sign-in security');
    expect(await page.locator('#passkeys tbody').innerText()).toContain('No passkeys yet.');

    // A wrong code: the page says so beside the form, and nothing is added.
    await page.getByLabel('A name for it').fill('This laptop');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.locator('#add-passkey-error').waitFor({ state: 'visible' });
    expect(await page.locator('#add-passkey-error').innerText()).toMatch(/That code is not right|used already/);
    expect(await virtualCredentials()).toHaveLength(0);

    clock.advance(STEP_MS);
    await page.getByLabel('Code from your authenticator app').fill(await code());
    await Promise.all([page.waitForURL(`${origin}/account/security?notice=added`), page.getByRole('button', { name: 'Add a passkey' }).click()]);
    expect(await page.locator('#notice').innerText()).toMatch(/Your passkey was added/);
    expect(await page.locator('#passkeys tbody').innerText()).toMatch(/This laptop\s.*UTC\s+never/);

    const [credential] = await virtualCredentials();
    expect(credential.rpId).toBe('localhost');
    const moderator = await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'nina' });
    const [stored] = await t.dataSource.getRepository(Passkey).findBy({ moderatorId: moderator.id });
    expect(Buffer.from(stored.credentialId, 'base64url').toString('base64')).toBe(credential.credentialId);
    expect(stored.transports).toEqual(['internal']);
    expectQuietPages(problems);
  });

  it('after signing out, she signs in with the passkey instead of a code', async () => {
    await page.goto(`${origin}/dashboard`);
    await Promise.all([page.waitForURL(`${origin}/login?notice=signed_out`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.getByLabel('Name').fill('nina');
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${origin}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
    await Promise.all([page.waitForURL(`${origin}/dashboard`), page.getByRole('button', { name: 'Use a passkey' }).click()]);
    expect(await page.locator('#signed-in-as').innerText()).toMatch(/^Signed in as nina \(/);

    const [credential] = await virtualCredentials();
    expect(credential.signCount).toBeGreaterThan(0);
    const moderator = await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'nina' });
    const [stored] = await t.dataSource.getRepository(Passkey).findBy({ moderatorId: moderator.id });
    expect(stored.counter).toBe(credential.signCount);
    expect(stored.lastUsedAt).not.toBeNull();
    expectQuietPages(problems);
  });

  it('she approves a ticket from its page with the passkey instead of a code, with the address and reason she chose', async () => {
    const created = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'olly-owner', contact_email: 'olly@new.example' }))
      .expect(201);
    const reference = created.body.reference as string;
    await pipelineSettled(t);
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    expect(await t.app.get(ReviewService).claim(ticket.id, 'nina')).not.toBeNull();

    await page.goto(`${origin}/dashboard/tickets/${reference}`);
    const button = page.getByRole('button', { name: 'Confirm with a passkey instead' });
    await button.waitFor({ state: 'visible' });
    // The passkey stands in for the code only: the written reason is still required before any prompt.
    await button.click();
    expect(await page.locator('#override-reason').evaluate((el) => (el as unknown as { validity: { valid: boolean } }).validity.valid)).toBe(false);
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: ticket.id })).toBe(0);

    await page.locator('#reset_address').selectOption('olly@new.example');
    await page.locator('#override-reason').fill('Confirmed on a call placed to the number on file.');
    await Promise.all([page.waitForURL(`${origin}/dashboard/tickets/${reference}?done=approved_once`), button.click()]);
    await expect(page.locator('#action-notice').innerText()).resolves.toBe('Approved once: a second senior moderator must approve it too.');
    await expect(page.locator('#recovery-status').innerText()).resolves.toMatch(/Approved by nina; a second senior moderator must approve too\./);
    expect(await page.locator('#timeline').innerText()).toContain('nina approved the recovery (confirmed with a passkey), reset link to');

    const recovery = await t.dataSource.getRepository(Recovery).findOneByOrFail({ ticketId: ticket.id });
    expect(recovery).toMatchObject({ firstApprover: 'nina', resetAddress: 'olly@new.example', state: 'awaiting_second' });
    const audit = await t.dataSource.getRepository(AuditEntry).findOneByOrFail({ ticketId: ticket.id, action: 'approved' });
    expect(audit.data).toMatchObject({ reauthenticated_with: 'passkey', override_reason: 'Confirmed on a call placed to the number on file.' });
    const [credential] = await virtualCredentials();
    const moderator = await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'nina' });
    const [stored] = await t.dataSource.getRepository(Passkey).findBy({ moderatorId: moderator.id });
    expect(stored.counter).toBe(credential.signCount);
    expectQuietPages(problems);
  });

  it('she removes the passkey; the code page offers none again', async () => {
    await page.goto(`${origin}/account/security`);
    await Promise.all([page.waitForURL(`${origin}/account/security?notice=removed`), page.getByRole('button', { name: 'Remove This laptop' }).click()]);
    expect(await page.locator('#passkeys tbody').innerText()).toContain('No passkeys yet.');
    expect(await t.dataSource.getRepository(Passkey).count()).toBe(0);
    await page.goto(`${origin}/dashboard`);
    await Promise.all([page.waitForURL(`${origin}/login?notice=signed_out`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await page.getByLabel('Name').fill('nina');
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await Promise.all([page.waitForURL(`${origin}/login/totp`), page.getByRole('button', { name: 'Continue' }).click()]);
    expect(await heading()).toBe('Enter your code');
    expect(await page.locator('#passkey-sign-in').count()).toBe(0);
    expectQuietPages(problems);
  });
});
