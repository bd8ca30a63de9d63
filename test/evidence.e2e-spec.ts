import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { ChallengesService } from '../src/evidence/challenges.service.js';
import { EvidenceService } from '../src/evidence/evidence.service.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { FakeGitHub } from './support/fake-github.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeMailedFor, expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { OutboxMessage, OutboxTopic } from '../src/jobs/outbox.entity.js';
import { DEFAULT_SCORING_CONFIG } from '../src/scoring/scoring.config.js';

const ALICE = makeAccount({
  username: 'alice-ev',
  joined_at: '2017-05-02T09:00:00Z',
  linked_github: 'alice-gh',
  emails: [
    { address: 'alice@public.example', verified: true, primary: false, public: true, added_at: '2017-05-02T09:00:00Z', removed_at: null },
    { address: 'alice.private@mail.example', verified: true, primary: true, public: false, added_at: '2017-05-02T09:00:00Z', removed_at: null },
    { address: 'alice@old-work.example', verified: true, primary: false, public: false, added_at: '2017-05-02T09:00:00Z', removed_at: '2021-01-01T00:00:00Z' },
  ],
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
  projects: [
    {
      name: 'fancy-lib',
      role: 'Owner',
      monthly_downloads: 5000,
      first_release_at: '2017-06-01T00:00:00Z',
      repository: 'https://github.com/alice-gh/fancy-lib',
    },
  ],
});
const BOB = makeAccount({
  username: 'bob-ev',
  emails: [{ address: 'bob@home.example', verified: true, primary: true, public: false, added_at: '2018-01-01T00:00:00Z', removed_at: null }],
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 4 },
});

/** What a requester who read alice's public profile can say. */
const PUBLIC_FACTS = { username: 'alice-ev', previous_emails: ['alice@public.example'], projects: ['fancy-lib'], joined_approx: '2017-05' };

describe('evidence: assessments and proof of control, through the API, the database and Redis', () => {
  let t: TestApp;
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    t = await startTestApp({ GITHUB_API_URL: github.url, GITHUB_TOKEN: 'ghp_testtoken0123456789abcdef' });
    await seedDirectory(t, [ALICE, BOB]);
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
  });

  const submit = async (body: Record<string, unknown>) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body));
    expect([200, 201]).toContain(res.status);
    return { reference: res.body.reference as string, token: res.body.status_url ? statusTokenIn(res.body.status_url) : '', body: res.body };
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const assessments = async (reference: string, atLeast: number) => {
    const ticket = await ticketOf(reference);
    return expectEventually(async () => {
      const rows = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } });
      if (rows.length < atLeast) throw new Error(`${rows.length} of ${atLeast} assessments so far`);
      return rows;
    });
  };
  const codeMailedTo = (address: string, reference: string) => codeMailedFor(t.mailDir, reference, address);
  const postCode = (token: string, code: string) => request(t.server).post(`/status/${token}/code`).type('form').send({ code });

  it('assesses a ticket submitted through the API, keeps the rule version, and tells the requester nothing of it', async () => {
    const { reference, token, body } = await submit({ ...PUBLIC_FACTS, contact_email: 'someone-new@elsewhere.example' });
    expect(Object.keys(body).sort()).toEqual(['follow_up', 'message', 'reference', 'state', 'status_url']);
    const [first] = await assessments(reference, 1);
    expect(first).toMatchObject({ trigger: 'submitted', ruleVersion: DEFAULT_SCORING_CONFIG.ruleVersion, band: 'insufficient', nistAal2: false });
    expect(first.recommendation).not.toBe('approve');
    expect(first.signals.map((s) => s.rule)).toEqual(expect.arrayContaining(['email_knowledge', 'projects', 'join_date']));
    const ticket = await ticketOf(reference);
    expect(ticket).toMatchObject({
      score: first.score,
      band: first.band,
      recommendation: first.recommendation,
      ruleVersion: DEFAULT_SCORING_CONFIG.ruleVersion,
    });
    const event = await t.dataSource.getRepository(TicketEvent).findOneByOrFail({ ticketId: ticket.id, type: 'assessed' });
    expect(event.public).toBe(false);
    // the assess job is safe to run twice (a retry after a crash): the outbox row says it was done
    const outbox = await t.dataSource.getRepository(OutboxMessage).findBy({ topic: OutboxTopic.Assess });
    for (const row of outbox) expect(await t.app.get(EvidenceService).processOutbox(row.id)).toBeNull();
    expect(await t.dataSource.getRepository(AssessmentRecord).countBy({ ticketId: ticket.id })).toBe(1);
    const page = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    for (const word of [
      'score',
      'insufficient',
      'recommend',
      'risk',
      'approve',
      'coordinated',
      'cluster',
      'p(owner)',
      'p_owner',
      'calibrat',
      'decided tickets',
    ]) {
      expect(page.toLowerCase()).not.toContain(word);
    }
    // no reason a moderator reads, and no number shown as a score (a bare digit could be part of a date)
    for (const signal of first.signals) expect(page).not.toContain(signal.reason);
    const withoutQueuePlace = page.replace(/id="queue-position">\d+</, 'id="queue-position"><');
    expect(withoutQueuePlace).not.toMatch(new RegExp(`>\\s*${first.score}\\s*(/\\s*100)?\\s*<`));
  });

  it('scores a follow-up with a non-public fact higher, keeping both assessments on the timeline', async () => {
    const contact = 'alice-follow@elsewhere.example';
    const { reference } = await submit({ ...PUBLIC_FACTS, contact_email: contact });
    const [first] = await assessments(reference, 1);
    const again = await submit({ username: 'alice-ev', contact_email: contact, previous_emails: ['alice@old-work.example'], has_2fa: true });
    expect(again.body.follow_up).toBe(true);
    const rows = await assessments(reference, 2);
    expect(rows.map((r) => r.trigger)).toEqual(['submitted', 'follow_up']);
    expect(rows[1].score).toBeGreaterThan(first.score);
    expect(rows[1].signals.some((s) => s.kind === 'private' && s.effect > 0)).toBe(true);
    const ticket = await ticketOf(reference);
    expect(ticket.claims.previousEmails).toEqual(expect.arrayContaining(['alice@public.example', 'alice@old-work.example']));
    expect(ticket.score).toBe(rows[1].score);
  });

  it('re-scores without bumping the ticket version, so a requester acting meanwhile never gets "changed meanwhile"', async () => {
    const { reference, token } = await submit({ ...PUBLIC_FACTS, contact_email: 'alice-race@elsewhere.example' });
    await assessments(reference, 1);
    const before = await ticketOf(reference);
    await t.app.get(EvidenceService).assessTicket(before.id, 'rescore');
    const after = await ticketOf(reference);
    expect(after.assessedAt!.getTime()).toBeGreaterThanOrEqual(before.assessedAt!.getTime());
    expect(after.version).toBe(before.version);
    await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
  });

  it('mails a code to a verified address the requester still reads; typing it back makes the strongest evidence', async () => {
    const { reference, token } = await submit({
      ...PUBLIC_FACTS,
      previous_emails: ['alice@public.example', 'alice@old-work.example'],
      contact_email: 'alice-new@elsewhere.example',
      emails_still_read: ['alice.private@mail.example'],
    });
    const [before] = await assessments(reference, 1);
    expect(before.recommendation).not.toBe('approve');
    const code = await codeMailedTo('alice.private@mail.example', reference);
    // no mail to the contact address (not on file), and no column anywhere holds the code
    expect(readMails(t.mailDir).some((m) => m.to.includes('alice-new@elsewhere.example') && /one-time code/.test(m.subject))).toBe(false);
    const rows = await t.dataSource.query('SELECT * FROM challenges');
    expect(JSON.stringify(rows)).not.toContain(code.replace(' ', ''));

    const page = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(page).toContain('Type your one-time code');
    await postCode(token, code).expect(303).expect('Location', `/status/${token}?code=passed`);
    const all = await assessments(reference, 2);
    const after = all.at(-1)!;
    expect(after.trigger).toBe('challenge');
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.signals).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'email_challenge', kind: 'proof' })]));
    expect(after.band).toBe('strong');
    expect(after.recommendation).toBe('approve');
    // a code works once
    await postCode(token, code).expect(409);
  });

  it('locks the code after five wrong tries; the right code then no longer works', async () => {
    const { reference, token } = await submit({ username: 'alice-ev', contact_email: 'alice.private@mail.example' });
    const code = await codeMailedTo('alice.private@mail.example', reference);
    const wrong = String((Number(code.replace(' ', '')) + 1) % 100_000_000).padStart(8, '0');
    for (let left = 4; left >= 1; left--) {
      const res = await postCode(token, wrong).expect(400);
      expect(res.text).toContain(`${left} ${left === 1 ? 'try' : 'tries'} left`);
    }
    const last = await postCode(token, wrong).expect(400);
    expect(last.text).toContain('the code no longer works');
    await postCode(token, code).expect(409);
    const ticket = await ticketOf(reference);
    const challenges = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'email' });
    expect(challenges.map((c) => [c.state, c.attempts])).toEqual([['locked', 5]]);
    const rows = await assessments(reference, 2);
    expect(rows.at(-1)!.trigger).toBe('challenge');
    expect(rows.at(-1)!.signals.some((s) => s.rule === 'email_challenge')).toBe(false);
    // a malformed code is refused without costing a try (and names the field)
    await postCode(token, 'abc')
      .expect(400)
      .expect((res) => expect(res.text).toContain('code must be the 8 digits'));
  });

  it('shows the same page and the same answers whether or not the account or the address exists', async () => {
    const real = await submit({ username: 'alice-ev', contact_email: 'unknown1@elsewhere.example', emails_still_read: ['alice.private@mail.example'] });
    const none = await submit({ username: 'nobody-ev', contact_email: 'unknown2@elsewhere.example', emails_still_read: ['alice.private@mail.example'] });
    await pipelineSettled(t);
    const normalise = (html: string, ref: string, token: string) =>
      html
        .replaceAll(ref, 'REF')
        .replaceAll(token, 'TOKEN')
        .replace(/<time[^>]*>[^<]*<\/time>/g, 'TIME')
        .replace(/id="queue-position">\d+/, 'POS');
    const page = async (ref: string, token: string) => normalise((await request(t.server).get(`/status/${token}`).expect(200)).text, ref, token);
    expect(await page(real.reference, real.token)).toEqual(await page(none.reference, none.token));
    const answer = async (ref: string, token: string) => {
      const res = await postCode(token, '00000000');
      return [res.status, normalise(res.text, ref, token)];
    };
    expect(await answer(real.reference, real.token)).toEqual(await answer(none.reference, none.token));
    const noAccount = (await assessments(none.reference, 1))[0];
    expect(noAccount).toMatchObject({ score: 0, recommendation: 'deny', riskFlags: ['no_such_account'] });
  });

  it('proves control of a project repository through the verifier, and found-elsewhere reads the same but counts nothing', async () => {
    const { reference, token } = await submit({ ...PUBLIC_FACTS, contact_email: 'alice-repo@elsewhere.example' });
    await assessments(reference, 1);
    await request(t.server)
      .post(`/status/${token}/repositories`)
      .type('form')
      .send({ repository: 'not a url' })
      .expect(400)
      .expect((res) => expect(res.text).toContain('repository must be a URL'));
    await request(t.server)
      .post(`/status/${token}/repositories`)
      .type('form')
      .send({ repository: 'https://github.com/Alice-GH/fancy-lib.git' })
      .expect(303)
      .expect('Location', `/status/${token}?repository=started`);
    await request(t.server).post(`/status/${token}/repositories`).type('form').send({ repository: 'https://github.com/alice-gh/side-project' }).expect(303);
    const ticket = await ticketOf(reference);
    const [own, other] = await t.dataSource
      .getRepository(Challenge)
      .find({ where: { ticketId: ticket.id, kind: 'repository' }, order: { createdAt: 'ASC', target: 'ASC' } });
    expect(own.target).toBe('github.com/alice-gh/fancy-lib');
    const page = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(page).toContain(`recovery-desk-${own.token}`);

    // not published yet, then GitHub down, then published as a branch
    await request(t.server)
      .post(`/status/${token}/repositories/${own.id}/check`)
      .expect(200)
      .expect((res) => expect(res.text).toContain('did not find'));
    github.failWith = 503;
    await request(t.server).post(`/status/${token}/repositories/${own.id}/check`).expect(503);
    github.failWith = null;
    github.addBranch('alice-gh/fancy-lib', `recovery-desk-${own.token}`);
    await request(t.server).post(`/status/${token}/repositories/${own.id}/check`).expect(303).expect('Location', `/status/${token}?repository=found`);
    expect(github.requests.every((r) => r.authorization === 'Bearer ghp_testtoken0123456789abcdef')).toBe(true);

    // a repository that is not the account's: found (as a file), reads the same, proves nothing
    github.addFile('alice-gh/side-project', `recovery-desk-${other.token}.txt`);
    await request(t.server).post(`/status/${token}/repositories/${other.id}/check`).expect(303).expect('Location', `/status/${token}?repository=found`);
    const states = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'repository' });
    expect(states.map((c) => [c.target, c.state, c.project]).sort()).toEqual([
      ['github.com/alice-gh/fancy-lib', 'passed', 'fancy-lib'],
      ['github.com/alice-gh/side-project', 'found_elsewhere', null],
    ]);
    const rows = await assessments(reference, 3);
    const last = rows.at(-1)!;
    expect(last.signals).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'repo_challenge', kind: 'proof' })]));
    expect(last.score).toBeGreaterThan(rows[0].score);
    const after = (await request(t.server).get(`/status/${token}`).expect(200)).text;
    expect(after.match(/Found\. The team will take it into account\./g)).toHaveLength(2);
  });

  it('lets a moderator send a code to an address on file and record a repository check by hand', async () => {
    const challenges = t.app.get(ChallengesService);
    const { reference, token } = await submit({ ...PUBLIC_FACTS, contact_email: 'alice-mod@elsewhere.example' });
    await assessments(reference, 1);
    const ticket = await ticketOf(reference);
    await expect(challenges.sendEmailChallenge(ticket.id, 'alice@old-work.example', 'moderator:m1')).rejects.toThrow('Some fields');
    await expect(challenges.sendEmailChallenge(ticket.id, 'stranger@elsewhere.example', 'moderator:m1')).rejects.toThrow('Some fields');
    const sent = await challenges.sendEmailChallenge(ticket.id, 'alice.private@mail.example', 'moderator:m1');
    expect(sent).toMatchObject({ createdBy: 'moderator:m1', decoy: false, state: 'pending' });
    const code = await codeMailedTo('alice.private@mail.example', reference);
    const pending = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'email', state: 'pending' });
    expect(pending.map((c) => c.id)).toEqual([sent.id]); // the automatic (decoy) code of the contact address was superseded
    await postCode(token, code).expect(303);

    await request(t.server).post(`/status/${token}/repositories`).type('form').send({ repository: 'https://gitlab.example/alice/fancy-lib' }).expect(303);
    const repo = await t.dataSource.getRepository(Challenge).findOneByOrFail({ ticketId: ticket.id, kind: 'repository' });
    await request(t.server)
      .post(`/status/${token}/repositories/${repo.id}/check`)
      .expect(200)
      .expect((res) => expect(res.text).toContain('by hand'));
    await expect(challenges.recordRepositoryResult(repo.id, false, '  ', 'moderator:m1')).rejects.toThrow('Some fields');
    const recorded = await challenges.recordRepositoryResult(repo.id, false, 'no such branch on gitlab.example', 'moderator:m1');
    expect(recorded).toMatchObject({ state: 'failed', note: 'no such branch on gitlab.example' });
    await expect(challenges.recordRepositoryResult(repo.id, true, 'again', 'moderator:m1')).rejects.toThrow('already failed');
    const rows = await assessments(reference, 3);
    expect(rows.at(-1)!.nistAal2).toBe(false);
    expect(rows.some((r) => r.signals.some((s) => s.rule === 'email_challenge' && s.kind === 'proof'))).toBe(true);
  });

  it('flags unused recovery codes and tells the addresses on file how to use them, and flags competing requests on both tickets', async () => {
    const first = await submit({ username: 'bob-ev', contact_email: 'bob-new@elsewhere.example' });
    const [assessment] = await assessments(first.reference, 1);
    expect(assessment.riskFlags).toContain('unused_recovery_codes');
    await expectEventually(() => {
      const hint = readMails(t.mailDir).find((m) => m.to.includes('bob@home.example') && m.subject.includes('recovery code'));
      if (!hint) throw new Error('no hint yet');
    });
    // The hint mail (sent to the verified addresses on file) never goes to the contact address, and the
    // status page shows only the general hint every requester sees (docs/security.md #1).
    expect(readMails(t.mailDir).some((m) => m.to.includes('bob-new@elsewhere.example') && /recovery code/i.test(m.subject + m.text))).toBe(false);
    const page = (await request(t.server).get(`/status/${first.token}`).expect(200)).text;
    expect(page).toContain('Still have recovery codes?');
    expect(page).not.toContain('I cannot use recovery codes');

    const rival = await submit({ username: 'bob-ev', contact_email: 'bob-rival@elsewhere.example' });
    const rivalRows = await assessments(rival.reference, 1);
    expect(rivalRows[0].riskFlags).toEqual(expect.arrayContaining(['competing_requests', 'second_moderator_required']));
    const firstRows = await assessments(first.reference, 2);
    expect(firstRows.at(-1)).toMatchObject({ trigger: 'competing_request' });
    expect(firstRows.at(-1)!.riskFlags).toContain('competing_requests');
    expect((await ticketOf(first.reference)).riskFlags).toContain(' competing_requests ');
  });
});
