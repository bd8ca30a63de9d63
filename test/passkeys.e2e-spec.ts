import { agentAt } from './support/agent-at.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { Passkey } from '../src/auth/passkey.entity.js';
import { PasskeysService, removeAllPasskeys } from '../src/auth/passkeys.service.js';
import { MAX_FAILED_SIGN_INS } from '../src/auth/sign-in.service.js';
import { totpCode } from '../src/auth/totp.js';
import { Transactions } from '../src/database/transactions.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** PUBLIC_BASE_URL of test apps (test/support/test-app.ts): the relying party is its host and origin. */
const ORIGIN = 'http://recovery.test';

/**
 * Passkeys as a second factor (docs/security.md #15), through the real server with a software
 * authenticator (test/support/soft-authenticator.ts) making genuine ES256 attestations and assertions:
 * adding one after a fresh code, signing in with it instead of the code, the refusals (a wrong
 * signature, a replayed or another session's challenge, a counter that goes back, another origin), the
 * shared try limit, and removal. Each test speaks from its own client address, so the per-address
 * limit of one does not touch another.
 */
describe('passkeys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A browser of its own (its own session cookie), always speaking from `ip`. */
  const browserAt = (ip: string) => agentAt(t.server, ip);
  type Browser = ReturnType<typeof browserAt>;

  /** Name and password in a new browser: at the code step, with that page's CSRF token. */
  async function passwordStep(name: string, ip: string): Promise<{ browser: Browser; csrf: string; page: string }> {
    const browser = browserAt(ip);
    const form = await browser.get('/login').expect(200);
    await browser
      .form('/login', { name, password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/totp');
    const page = await browser.get('/login/totp').expect(200);
    return { browser, csrf: csrfIn(page.text), page: page.text };
  }

  /** A full sign-in with a fresh TOTP code. */
  async function signedIn(name: string, ip: string, secret: string) {
    const { browser, csrf } = await passwordStep(name, ip);
    await browser
      .form('/login/totp', { code: await freshCode(name, secret), _csrf: csrf })
      .expect(303)
      .expect('Location', '/dashboard');
    const page = await browser.get('/account/security').expect(200);
    return { browser, csrf: csrfIn(page.text) };
  }

  /** Signs in, then adds a passkey made by a new software authenticator. */
  async function withPasskey(name: string, ip: string): Promise<{ authenticator: SoftAuthenticator; moderator: Moderator; secret: string }> {
    const secret = await enrolledModerator(t, name);
    const { browser, csrf } = await signedIn(name, ip, secret);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await browser.json('/account/security/passkeys/options', csrf, { name: 'key one', code: await freshCode(name, secret) }).expect(200);
    await browser.json('/account/security/passkeys', csrf, { credential: authenticator.attestation(options.body) }).expect(201);
    return { authenticator, moderator: await t.dataSource.getRepository(Moderator).findOneByOrFail({ name }), secret };
  }

  /**
   * The current code, with the moderator's last accepted step forgotten first: stands in for waiting
   * for the next 30-second step (a code is taken once per step, docs/security.md #16).
   */
  const freshCode = async (name: string, secret: string) => {
    await t.dataSource.getRepository(Moderator).update({ name }, { totpLastStep: null });
    return codeAt(secret);
  };

  const passkeysOf = (moderatorId: string) => t.dataSource.getRepository(Passkey).findBy({ moderatorId });
  const audit = (action: string) => t.dataSource.getRepository(AuditEntry).findBy({ action });
  const failures = async (ip: string) => (await audit('sign_in_failed')).filter((e) => e.data.ip === ip).map((e) => e.data.reason);

  it('adds a passkey from the account page after a fresh code: the ceremony is checked (not from another session) and the public key stored', async () => {
    const ip = '203.0.113.1';
    const secret = await enrolledModerator(t, 'pia');
    const { browser, csrf } = await signedIn('pia', ip, secret);
    const page = await browser.get('/account/security').expect(200);
    expect(page.text).toContain('No passkeys yet.');
    expect(page.text).toContain('<script src="/static/passkeys.js" defer></script>');
    const moderator = await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'pia' });

    // Bad input names its field; a wrong code, or the sign-in's code again, is refused and makes no challenge.
    const noName = await browser.json('/account/security/passkeys/options', csrf, { name: '  ', code: '123456' }).expect(400);
    expect(noName.body).toEqual({ error: 'name is required', field: 'name' });
    const noCode = await browser.json('/account/security/passkeys/options', csrf, { name: 'key' }).expect(400);
    expect(noCode.body).toEqual({ error: 'code is required', field: 'code' });
    // The code of the step the sign-in took (not the wall clock's now: a step may have ended since).
    const signInStep = (await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'pia' })).totpLastStep!;
    const signInCode = await totpCode(secret, new Date(signInStep * 30_000));
    const used = await browser.json('/account/security/passkeys/options', csrf, { name: 'key', code: signInCode }).expect(401);
    expect(used.body.error).toMatch(/used already/);
    // Without the session's CSRF token the request is refused before anything else.
    await browser.agent.post('/account/security/passkeys/options').set('X-Forwarded-For', ip).send({ name: 'key', code: '000000' }).expect(403);

    const authenticator = new SoftAuthenticator(ORIGIN);
    // An answer with no challenge waiting (none was issued) is refused.
    const early = await browser
      .json('/account/security/passkeys', csrf, { credential: authenticator.attestation({ challenge: 'bm90LWlzc3VlZA' }) })
      .expect(409);
    expect(early.body.error).toMatch(/no passkey registration is waiting/);

    const options = await browser
      .json('/account/security/passkeys/options', csrf, { name: 'YubiKey  on my keyring', code: await freshCode('pia', secret) })
      .expect(200);
    expect(options.body).toMatchObject({
      rp: { id: 'recovery.test', name: 'Recovery Desk' },
      user: { name: 'pia' },
      attestation: 'none',
      authenticatorSelection: { userVerification: 'preferred' },
    });
    // A malformed answer names the field and leaves the challenge waiting.
    const malformed = await browser
      .json('/account/security/passkeys', csrf, { credential: { ...authenticator.attestation(options.body), rawId: 'other' } })
      .expect(400);
    expect(malformed.body.error).toBe('credential.rawId must equal credential.id');
    // Signed for another origin: refused, and the challenge is used up.
    const elsewhere = authenticator.attestation(options.body, { origin: 'http://evil.test' });
    await browser.json('/account/security/passkeys', csrf, { credential: elsewhere }).expect(409);
    expect(await passkeysOf(moderator.id)).toHaveLength(0);
    await browser.json('/account/security/passkeys', csrf, { credential: authenticator.attestation(options.body) }).expect(409);

    const otherSession = await signedIn('pia', ip, secret);
    const again = await browser
      .json('/account/security/passkeys/options', csrf, { name: 'YubiKey  on my keyring', code: await freshCode('pia', secret) })
      .expect(200);
    const credential = authenticator.attestation(again.body);
    // Pia's other session (another browser) cannot answer this session's challenge.
    await otherSession.browser.json('/account/security/passkeys', otherSession.csrf, { credential }).expect(409);
    const added = await browser.json('/account/security/passkeys', csrf, { credential }).expect(201);
    expect(added.body).toEqual({ redirect: '/account/security?notice=added' });
    // The same answer again: its challenge is used up.
    await browser.json('/account/security/passkeys', csrf, { credential }).expect(409);

    const [stored] = await passkeysOf(moderator.id);
    expect(stored).toMatchObject({ credentialId: authenticator.id, counter: 0, transports: ['usb'], name: 'YubiKey on my keyring', lastUsedAt: null });
    expect(Buffer.from(stored.publicKey, 'base64url').length).toBeGreaterThan(64);
    expect((await audit('passkey_added')).map((e) => [e.actor, e.data.name])).toEqual([['moderator:pia', 'YubiKey on my keyring']]);
    const listed = await browser.get('/account/security?notice=added').expect(200);
    expect(listed.text).toContain('Your passkey was added.');
    expect(listed.text).toContain('YubiKey on my keyring');
  });

  it('signs in with a passkey instead of the code: the signature and counter are checked, and the dashboard opens', async () => {
    const ip = '203.0.113.2';
    const { authenticator, moderator } = await withPasskey('quin', ip);
    const { browser, csrf, page } = await passwordStep('quin', ip);
    expect(page).toContain('id="passkey-sign-in"');
    // Not signed in yet: the account page is closed.
    await browser.get('/account/security').expect(303).expect('Location', '/login');

    const options = await browser.json('/login/passkey/options', csrf, {}).expect(200);
    expect(options.body).toMatchObject({
      rpId: 'recovery.test',
      userVerification: 'preferred',
      allowCredentials: [{ id: authenticator.id, type: 'public-key' }],
    });
    const signedIn = await browser.json('/login/passkey', csrf, { credential: authenticator.assertion(options.body) }).expect(200);
    expect(signedIn.body).toEqual({ redirect: '/dashboard' });
    await browser.get('/dashboard').expect(200);

    const [stored] = await passkeysOf(moderator.id);
    expect(stored.counter).toBe(authenticator.counter);
    expect(stored.lastUsedAt).not.toBeNull();
    expect((await audit('signed_in')).filter((e) => e.actor === 'moderator:quin')).toHaveLength(2);
    expect(await failures(ip)).toEqual([]);
  });

  it('refuses a wrong signature, another origin, a counter that goes back, and a malformed answer (which names its field)', async () => {
    const ip = '203.0.113.3';
    const { authenticator, moderator } = await withPasskey('rhea', ip);
    // One sign-in with it first, so the stored counter is past 0.
    const earlier = await passwordStep('rhea', ip);
    const earlierOptions = await earlier.browser.json('/login/passkey/options', earlier.csrf, {}).expect(200);
    await earlier.browser.json('/login/passkey', earlier.csrf, { credential: authenticator.assertion(earlierOptions.body) }).expect(200);
    const [stored] = await passkeysOf(moderator.id);
    expect(stored.counter).toBe(1);

    const { browser, csrf } = await passwordStep('rhea', ip);
    const attempt = async (tampering: Parameters<SoftAuthenticator['assertion']>[1]) => {
      const options = await browser.json('/login/passkey/options', csrf, {}).expect(200);
      return browser.json('/login/passkey', csrf, { credential: authenticator.assertion(options.body, tampering) });
    };
    const wrong = await attempt({ badSignature: true });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/could not be verified/);
    expect((await attempt({ origin: 'http://evil.test' })).status).toBe(401);
    // A cloned authenticator shows itself by a counter that does not move on.
    expect((await attempt({ counter: stored.counter })).status).toBe(401);
    expect((await attempt({ notPresent: true })).status).toBe(401);

    const options = await browser.json('/login/passkey/options', csrf, {}).expect(200);
    const good = authenticator.assertion(options.body);
    const malformed = await browser
      .json('/login/passkey', csrf, { credential: { ...good, response: { ...good.response, signature: 'not base64url!' } } })
      .expect(400);
    expect(malformed.body).toEqual({ error: 'credential.response.signature must be base64url text' });
    // The malformed answer was not a try, and left the challenge waiting: the good one still signs in.
    expect(await failures(ip)).toEqual(['passkey', 'passkey', 'passkey', 'passkey']);
    await browser.json('/login/passkey', csrf, { credential: good }).expect(200);
    // Signed in: the failure count starts again.
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'rhea' })).failedSignIns).toBe(0);
  });

  it('a challenge answers once: a replay, or two answers at once, get one sign-in at most', async () => {
    const ip = '203.0.113.4';
    const { authenticator } = await withPasskey('sven', ip);
    const { browser, csrf } = await passwordStep('sven', ip);
    const options = await browser.json('/login/passkey/options', csrf, {}).expect(200);
    // A failed answer uses up the challenge: a right answer to it afterwards is refused.
    await browser.json('/login/passkey', csrf, { credential: authenticator.assertion(options.body, { badSignature: true }) }).expect(401);
    await browser.json('/login/passkey', csrf, { credential: authenticator.assertion(options.body) }).expect(401);

    // Two copies of one right answer at once: one signs in, the other finds no challenge.
    const next = await browser.json('/login/passkey/options', csrf, {}).expect(200);
    const credential = authenticator.assertion(next.body);
    const answers = await Promise.all([1, 2].map(() => browser.json('/login/passkey', csrf, { credential })));
    // The other is refused: 401 when it looked for the challenge, or 403/409 when the winner's sign-in
    // had already replaced the session it came with, its CSRF secret and half-done sign-in with it (only
    // a try that looked for the challenge counts as a failure).
    const [winner, loser] = answers.map((r) => r.status).sort();
    expect(winner).toBe(200);
    expect([401, 403, 409]).toContain(loser);
    expect(await failures(ip)).toEqual(loser === 401 ? ['passkey', 'passkey', 'passkey'] : ['passkey', 'passkey']);

    // A later sign-in cannot reuse it either (its challenge was this sign-in's, and is gone).
    const later = await passwordStep('sven', ip);
    await later.browser.json('/login/passkey/options', later.csrf, {}).expect(200);
    await later.browser.json('/login/passkey', later.csrf, { credential }).expect(401);
  });

  it("refuses an answer to another session's challenge, which stays good for its own session", async () => {
    const ip = '203.0.113.5';
    const { authenticator } = await withPasskey('tova', ip);
    const first = await passwordStep('tova', ip);
    const second = await passwordStep('tova', ip);
    const firstOptions = await first.browser.json('/login/passkey/options', first.csrf, {}).expect(200);
    // The second session has no challenge of its own, then a different one: the first's is refused both times.
    await second.browser.json('/login/passkey', second.csrf, { credential: authenticator.assertion(firstOptions.body) }).expect(401);
    await second.browser.json('/login/passkey/options', second.csrf, {}).expect(200);
    await second.browser.json('/login/passkey', second.csrf, { credential: authenticator.assertion(firstOptions.body) }).expect(401);
    await first.browser.json('/login/passkey', first.csrf, { credential: authenticator.assertion(firstOptions.body) }).expect(200);
    // Before the password the passkey routes are closed.
    const anonymous = browserAt(ip);
    const form = await anonymous.get('/login').expect(200);
    const closed = await anonymous.json('/login/passkey/options', csrfIn(form.text), {}).expect(409);
    expect(closed.body.redirect).toBe('/login');
  });

  it(`wrong passkeys count with wrong codes: the ${MAX_FAILED_SIGN_INS}th failure locks the name; of 20 at once exactly the tries left are checked`, async () => {
    const ip = '203.0.113.6';
    const { authenticator, secret } = await withPasskey('uma', ip);
    const { browser, csrf } = await passwordStep('uma', ip);
    for (let i = 0; i < MAX_FAILED_SIGN_INS - 2; i++) await browser.form('/login/totp', { code: await codeAt(secret, -300), _csrf: csrf }).expect(401);
    // Twenty wrong passkey answers at once: the two tries left are checked, the rest refused unchecked.
    await browser.json('/login/passkey/options', csrf, {}).expect(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => browser.json('/login/passkey', csrf, { credential: authenticator.assertion({ challenge: 'd3Jvbmc' }) })),
    );
    expect(answers.every((r) => [401, 429, 409].includes(r.status))).toBe(true);
    expect(answers.filter((r) => r.status === 401).length).toBeLessThanOrEqual(2);
    expect(await failures(ip)).toEqual(expect.arrayContaining(['totp', 'totp', 'totp', 'passkey', 'passkey']));
    expect((await failures(ip)).filter((r) => r === 'passkey' || r === 'totp')).toHaveLength(MAX_FAILED_SIGN_INS);
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'uma' })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    // Locked: a right passkey in a new sign-in does not get past the password.
    const again = browserAt(ip);
    const form = await again.get('/login').expect(200);
    await again.form('/login', { name: 'uma', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) }).expect(429);
    await again.json('/login/passkey/options', csrfIn(form.text), {}).expect(409);
  });

  it('removes a passkey from the account page (only one of your own), and removeAll clears a person for a second-factor reset, with Nest or without', async () => {
    const ip = '203.0.113.7';
    const { moderator, secret } = await withPasskey('vera', ip);
    const other = await withPasskey('walt', '203.0.113.8');
    const { browser, csrf } = await signedIn('vera', ip, secret);
    const [own] = await passkeysOf(moderator.id);
    const [theirs] = await passkeysOf(other.moderator.id);

    await browser.form(`/account/security/passkeys/${theirs.id}/delete`, { _csrf: csrf }).expect(404);
    await browser.form('/account/security/passkeys/not-an-id/delete', { _csrf: csrf }).expect(404);
    await browser.agent.post(`/account/security/passkeys/${own.id}/delete`).set('X-Forwarded-For', ip).type('form').send({}).expect(403);
    await browser.form(`/account/security/passkeys/${own.id}/delete`, { _csrf: csrf }).expect(303).expect('Location', '/account/security?notice=removed');
    expect(await passkeysOf(moderator.id)).toHaveLength(0);
    expect(await passkeysOf(other.moderator.id)).toHaveLength(1);
    expect((await audit('passkey_removed')).map((e) => e.actor)).toEqual(['moderator:vera']);

    // Without a passkey the code page offers none, and its routes say so.
    const next = await passwordStep('vera', ip);
    expect(next.page).not.toContain('passkey-sign-in');
    await next.browser.json('/login/passkey/options', next.csrf, {}).expect(409);

    const removed = await t.app.get(PasskeysService).removeAll(other.moderator.id, 'moderator:admin');
    expect(removed).toBe(1);
    expect(await passkeysOf(other.moderator.id)).toHaveLength(0);
    expect((await audit('passkeys_removed')).map((e) => [e.actor, e.data])).toEqual([['moderator:admin', { moderator_id: other.moderator.id, removed: 1 }]]);
    expect(await t.app.get(PasskeysService).removeAll(other.moderator.id, 'moderator:admin')).toBe(0);

    // The same without Nest (the command line), inside the caller's transaction.
    const third = await withPasskey('xena', '203.0.113.9');
    const removedByCli = await new Transactions(t.dataSource).run((em) => removeAllPasskeys(em, third.moderator.id, 'cli', new Date()));
    expect(removedByCli).toBe(1);
    expect(await passkeysOf(third.moderator.id)).toHaveLength(0);
    expect((await audit('passkeys_removed')).map((e) => e.actor)).toEqual(['moderator:admin', 'cli']);
  });
});
