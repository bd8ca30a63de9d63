import { createServer } from 'node:net';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { Moderator } from '../../src/auth/moderator.entity.js';
import { Passkey } from '../../src/auth/passkey.entity.js';
import { totpCode } from '../../src/auth/totp.js';
import { MovableClock } from '../support/movable-clock.js';
import { enrolledModerator, STAFF_PASSWORD } from '../support/staff.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectQuietPages, launchChromium, type PageProblems, watchPage } from './chromium.js';

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
 * account page after a fresh code, signs out, and signs in with it instead of the code; then removes it.
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
    secret = await enrolledModerator(t, 'nina');
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
