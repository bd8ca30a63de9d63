import request, { type Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { IsNull } from 'typeorm';
import type { ModeratorRole } from '../src/auth/moderator-roles.js';
import { Account } from '../src/directory/account.entity.js';
import { ResetsService } from '../src/resets/resets.service.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Ticket, TicketCycle, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { codeMailedFor, expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { Recovery } from '../src/tickets/recovery.entity.js';

const HOUR = 3_600_000;
const added = '2016-03-14T10:00:00Z';
const address = (a: string, over: Record<string, unknown> = {}) => ({
  address: a,
  verified: true,
  primary: false,
  public: false,
  added_at: added,
  removed_at: null,
  ...over,
});

/** Three current addresses (one unverified), one removed, one on an expired domain: the notices go to the three current ones not expired. */
const PLAIN = makeAccount({
  username: 'plain-owner',
  emails: [
    address('owner@main.example', { primary: true }),
    address('owner@second.example'),
    address('owner@unverified.example', { verified: false }),
    address('owner@gone.example', { removed_at: '2020-01-01T00:00:00Z' }),
    address('owner@lapsed.example'),
  ],
});
const BIG = makeAccount({
  username: 'big-owner',
  emails: [address('big@main.example', { primary: true })],
  projects: [{ name: 'huge-lib', role: 'Owner', monthly_downloads: 50_000_000, first_release_at: '2015-01-01T00:00:00Z' }],
});
const OTHERS = ['deny-me', 'ask-me', 'coc-me', 'stop-me', 'expire-me', 'override-me', 'reauth-me'].map((username) =>
  makeAccount({ username, emails: [address(`${username}@owner.example`, { primary: true })] }),
);

/**
 * The moderators' decisions (docs/moderation.md, "Decisions") through HTTP: questions, denials with templates, the Code of Conduct record,
 * approval with re-authentication, four-eyes, cooling-off with stop links, the single-use reset link.
 * The app's clock is movable; each TOTP code is computed for the app's "now".
 */
describe('decisions, approvals and reset links', () => {
  const clock = new MovableClock();
  let offsetMs = 0;
  let t: TestApp;
  const staff = new Map<string, TestAgent>();
  /** The status token of coc-me's ticket, which two tests share. */
  let cocMeToken = '';

  const secrets = new Map<string, string>();
  /** The code each moderator last signed in with: its step counts as used from then on. */
  const signInCodes = new Map<string, string>();
  /** Moves the app's clock; past the 15-minute idle limit every moderator signs in again (sessions end, as they should). */
  const advance = async (ms: number) => {
    clock.advance(ms);
    offsetMs += ms;
    if (ms > 10 * 60_000) for (const [name, secret] of secrets) await logIn(name, secret);
  };
  /** A code for the app's current 30-second step (each step works once per moderator). */
  const code = () => codeAt('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', Math.floor(offsetMs / 1000));
  const signIn = async (name: string, role: ModeratorRole) => {
    secrets.set(name, await enrolledModerator(t, name, role));
    return logIn(name, secrets.get(name)!);
  };
  const logIn = async (name: string, secret: string) => {
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name, password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303);
    const page = await agent.get('/login/totp').expect(200);
    signInCodes.set(name, await codeAt(secret, Math.floor(offsetMs / 1000)));
    await agent
      .post('/login/totp')
      .type('form')
      .send({ code: signInCodes.get(name), _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/dashboard');
    staff.set(name, agent);
    return agent;
  };
  const expectStatus = (code: number, location?: string) => (r: Response) => {
    expect({ status: r.status, location: r.headers.location }).toEqual({ status: code, location: location ?? r.headers.location });
    return r;
  };
  const as = (name: string) => staff.get(name)!;
  /** Posts a ticket page's form with the session's CSRF token. */
  const post = async (name: string, reference: string, action: string, form: Record<string, string> = {}) => {
    const page = await as(name).get(`/dashboard/tickets/${reference}`).expect(200);
    // A role that only reads gets no forms on the ticket page: its token comes from the queue page.
    const html = page.text.includes('name="_csrf"') ? page.text : (await as(name).get('/dashboard').expect(200)).text;
    return as(name)
      .post(`/dashboard/tickets/${reference}/${action}`)
      .type('form')
      .send({ ...form, _csrf: csrfIn(html) });
  };
  /** Re-authentication needs a fresh step: move the app's clock to the next one first. */
  const approve = async (name: string, reference: string, resetAddress: string) => {
    await advance(30_000);
    return post(name, reference, 'approve', { reset_address: resetAddress, code: await code() });
  };
  const secondApproval = async (name: string, reference: string) => {
    await advance(30_000);
    return post(name, reference, 'second-approval', { code: await code() });
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const recoveryOf = async (reference: string) => t.dataSource.getRepository(Recovery).findOneByOrFail({ ticketId: (await ticketOf(reference)).id });
  const mailsTo = (to: string) => readMails(t.mailDir).filter((m) => m.to.includes(to));
  const linkIn = (text: string, path: string) => {
    const match = new RegExp(`${path}/([A-Za-z0-9_-]{43})`).exec(text);
    if (!match) throw new Error(`no ${path} link in: ${text.slice(0, 300)}`);
    return match[1];
  };

  /**
   * The requester proves control of an address on file: the holder sends a one-time code there and the
   * requester types it back on the status page; the ticket is then re-assessed with that proof, so an
   * approval goes with the evidence, not against it.
   */
  const proveAddress = async (holder: string, reference: string, token: string, address: string) => {
    await post(holder, reference, 'challenges', { kind: 'email', address }).then(expectStatus(303));
    const code = await codeMailedFor(t.mailDir, reference, address);
    await request(t.server).post(`/status/${token}/code`).type('form').send({ code }).expect(303);
    await pipelineSettled(t);
    await expectEventually(async () => expect((await ticketOf(reference)).recommendation).not.toBe('deny'));
  };

  /** Submits through the API, waits for the pipeline, and lets `holder` take the ticket. */
  const ticketHeldBy = async (holder: string, body: Record<string, unknown>) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201);
    const reference = res.body.reference as string;
    await pipelineSettled(t);
    const ticket = await ticketOf(reference);
    expect(ticket.state).toBe(TicketState.AwaitingReview);
    expect(await t.app.get(ReviewService).claim(ticket.id, holder)).not.toBeNull();
    return { reference, token: statusTokenIn(res.body.status_url) };
  };

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h', EXPIRED_DOMAINS: 'lapsed.example', COOLING_OFF: '24h', COOLING_OFF_LONG: '72h' }, { clock });
    await seedDirectory(t, [PLAIN, BIG, ...OTHERS]);
    await signIn('mia', 'moderator');
    await signIn('sue', 'senior');
    await signIn('sam', 'senior');
    await signIn('sid', 'senior');
    await signIn('oli', 'ops');
  });
  afterAll(() => t?.close());

  it('asks for information with a template: the SLA pauses, the requester is mailed, and their answer puts the ticket back in the queue', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'ask-me', contact_email: 'asker@example.net' });
    const unknown = await post('mia', reference, 'ask-info', { template: 'no-such-template' }).then(expectStatus(400));
    expect(unknown.text).toContain('template must be one of: old-addresses');
    const wordless = await post('mia', reference, 'ask-info', { template: 'free-question', message: '  ' }).then(expectStatus(400));
    expect(wordless.text).toContain('message must say what you want to ask');

    await post('mia', reference, 'ask-info', { template: 'old-addresses', message: 'Also: which year did you join?' }).then(
      expectStatus(303, `/dashboard/tickets/${reference}?done=asked`),
    );
    const waiting = await ticketOf(reference);
    expect(waiting).toMatchObject({ state: TicketState.AwaitingRequester, claimedBy: null });
    expect(waiting.slaPausedSince).toBeInstanceOf(Date);
    const mail = await expectEventually(() => {
      const [m] = mailsTo('asker@example.net').filter((x) => x.subject.includes('We need more information'));
      if (!m) throw new Error('no question mail yet');
      return m;
    });
    expect(mail.text).toContain('Please list every e-mail address you remember');
    expect(mail.text).toContain('Also: which year did you join?');
    const status = await request(t.server).get(`/status/${token}`).expect(200);
    expect(status.text).toContain('Also: which year did you join?');

    await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'owner@ask-me.example, since 2016' }).expect(303);
    const answered = await ticketOf(reference);
    expect(answered.state).toBe(TicketState.AwaitingReview);
    expect(answered.slaPausedSince).toBeNull();
    expect(answered.slaPauses).toHaveLength(1);
  });

  it('denies with a template: the requester gets its text, the ticket closes, timeline and audit log record it', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'deny-me', contact_email: 'denied@example.net' });
    await post('mia', reference, 'deny', { template: 'pep-541' }).then(expectStatus(303));
    const ticket = await ticketOf(reference);
    expect(ticket).toMatchObject({ state: TicketState.Denied, openKey: null, claimedBy: null });
    expect(ticket.closedAt).toBeInstanceOf(Date);
    expect(ticket.slaDecidedAt).toBeInstanceOf(Date);
    const mail = await expectEventually(() => {
      const [m] = mailsTo('denied@example.net').filter((x) => x.subject.includes('could not recover'));
      if (!m) throw new Error('no denial mail yet');
      return m;
    });
    expect(mail.text).toContain('PEP 541');
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).toContain('PEP 541');
    const audit = await t.dataSource.getRepository(AuditEntry).findOneByOrFail({ ticketId: ticket.id, action: 'denied' });
    expect(audit.actor).toBe('moderator:mia');
    expect(JSON.stringify(audit.data)).not.toContain('PEP 541'); // free text stays on the timeline, not in the audit log
    // A closed ticket takes no more decisions.
    await post('mia', reference, 'deny', { template: 'pep-541' }).then(expectStatus(409));

    // It can be reopened from its page, with a reason: back to the queue, its first cycle kept for reports.
    expect((await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain('id="reopen"');
    await post('oli', reference, 'reopen', { reason: 'new evidence by mail' }).then(expectStatus(403));
    await post('mia', reference, 'reopen', {}).then(expectStatus(400));
    await post('mia', reference, 'reopen', { reason: 'new evidence by mail' }).then(expectStatus(303, `/dashboard/tickets/${reference}?done=reopened`));
    expect(await ticketOf(reference)).toMatchObject({ state: TicketState.AwaitingReview, slaCycle: 2, outcome: null, decidedBy: null, closedAt: null });
    expect(await t.dataSource.getRepository(TicketCycle).findOneByOrFail({ ticketId: ticket.id, cycle: 1 })).toMatchObject({
      outcome: 'denied',
      decidedBy: 'moderator:mia',
      decisionMet: true,
    });
    await post('mia', reference, 'reopen', { reason: 'twice' }).then(expectStatus(409));
  });

  it('keeps ops out of decisions and notes internal: the requester never sees a note', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'coc-me', contact_email: 'coc@example.net' });
    cocMeToken = token;
    const page = await as('oli').get(`/dashboard/tickets/${reference}`).expect(200);
    expect(page.text).not.toContain('id="note"'); // ops read; the forms are not offered
    const queuePage = await as('oli').get('/dashboard').expect(200);
    await as('oli')
      .post(`/dashboard/tickets/${reference}/notes`)
      .type('form')
      .send({ note: 'x', _csrf: csrfIn(queuePage.text) })
      .expect(403);
    await post('sue', reference, 'notes', { note: 'Called the owner <b>twice</b>' }).then(expectStatus(303));
    const html = (await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text;
    expect(html).toContain('Called the owner &lt;b&gt;twice&lt;/b&gt;');
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).not.toContain('Called the owner');
    // Only the holder decides.
    await post('sue', reference, 'deny', { template: 'pep-541' }).then(expectStatus(409));
  });

  it('refuses approval until the Code of Conduct is on record, and re-authenticates before an approval takes effect', async () => {
    const { reference } = await t.dataSource.getRepository(Ticket).findOneByOrFail({ username: 'coc-me' }); // held by mia (previous test)
    // A ticket moved over from the old tracker: no acceptance on record.
    await t.dataSource.getRepository(Ticket).update({ reference }, { cocVersion: null, cocAcceptedAt: null });
    expect((await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain('id="coc-missing"');
    const refused = await approve('mia', reference, 'coc-me@owner.example').then(expectStatus(409));
    expect(refused.text).toContain('Code of Conduct acceptance is not on record');

    await post('mia', reference, 'code-of-conduct', { version: '2026-11', accepted_at: 'yesterday', method: 'mail_reply' })
      .then(expectStatus(400))
      .then((r) => expect(r.text).toContain('accepted_at must be a date and time'));
    await post('mia', reference, 'code-of-conduct', { version: '2026-11', accepted_at: '2099-01-01T00:00', method: 'mail_reply' })
      .then(expectStatus(400))
      .then((r) => expect(r.text).toContain('accepted_at must be a time in the past'));
    await post('mia', reference, 'code-of-conduct', { version: '2026-11', accepted_at: '2026-11-20T10:00', method: 'mail_reply' }).then(expectStatus(303));
    expect(await ticketOf(reference)).toMatchObject({ cocVersion: '2026-11', cocMethod: 'mail_reply', cocRecordedBy: 'moderator:mia' });
    expect((await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain('recorded by mia');

    await proveAddress('mia', reference, cocMeToken, 'coc-me@owner.example');
    const wrong = await post('mia', reference, 'approve', { reset_address: 'coc-me@owner.example', code: '000000' }).then(expectStatus(401));
    expect(wrong.text).toContain('Nothing was approved');
    const badAddress = await approve('mia', reference, 'someone-else@example.com').then(expectStatus(400));
    expect(badAddress.text).toContain('reset_address must be a verified address on file or an address the requester gave');
    expect(await t.dataSource.getRepository(Recovery).count()).toBe(0);
    expect((await ticketOf(reference)).state).toBe(TicketState.InReview);

    await approve('mia', reference, 'coc-me@owner.example').then(expectStatus(303, `/dashboard/tickets/${reference}?done=approved`));
    expect((await ticketOf(reference)).state).toBe(TicketState.CoolingOff);
  });

  it('approves, cools off while every address on file is told, then sends a single-use reset link that sets an argon2id password', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'plain-owner', contact_email: 'requester@new.example' });
    await proveAddress('mia', reference, token, 'owner@main.example');
    const before = Date.now() + offsetMs;
    await approve('mia', reference, 'owner@main.example').then(expectStatus(303));
    const ticket = await ticketOf(reference);
    const recovery = await recoveryOf(reference);
    // Control of an address on file proven, the link goes there and nothing is flagged: one approver, the short cooling-off.
    expect(recovery).toMatchObject({ state: 'cooling_off', needsSecond: false, firstApprover: 'mia', resetTokenHash: null, coolingOffMs: 24 * HOUR });
    expect(ticket.state).toBe(TicketState.CoolingOff);
    expect(ticket.coolingOffEndsAt!.getTime() - before).toBeGreaterThanOrEqual(24 * HOUR);

    const notices = await expectEventually(() => {
      const found = readMails(t.mailDir).filter((m) => m.subject.includes('Someone is recovering the account "plain-owner"'));
      if (found.length < 3)
        throw new Error(
          `${found.length} notices so far; mails: ${readMails(t.mailDir)
            .map((m) => `${m.to}: ${m.subject}`)
            .join(' | ')}`,
        );
      return found;
    });
    expect(notices.map((m) => m.to).sort()).toEqual(['owner@main.example', 'owner@second.example', 'owner@unverified.example']);
    expect(new Set(notices.map((m) => linkIn(m.text, '/recovery/stop'))).size).toBe(1);
    await expectEventually(() => expect(mailsTo('requester@new.example').some((m) => m.subject.includes('Approved'))).toBe(true));

    // No link before the cooling-off ends.
    const resets = t.app.get(ResetsService);
    expect(await resets.coolingOffEnded(ticket.id)).toMatchObject({ kind: 'not_due' });
    await advance(72 * HOUR + 60_000);
    expect(await resets.coolingOffEnded(ticket.id)).toEqual({ kind: 'sent' });
    expect(await resets.coolingOffEnded(ticket.id)).toEqual({ kind: 'nothing' }); // a second firing does nothing
    const linkMail = await expectEventually(() => {
      const [m] = mailsTo('owner@main.example').filter((x) => x.subject.includes('set a new password'));
      if (!m) throw new Error('no reset link yet');
      return m;
    });
    expect(mailsTo('owner@main.example').filter((x) => x.subject.includes('set a new password'))).toHaveLength(1);
    const resetToken = linkIn(linkMail.text, '/reset');
    expect(linkMail.text).toContain(`http://recovery.test/reset/${resetToken}`); // the configured origin, not the Host header
    const stored = JSON.stringify(await t.dataSource.getRepository(Recovery).find());
    expect(stored).not.toContain(resetToken);
    expect((await ticketOf(reference)).state).toBe(TicketState.ResetIssued);
    expect((await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text).not.toContain(resetToken);

    const page = await request(t.server).get(`/reset/${resetToken}`).expect(200).expect('Referrer-Policy', 'no-referrer');
    expect(page.text).toContain('Set a new password for "plain-owner"');
    const mismatch = await request(t.server)
      .post(`/reset/${resetToken}`)
      .type('form')
      .send({ password: 'a long new passphrase', confirmation: 'something else' })
      .expect(400);
    expect(mismatch.text).toContain('confirmation must repeat the password exactly');
    const short = await request(t.server).post(`/reset/${resetToken}`).type('form').send({ password: 'short', confirmation: 'short' }).expect(400);
    expect(short.text).toContain('password needs at least 8 characters');

    const done = await request(t.server)
      .post(`/reset/${resetToken}`)
      .type('form')
      .send({ password: 'a long new passphrase', confirmation: 'a long new passphrase' })
      .expect(200);
    expect(done.headers['set-cookie']).toBeUndefined(); // no sign-in follows a reset
    const account = await t.dataSource.getRepository(Account).findOneByOrFail({ username: 'plain-owner' });
    expect(account.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(account).toMatchObject({ totpEnabled: false, webauthnKeys: 0, recoveryCodesUnused: 0 });
    expect(account.passwordChangedAt).toBeInstanceOf(Date);
    expect(await ticketOf(reference)).toMatchObject({ state: TicketState.Completed, openKey: null });
    expect(await recoveryOf(reference)).toMatchObject({ state: 'completed', activeKey: null });
    await expectEventually(() => {
      const completed = readMails(t.mailDir)
        .filter((m) => m.subject.includes('"plain-owner" was recovered'))
        .map((m) => m.to)
        .sort();
      expect(completed).toEqual(['owner@main.example', 'owner@second.example', 'owner@unverified.example']);
    });
    await request(t.server).post(`/reset/${resetToken}`).type('form').send({ password: 'another passphrase', confirmation: 'another passphrase' }).expect(410);
    await request(t.server).get(`/reset/${resetToken}`).expect(410);
    await request(t.server)
      .get(`/reset/${'x'.repeat(43)}`)
      .expect(404);
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).toContain('Completed');
    const actions = (await t.dataSource.getRepository(AuditEntry).findBy({ ticketId: ticket.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['submitted', 'claimed', 'approved', 'cooling_off_started', 'reset_link_sent', 'reset_completed']));
  });

  it('needs a second, different senior for a high-value account; of two seniors approving at once exactly one wins', async () => {
    const { reference, token } = await ticketHeldBy('sue', { username: 'big-owner', contact_email: 'big-requester@new.example' });
    await proveAddress('sue', reference, token, 'big@main.example');
    expect((await ticketOf(reference)).riskFlags).toContain(' second_moderator_required ');
    await approve('sue', reference, 'big@main.example').then(expectStatus(303, `/dashboard/tickets/${reference}?done=approved_once`));
    expect((await ticketOf(reference)).state).toBe(TicketState.Approved);
    expect(await recoveryOf(reference)).toMatchObject({ state: 'awaiting_second', needsSecond: true, firstApprover: 'sue', coolingOffEndsAt: null });
    expect(readMails(t.mailDir).filter((m) => m.subject.includes('"big-owner"'))).toHaveLength(0); // nobody told before the second approval

    const self = await secondApproval('sue', reference).then(expectStatus(409));
    expect(self.text).toContain('different senior moderator');
    const page = await as('mia').get(`/dashboard/tickets/${reference}`).expect(200);
    await as('mia')
      .post(`/dashboard/tickets/${reference}/second-approval`)
      .type('form')
      .send({ code: '123456', _csrf: csrfIn(page.text) })
      .expect(403);

    // The database refuses the same person twice, whatever the service does.
    await expect(t.dataSource.getRepository(Recovery).update({ ticketId: (await ticketOf(reference)).id }, { secondApprover: 'sue' })).rejects.toThrow(
      /CHECK|check constraint/i,
    );
    await expect(t.dataSource.getRepository(Recovery).update({ ticketId: (await ticketOf(reference)).id }, { state: 'cooling_off' })).rejects.toThrow(
      /CHECK|check constraint/i,
    );

    await advance(30_000);
    const [samPage, sidPage] = await Promise.all([as('sam').get(`/dashboard/tickets/${reference}`), as('sid').get(`/dashboard/tickets/${reference}`)]);
    const samCode = await code();
    const answers = await Promise.all([
      as('sam')
        .post(`/dashboard/tickets/${reference}/second-approval`)
        .type('form')
        .send({ code: samCode, _csrf: csrfIn(samPage.text) }),
      as('sid')
        .post(`/dashboard/tickets/${reference}/second-approval`)
        .type('form')
        .send({ code: samCode, _csrf: csrfIn(sidPage.text) }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    const recovery = await recoveryOf(reference);
    expect(recovery.state).toBe('cooling_off');
    expect(['sam', 'sid']).toContain(recovery.secondApprover);
    expect(await t.dataSource.getRepository(TicketEvent).countBy({ ticketId: recovery.ticketId, type: 'second_approval' })).toBe(1);
    expect((await ticketOf(reference)).state).toBe(TicketState.CoolingOff);
    expect(recovery.coolingOffMs).toBe(72 * HOUR); // high-value: the long cooling-off
  });

  it('approving against the recommendation takes a senior, a written reason kept in the audit, and a second senior', async () => {
    // Nothing claimed, nothing proven: the assessment does not support an approval.
    const { reference, token } = await ticketHeldBy('sue', { username: 'override-me', contact_email: 'override@new.example' });
    const assessed = await ticketOf(reference);
    expect(assessed.assessedAt).toBeInstanceOf(Date);
    expect(['deny', 'request_info']).toContain(assessed.recommendation);
    expect(['weak', 'insufficient']).toContain(assessed.band);
    const page = (await as('sue').get(`/dashboard/tickets/${reference}`).expect(200)).text;
    expect(page).toContain('id="approve-override"');
    expect(page).toContain('name="override_reason"');
    expect(page).toContain('Approve against the recommendation');

    const bare = await approve('sue', reference, 'override-me@owner.example').then(expectStatus(409));
    expect(bare.text).toContain('needs a written reason of at least 20 characters');
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: assessed.id })).toBe(0);
    const reason = 'Confirmed by a signed message from the project key on file.';
    await advance(30_000);
    await post('sue', reference, 'approve', { reset_address: 'override-me@owner.example', code: await code(), override_reason: reason }).then(
      expectStatus(303, `/dashboard/tickets/${reference}?done=approved_once`),
    );
    expect(await recoveryOf(reference)).toMatchObject({ state: 'awaiting_second', needsSecond: true, firstApprover: 'sue' });
    const audit = await t.dataSource.getRepository(AuditEntry).findOneByOrFail({ ticketId: assessed.id, action: 'approved' });
    expect(audit.data).toMatchObject({ override_reason: reason, against_recommendation: expect.stringContaining('the assessment') });
    // Staff read the reason on the timeline; the requester's page never shows it.
    expect((await as('sue').get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain(reason);
    const statusPage = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(statusPage).toContain('a second moderator must approve it too');
    expect(statusPage).not.toContain(reason);
    expect(statusPage).not.toMatch(/against the recommendation/i);
    await secondApproval('sam', reference).then(expectStatus(303));
    expect((await recoveryOf(reference)).state).toBe('cooling_off');
  });

  it('a moderator cannot approve against the recommendation, even with a reason; nor can anyone approve an unassessed ticket', async () => {
    const { reference } = await ticketHeldBy('mia', { username: 'deny-me', contact_email: 'deny-again@new.example' });
    await advance(30_000);
    const refused = await post('mia', reference, 'approve', {
      reset_address: 'deny-me@owner.example',
      code: await code(),
      override_reason: 'I am quite sure about this one, honestly.',
    }).then(expectStatus(409));
    expect(refused.text).toContain('takes a senior moderator');
    // The assessment is gone (a ticket the pipeline has not reached): refused whatever the role.
    await t.dataSource.getRepository(Ticket).update({ reference }, { assessedAt: null, recommendation: null, band: null, score: null });
    expect((await as('mia').get(`/dashboard/tickets/${reference}`).expect(200)).text).toContain('id="not-assessed"');
    const unassessed = await approve('mia', reference, 'deny-me@owner.example').then(expectStatus(409));
    expect(unassessed.text).toContain('approval waits for the assessment');
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: (await ticketOf(reference)).id })).toBe(0);
  });

  it('allows one approved recovery per account at a time', async () => {
    // A competing request for big-owner from another address (the first one is cooling off).
    const { reference } = await ticketHeldBy('mia', { username: 'big-owner', contact_email: 'someone-else@new.example' });
    const refused = await approve('mia', reference, 'big@main.example').then(expectStatus(409));
    expect(refused.text).toContain('Another recovery of this account is already approved');
    expect(await t.dataSource.getRepository(Recovery).countBy({ activeKey: (await ticketOf(reference)).accountId! })).toBe(1);
  });

  it('stops a recovery from the link every address on file gets: no reset link is ever sent', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'stop-me', contact_email: 'impostor@new.example' });
    await proveAddress('mia', reference, token, 'stop-me@owner.example');
    await approve('mia', reference, 'impostor@new.example').then(expectStatus(303, `/dashboard/tickets/${reference}?done=approved_once`));
    // A new channel needs a second senior and the long cooling-off.
    expect(await recoveryOf(reference)).toMatchObject({ needsSecond: true, coolingOffMs: 72 * HOUR });
    await secondApproval('sam', reference).then(expectStatus(303));
    const notice = await expectEventually(() => {
      const [m] = mailsTo('stop-me@owner.example').filter((x) => x.subject.includes('Someone is recovering'));
      if (!m) throw new Error('no notice yet');
      return m;
    });
    const stopToken = linkIn(notice.text, '/recovery/stop');
    const page = await request(t.server).get(`/recovery/stop/${stopToken}`).expect(200).expect('Referrer-Policy', 'no-referrer');
    expect(page.text).toContain('Stop this recovery');
    expect((await ticketOf(reference)).state).toBe(TicketState.CoolingOff); // a GET (a mail scanner) stops nothing
    await request(t.server).post(`/recovery/stop/${stopToken}`).expect(200);
    const ticket = await ticketOf(reference);
    expect(ticket).toMatchObject({ state: TicketState.Cancelled, openKey: null, coolingOffEndsAt: null });
    expect(await recoveryOf(reference)).toMatchObject({ state: 'cancelled', activeKey: null, closedReason: 'stopped_from_address_on_file' });
    await advance(73 * HOUR);
    expect(await t.app.get(ResetsService).coolingOffEnded(ticket.id)).toEqual({ kind: 'nothing' });
    await pipelineSettled(t);
    expect(readMails(t.mailDir).filter((m) => m.subject.includes('"stop-me"') && m.subject.includes('set a new password'))).toHaveLength(0);
    await expectEventually(() => expect(mailsTo('impostor@new.example').some((m) => m.subject.includes('recovery was stopped'))).toBe(true));
    await request(t.server).post(`/recovery/stop/${stopToken}`).expect(410);
  });

  it('lets a reset link expire after RESET_LINK_TTL; a new one replaces it and the old one stops working', async () => {
    const { reference, token } = await ticketHeldBy('mia', { username: 'expire-me', contact_email: 'expire@new.example' });
    await proveAddress('mia', reference, token, 'expire-me@owner.example');
    await approve('mia', reference, 'expire-me@owner.example').then(expectStatus(303));
    await advance(72 * HOUR + 60_000);
    await t.app.get(ResetsService).coolingOffEnded((await ticketOf(reference)).id);
    const first = await expectEventually(() => {
      const [m] = mailsTo('expire-me@owner.example').filter((x) => x.subject.includes('set a new password'));
      if (!m) throw new Error('no link yet');
      return linkIn(m.text, '/reset');
    });
    await advance(24 * HOUR + 60_000);
    expect((await request(t.server).get(`/reset/${first}`).expect(410)).text).toContain('This link has expired');
    await post('sue', reference, 'reissue-link').then(expectStatus(303));
    const links = await expectEventually(() => {
      const found = mailsTo('expire-me@owner.example')
        .filter((x) => x.subject.includes('set a new password'))
        .map((m) => linkIn(m.text, '/reset'));
      if (found.length < 2) throw new Error('no second link yet');
      return found;
    });
    const second = links.find((l) => l !== first)!;
    await request(t.server).get(`/reset/${first}`).expect(404);
    await request(t.server).get(`/reset/${second}`).expect(200);
    // The reissue replaced the link of the same recovery: still one live link for the ticket.
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: (await ticketOf(reference)).id, resetUsedAt: IsNull(), state: 'link_sent' })).toBe(1);
  });

  it('a refused re-authentication code answers on the ticket page with the choices kept and why; a code of the next step works, once', async () => {
    // Nothing proven: approving goes against the recommendation, so sue writes a reason and picks the requester's own address.
    const { reference } = await ticketHeldBy('sue', { username: 'reauth-me', contact_email: 'reauth@new.example' });
    const ticketId = (await ticketOf(reference)).id;
    const reason = 'Known to us: the owner confirmed this <in person> at the sprint.';
    const chosen = { reset_address: 'reauth@new.example', override_reason: reason };
    const kept = (html: string) => {
      expect(html).toContain(`<h1>Ticket <span class="reference">${reference}</span></h1>`);
      expect(html).toContain('<option value="reauth@new.example" selected>');
      expect(html).toContain('<option value="reauth-me@owner.example">'); // the default is no longer the choice
      expect(html).toContain('Known to us: the owner confirmed this &lt;in person&gt; at the sprint.</textarea>');
      expect(html).toContain('aria-describedby="approve-code-error"');
    };
    const nothingApproved = async () => {
      expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId })).toBe(0);
      expect((await ticketOf(reference)).state).toBe(TicketState.InReview);
    };

    // Sue signs in again; within the same 30-second step she approves with that very code (her app still shows it).
    await advance(30_000);
    await logIn('sue', secrets.get('sue')!);
    const sameStep = await post('sue', reference, 'approve', { ...chosen, code: signInCodes.get('sue')! }).then(expectStatus(401));
    kept(sameStep.text);
    expect(sameStep.text).toContain('id="action-problem"');
    expect(sameStep.text).toMatch(/<p class="field-error" id="approve-code-error">This code was used already \(to sign in, or for an earlier decision\)/);
    expect(sameStep.text).toContain('Not approved: the authenticator code was used already. Nothing was approved; what you chose is kept below.');
    await nothingApproved();

    // A wrong code says so, and a code of the wrong shape is a 400 on the same page: the choices stay either way.
    const wrong = await post('sue', reference, 'approve', { ...chosen, code: '000000' }).then(expectStatus(401));
    kept(wrong.text);
    expect(wrong.text).toMatch(/id="approve-code-error">This code is not right/);
    const short = await post('sue', reference, 'approve', { ...chosen, code: '12345' }).then(expectStatus(400));
    kept(short.text);
    expect(short.text).toMatch(/id="approve-code-error">code must be the 6 digits from your authenticator app/);
    await nothingApproved();

    // The next step's code is accepted.
    await advance(30_000);
    const next = await code();
    await post('sue', reference, 'approve', { ...chosen, code: next }).then(expectStatus(303, `/dashboard/tickets/${reference}?done=approved_once`));
    expect(await recoveryOf(reference)).toMatchObject({ state: 'awaiting_second', firstApprover: 'sue', resetAddress: 'reauth@new.example' });
    const audit = await t.dataSource.getRepository(AuditEntry).findOneByOrFail({ ticketId, action: 'approved' });
    expect(audit.data).toMatchObject({ override_reason: reason });

    // That code does not work twice, on another decision either: still refused, still "used already".
    const replay = await post('sue', reference, 'second-approval', { code: next }).then(expectStatus(401));
    expect(replay.text).toContain('Not approved: the authenticator code was used already');
    expect(await recoveryOf(reference)).toMatchObject({ state: 'awaiting_second', secondApprover: null });

    // The second approval comes back the same way: sam's sign-in code is refused beside his code field; his next one approves.
    await logIn('sam', secrets.get('sam')!);
    const samSame = await post('sam', reference, 'second-approval', { code: signInCodes.get('sam')! }).then(expectStatus(401));
    expect(samSame.text).toContain('id="second-approval"');
    expect(samSame.text).toMatch(/<p class="field-error" id="second-code-error">This code was used already/);
    expect(samSame.text).toContain('aria-describedby="second-code-error"');
    expect((await recoveryOf(reference)).secondApprover).toBeNull();
    await secondApproval('sam', reference).then(expectStatus(303, `/dashboard/tickets/${reference}?done=second_approval`));
    expect(await recoveryOf(reference)).toMatchObject({ state: 'cooling_off', secondApprover: 'sam' });
  });
});
