import request from 'supertest';
import { agentAt } from './support/agent-at.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import type { ModeratorRole } from '../src/auth/moderator-roles.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { Passkey } from '../src/auth/passkey.entity.js';
import { MAX_FAILED_SIGN_INS } from '../src/auth/sign-in.service.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Recovery } from '../src/tickets/recovery.entity.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { codeMailedFor, expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/** PUBLIC_BASE_URL of test apps (test/support/test-app.ts): the relying party is its host and origin. */
const ORIGIN = 'http://recovery.test';
const PARALLEL = 30;
const REASON = 'Confirmed on a call placed to the number on file.';

const address = (a: string) => ({ address: a, verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null });
const ACCOUNTS = ['pk-proven', 'pk-replay', 'pk-refusals', 'pk-other', 'pk-limit', 'pk-second'].map((username) =>
  makeAccount({ username, emails: [address(`${username}@owner.example`)] }),
);

/**
 * Re-authentication with a passkey at approval and when adding a passkey (docs/security.md #15), through
 * the real server with a software authenticator (test/support/soft-authenticator.ts) making genuine ES256
 * assertions: an approval confirmed with a passkey runs the same command as one confirmed with a code
 * (and the audit entry says which); wrong, replayed, other-session and other-ticket answers are refused
 * with the form kept; refused passkeys and wrong codes share one try limit, also all at once; a second
 * senior approves with a passkey; a passkey confirms adding another. Each test speaks from its own
 * client address, so the per-address limit of one does not touch another.
 */
describe('passkeys at approval and when adding a passkey', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: 'true', COOLING_OFF: '24h', COOLING_OFF_LONG: '72h' });
    await seedDirectory(t, ACCOUNTS);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A browser of its own (its own session cookie), always speaking from `ip`. */
  const browserAt = (ip: string) => agentAt(t.server, ip);
  type Browser = ReturnType<typeof browserAt>;

  /**
   * The current code, with the moderator's last accepted step forgotten first: stands in for waiting
   * for the next 30-second step (a code is taken once per step, docs/security.md #16).
   */
  const freshCode = async (name: string) => {
    await t.dataSource.getRepository(Moderator).update({ name }, { totpLastStep: null });
    return codeAt(STAFF_TOTP);
  };
  const STAFF_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  /** A full sign-in with a fresh TOTP code, in a new browser. */
  async function signedIn(name: string, ip: string): Promise<Browser> {
    const browser = browserAt(ip);
    const form = await browser.get('/login').expect(200);
    await browser
      .form('/login', { name, password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/totp');
    const page = await browser.get('/login/totp').expect(200);
    await browser
      .form('/login/totp', { code: await freshCode(name), _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/dashboard');
    return browser;
  }

  /** An enrolled moderator, signed in, with a passkey added from the account page (after a fresh code). */
  async function withPasskey(name: string, ip: string, role: ModeratorRole = 'senior') {
    const secret = await enrolledModerator(t, name, role);
    expect(secret).toBe(STAFF_TOTP);
    const browser = await signedIn(name, ip);
    const csrf = csrfIn((await browser.get('/account/security').expect(200)).text);
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await browser.json('/account/security/passkeys/options', csrf, { name: 'key one', code: await freshCode(name) }).expect(200);
    await browser.json('/account/security/passkeys', csrf, { credential: authenticator.attestation(options.body) }).expect(201);
    return { browser, authenticator, moderator: await t.dataSource.getRepository(Moderator).findOneByOrFail({ name }) };
  }

  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const recoveriesOf = async (reference: string) => t.dataSource.getRepository(Recovery).findBy({ ticketId: (await ticketOf(reference)).id });
  const auditOf = async (reference: string, action: string) =>
    t.dataSource.getRepository(AuditEntry).findBy({ ticketId: (await ticketOf(reference)).id, action });
  const failures = async (ip: string) =>
    (await t.dataSource.getRepository(AuditEntry).find({ where: { action: 'sign_in_failed' }, order: { id: 'ASC' } }))
      .filter((e) => e.data.ip === ip)
      .map((e) => e.data.reason);

  /** Submits through the API, waits for the pipeline, and lets `holder` take the ticket. */
  async function ticketHeldBy(holder: string, username: string, contact: string) {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username, contact_email: contact }))
      .expect(201);
    const reference = res.body.reference as string;
    await pipelineSettled(t);
    const ticket = await ticketOf(reference);
    expect(ticket.state).toBe(TicketState.AwaitingReview);
    expect(await t.app.get(ReviewService).claim(ticket.id, holder)).not.toBeNull();
    return { reference, token: statusTokenIn(res.body.status_url as string) };
  }

  /** The ticket page as `browser` sees it, and its CSRF token. */
  async function ticketPage(browser: Browser, reference: string) {
    const page = await browser.get(`/dashboard/tickets/${reference}`).expect(200);
    return { html: page.text, csrf: csrfIn(page.text) };
  }

  /** A passkey's answer to this session's re-authentication challenge for approving `reference`, as the page's script posts it. */
  async function assertionFor(browser: Browser, reference: string, authenticator: SoftAuthenticator, tampering = {}) {
    const { csrf } = await ticketPage(browser, reference);
    const options = await browser.json(`/dashboard/tickets/${reference}/passkey-options`, csrf, {}).expect(200);
    return JSON.stringify(authenticator.assertion(options.body, tampering));
  }

  const approve = async (browser: Browser, reference: string, fields: Record<string, string>) => {
    const { csrf } = await ticketPage(browser, reference);
    return browser.form(`/dashboard/tickets/${reference}/approve`, { ...fields, _csrf: csrf });
  };

  /** The requester proves control of the address on file, so an approval goes with the evidence: one approver, cooling-off at once. */
  async function proveAddress(browser: Browser, reference: string, token: string, to: string) {
    const { csrf } = await ticketPage(browser, reference);
    await browser.form(`/dashboard/tickets/${reference}/challenges`, { kind: 'email', address: to, _csrf: csrf }).expect(303);
    const code = await codeMailedFor(t.mailDir, reference, to);
    await request(t.server).post(`/status/${token}/code`).type('form').send({ code }).expect(303);
    await pipelineSettled(t);
    await expectEventually(async () => expect((await ticketOf(reference)).recommendation).not.toBe('deny'));
  }

  /** The form came back as sent: the ticket page (not an error page), the chosen address still selected, the reason still written. */
  const expectKept = (html: string, reference: string, resetAddress: string, reason?: string) => {
    expect(html).toContain(`<h1>Ticket <span class="reference">${reference}</span></h1>`);
    expect(html).toContain(`<option value="${resetAddress}" selected>`);
    if (reason) expect(html).toContain(`${reason}</textarea>`);
  };

  it('approves with a passkey instead of the code: the same approval, the cooling-off starts, and the audit says passkey', async () => {
    const ip = '203.0.113.101';
    const { browser, authenticator, moderator } = await withPasskey('pam', ip);
    const { reference, token } = await ticketHeldBy('pam', 'pk-proven', 'pam-requester@new.example');
    await proveAddress(browser, reference, token, 'pk-proven@owner.example');

    // The ticket page offers the passkey beside the code, and loads the one static script for it (no inline script).
    const { html } = await ticketPage(browser, reference);
    expect(html).toContain('id="approve-passkey"');
    expect(html).toContain(`data-passkey-reauth="/dashboard/tickets/${reference}/passkey-options"`);
    expect(html).toContain('<script src="/static/passkeys.js" defer></script>');
    expect(html).toContain('id="approve-code" name="code"'); // the code keeps working without a script
    expect(html).not.toMatch(/<script>/);

    const options = await browser.json(`/dashboard/tickets/${reference}/passkey-options`, (await ticketPage(browser, reference)).csrf, {}).expect(200);
    expect(options.body).toMatchObject({ rpId: 'recovery.test', userVerification: 'preferred', allowCredentials: [{ id: authenticator.id }] });
    const assertion = JSON.stringify(authenticator.assertion(options.body));
    const approved = await approve(browser, reference, { reset_address: 'pk-proven@owner.example', passkey_assertion: assertion });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe(`/dashboard/tickets/${reference}?done=approved`);
    // Re-authenticated: a new session id, as after a code.
    expect(String(approved.headers['set-cookie'])).toMatch(/rd_staff=/);

    const ticket = await ticketOf(reference);
    expect(ticket.state).toBe(TicketState.CoolingOff);
    expect(ticket.coolingOffEndsAt).toBeInstanceOf(Date);
    const [recovery] = await recoveriesOf(reference);
    expect(recovery).toMatchObject({ state: 'cooling_off', firstApprover: 'pam', resetAddress: 'pk-proven@owner.example', needsSecond: false });
    const [entry] = await auditOf(reference, 'approved');
    expect(entry.actor).toBe('moderator:pam');
    expect(entry.data).toMatchObject({ reauthenticated_with: 'passkey', needs_second: false });
    expect(await auditOf(reference, 'cooling_off_started')).toHaveLength(1);
    const [stored] = await t.dataSource.getRepository(Passkey).findBy({ moderatorId: moderator.id });
    expect(stored.counter).toBe(authenticator.counter);
    expect(await failures(ip)).toEqual([]);
    // Staff read it on the timeline.
    expect((await browser.get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain('pam approved the recovery (confirmed with a passkey)');

    // The same answer again, for another ticket pam holds: its challenge is used up; the form comes back kept.
    const other = await ticketHeldBy('pam', 'pk-replay', 'pam-other@new.example');
    const replay = await approve(browser, other.reference, { reset_address: 'pam-other@new.example', override_reason: REASON, passkey_assertion: assertion });
    expect(replay.status).toBe(401);
    expectKept(replay.text, other.reference, 'pam-other@new.example', REASON);
    expect(replay.text).toContain('Not approved: the passkey could not be verified. Nothing was approved; what you chose is kept below.');
    expect(replay.text).toMatch(/<p class="field-error" id="approve-passkey-error">The passkey could not be verified/);
    expect(await recoveriesOf(other.reference)).toHaveLength(0);
    expect(await failures(ip)).toEqual(['passkey']);
  });

  it('refuses a wrong, replayed, other-session or other-ticket answer, and a malformed one (naming the field), each time with the form kept', async () => {
    const ip = '203.0.113.102';
    const { browser, authenticator } = await withPasskey('rex', ip);
    const { reference } = await ticketHeldBy('rex', 'pk-refusals', 'rex-requester@new.example');
    const fields = { reset_address: 'rex-requester@new.example', override_reason: REASON };
    const refusedKept = async (passkey_assertion: string) => {
      const answer = await approve(browser, reference, { ...fields, passkey_assertion });
      expect(answer.status).toBe(401);
      expectKept(answer.text, reference, 'rex-requester@new.example', REASON);
      expect(answer.text).toContain('the passkey could not be verified');
      expect(await recoveriesOf(reference)).toHaveLength(0);
    };

    // No challenge was issued: an answer to a made-up one.
    await refusedKept(JSON.stringify(authenticator.assertion({ challenge: 'bm90LWlzc3VlZA' })));
    // A wrong signature uses the challenge up: the right answer to it afterwards is refused too (a replay).
    const { csrf } = await ticketPage(browser, reference);
    const options = await browser.json(`/dashboard/tickets/${reference}/passkey-options`, csrf, {}).expect(200);
    await refusedKept(JSON.stringify(authenticator.assertion(options.body, { badSignature: true })));
    await refusedKept(JSON.stringify(authenticator.assertion(options.body)));
    // A challenge issued for approving another ticket does not approve this one.
    const elsewhere = await browser.json('/dashboard/tickets/RD-ZZZZZZ/passkey-options', csrf, {}).expect(200);
    await refusedKept(JSON.stringify(authenticator.assertion(elsewhere.body)));
    expect(await failures(ip)).toEqual(['passkey', 'passkey', 'passkey', 'passkey']);
    await t.dataSource.getRepository(Moderator).update({ name: 'rex' }, { failedSignIns: 0 }); // as a sign-in would: room for the rest

    // Malformed: a 400 naming the field, the form kept, and not a try.
    const malformed = await approve(browser, reference, { ...fields, passkey_assertion: '{"id":"x"' });
    expect(malformed.status).toBe(400);
    expectKept(malformed.text, reference, 'rex-requester@new.example', REASON);
    expect(malformed.text).toMatch(/id="approve-passkey-error">passkey_assertion: credential is required/);
    const badField = JSON.parse(await assertionFor(browser, reference, authenticator)) as { response: Record<string, string> };
    badField.response.signature = 'not base64url!';
    const named = await approve(browser, reference, { ...fields, passkey_assertion: JSON.stringify(badField) });
    expect(named.status).toBe(400);
    expect(named.text).toContain('passkey_assertion: credential.response.signature must be base64url text');
    // Neither code nor passkey: the code is asked for. A recovery code is not a code here (docs/security.md #15).
    expect((await approve(browser, reference, fields)).text).toContain('code is required');
    const recoveryCode = await approve(browser, reference, { ...fields, code: 'abcd-efgh-jkmn' });
    expect(recoveryCode.status).toBe(400);
    expect(recoveryCode.text).toMatch(/id="approve-code-error">code must be the 6 digits from your authenticator app/);
    expect(await failures(ip)).toHaveLength(4);

    // Rex's other browser (another session) cannot answer this session's challenge, which stays good here.
    const otherBrowser = await signedIn('rex', ip);
    const good = await assertionFor(browser, reference, authenticator);
    const fromElsewhere = await approve(otherBrowser, reference, { ...fields, passkey_assertion: good });
    expect(fromElsewhere.status).toBe(401);
    expectKept(fromElsewhere.text, reference, 'rex-requester@new.example', REASON);
    const approved = await approve(browser, reference, { ...fields, passkey_assertion: good });
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe(`/dashboard/tickets/${reference}?done=approved_once`);
    const [entry] = await auditOf(reference, 'approved');
    expect(entry.data).toMatchObject({ reauthenticated_with: 'passkey', override_reason: REASON });
    expect((await failures(ip)).filter((r) => r === 'passkey')).toHaveLength(5);
  });

  it(`refused passkeys count with wrong codes at approval: of ${PARALLEL} at once exactly the tries left are checked, then the right passkey is refused`, async () => {
    const ip = '203.0.113.103';
    const { browser, authenticator, moderator } = await withPasskey('sol', ip);
    const { reference } = await ticketHeldBy('sol', 'pk-limit', 'sol-requester@new.example');
    const fields = { reset_address: 'sol-requester@new.example', override_reason: REASON };
    // Two wrong codes at approval first.
    for (let i = 0; i < 2; i++) expect((await approve(browser, reference, { ...fields, code: await codeAt(STAFF_TOTP, -300) })).status).toBe(401);

    // Then PARALLEL wrong passkey answers at once (one to the live challenge, the rest to none).
    const { csrf } = await ticketPage(browser, reference);
    const options = await browser.json(`/dashboard/tickets/${reference}/passkey-options`, csrf, {}).expect(200);
    const wrong = JSON.stringify(authenticator.assertion(options.body, { badSignature: true }));
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () => browser.form(`/dashboard/tickets/${reference}/approve`, { ...fields, passkey_assertion: wrong, _csrf: csrf })),
    );
    // Refused after the check (401), or before it once the tries are all taken (429).
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(PARALLEL - (MAX_FAILED_SIGN_INS - 2));
    const reasons = await failures(ip);
    expect(reasons.filter((r) => r === 'totp')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'passkey')).toHaveLength(MAX_FAILED_SIGN_INS - 2);
    expect(reasons.filter((r) => r !== 'totp' && r !== 'passkey').every((r) => r === 'locked' || r === 'client_limit')).toBe(true);
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'sol' })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    // The right passkey while locked: refused before any check (its counter is not even stored), nothing approved.
    const counterBefore = (await t.dataSource.getRepository(Passkey).findOneByOrFail({ moderatorId: moderator.id })).counter;
    const right = await assertionFor(browser, reference, authenticator);
    expect((await approve(browser, reference, { ...fields, passkey_assertion: right })).status).toBe(429);
    expect((await t.dataSource.getRepository(Passkey).findOneByOrFail({ moderatorId: moderator.id })).counter).toBe(counterBefore);
    expect(await recoveriesOf(reference)).toHaveLength(0);
    expect((await failures(ip)).filter((r) => r === 'passkey')).toHaveLength(MAX_FAILED_SIGN_INS - 2);

    // Only the lock stood in the way: lifted (as 15 minutes would), a passkey approves.
    await t.dataSource.getRepository(Moderator).update({ name: 'sol' }, { lockedUntil: null, failedSignIns: 0 });
    const after = await approve(browser, reference, { ...fields, passkey_assertion: await assertionFor(browser, reference, authenticator) });
    expect(after.status).toBe(303);
    expect(await recoveriesOf(reference)).toHaveLength(1);
  });

  it('a second senior gives the second approval with a passkey: the cooling-off starts, and each audit entry names its factor', async () => {
    const ip = '203.0.113.104';
    await enrolledModerator(t, 'tam', 'senior');
    const tam = await signedIn('tam', ip);
    const { browser: uli, authenticator } = await withPasskey('uli', ip);
    const { reference } = await ticketHeldBy('tam', 'pk-second', 'second-requester@new.example');
    // Tam has no passkey: the page offers none, and the options route says so.
    const tamPage = await ticketPage(tam, reference);
    expect(tamPage.html).not.toContain('approve-passkey');
    expect(tamPage.html).not.toContain('/static/passkeys.js');
    await tam.json(`/dashboard/tickets/${reference}/passkey-options`, tamPage.csrf, {}).expect(409);

    // Against the recommendation: tam approves with a code; a second senior must agree.
    const first = await approve(tam, reference, { reset_address: 'second-requester@new.example', override_reason: REASON, code: await freshCode('tam') });
    expect(first.headers.location).toBe(`/dashboard/tickets/${reference}?done=approved_once`);
    expect((await auditOf(reference, 'approved'))[0].data).toMatchObject({ reauthenticated_with: 'totp' });

    const uliPage = await ticketPage(uli, reference);
    expect(uliPage.html).toContain('id="second-passkey"');
    expect(uliPage.html).toContain('<script src="/static/passkeys.js" defer></script>');
    // A wrong answer: the second-approval form comes back with the reason beside the passkey button.
    const wrong = await uli.form(`/dashboard/tickets/${reference}/second-approval`, {
      passkey_assertion: await assertionFor(uli, reference, authenticator, { badSignature: true }),
      _csrf: uliPage.csrf,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/<p class="field-error" id="second-passkey-error">The passkey could not be verified/);
    expect((await recoveriesOf(reference))[0].secondApprover).toBeNull();

    const assertion = await assertionFor(uli, reference, authenticator);
    const second = await uli.form(`/dashboard/tickets/${reference}/second-approval`, {
      passkey_assertion: assertion,
      _csrf: (await ticketPage(uli, reference)).csrf,
    });
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(`/dashboard/tickets/${reference}?done=second_approval`);
    expect((await recoveriesOf(reference))[0]).toMatchObject({ state: 'cooling_off', firstApprover: 'tam', secondApprover: 'uli' });
    expect((await ticketOf(reference)).state).toBe(TicketState.CoolingOff);
    const [entry] = await auditOf(reference, 'second_approval');
    expect(entry).toMatchObject({ actor: 'moderator:uli', data: expect.objectContaining({ reauthenticated_with: 'passkey', first: 'tam' }) });
    expect(await t.dataSource.getRepository(TicketEvent).countBy({ ticketId: (await ticketOf(reference)).id, type: 'cooling_off_started' })).toBe(1);
  });

  it('adds a second passkey confirmed with the first instead of a code; an answer meant for an approval, or a wrong one, is refused', async () => {
    const ip = '203.0.113.105';
    const { browser, authenticator, moderator } = await withPasskey('vic', ip);
    const page = await browser.get('/account/security').expect(200);
    expect(page.text).toContain('id="add-passkey-by-passkey"');
    const csrf = csrfIn(page.text);
    const spare = new SoftAuthenticator(ORIGIN);

    // An answer to an approval's challenge does not confirm adding a passkey.
    const { reference } = await ticketHeldBy('vic', 'pk-other', 'vic-requester@new.example');
    const forApproval = JSON.parse(await assertionFor(browser, reference, authenticator)) as unknown;
    const misplaced = await browser.json('/account/security/passkeys/options', csrf, { name: 'spare', assertion: forApproval }).expect(401);
    expect(misplaced.body).toEqual({ error: 'That passkey could not be verified: confirm with it again, or type a code.', field: 'assertion' });
    // Malformed: names its field, and is not a try.
    const malformed = await browser.json('/account/security/passkeys/options', csrf, { name: 'spare', assertion: { id: 'x' } }).expect(400);
    expect(malformed.body).toEqual({ error: 'credential.rawId must equal credential.id', field: 'assertion' });
    // A wrong signature to the right challenge.
    const first = await browser.json('/account/security/passkeys/confirm-options', csrf, {}).expect(200);
    await browser
      .json('/account/security/passkeys/options', csrf, { name: 'spare', assertion: authenticator.assertion(first.body, { badSignature: true }) })
      .expect(401);
    expect(await failures(ip)).toEqual(['passkey', 'passkey']);

    const confirm = await browser.json('/account/security/passkeys/confirm-options', csrf, {}).expect(200);
    expect(confirm.body.allowCredentials).toEqual([expect.objectContaining({ id: authenticator.id })]);
    const creation = await browser
      .json('/account/security/passkeys/options', csrf, { name: 'spare key', assertion: authenticator.assertion(confirm.body) })
      .expect(200);
    expect(creation.body.excludeCredentials).toEqual([expect.objectContaining({ id: authenticator.id })]);
    await browser.json('/account/security/passkeys', csrf, { credential: spare.attestation(creation.body) }).expect(201);
    expect((await t.dataSource.getRepository(Passkey).findBy({ moderatorId: moderator.id })).map((p) => p.name).sort()).toEqual(['key one', 'spare key']);
    const added = (await t.dataSource.getRepository(AuditEntry).find({ where: { action: 'passkey_added' }, order: { id: 'ASC' } })).filter(
      (e) => e.actor === 'moderator:vic',
    );
    expect(added.map((e) => e.data.confirmed_with)).toEqual(['totp', 'passkey']);

    // Someone without a passkey is offered none, and the confirm route says so.
    await enrolledModerator(t, 'wes', 'moderator');
    const wes = await signedIn('wes', '203.0.113.106');
    const wesPage = await wes.get('/account/security').expect(200);
    expect(wesPage.text).not.toContain('add-passkey-by-passkey');
    await wes.json('/account/security/passkeys/confirm-options', csrfIn(wesPage.text), {}).expect(409);
  });
});
