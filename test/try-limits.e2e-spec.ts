import request from 'supertest';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { ModeratorsService } from '../src/auth/moderators.service.js';
import { MAX_FAILED_SIGN_INS, MAX_FAILED_SIGN_INS_PER_CLIENT } from '../src/auth/sign-in.service.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Recovery } from '../src/tickets/recovery.entity.js';
import { FakeGitHub } from './support/fake-github.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeMailedFor, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/**
 * Try limits hold when the tries come all at once: each try is counted before the costly check, in
 * one atomic step, so of PARALLEL wrong tries exactly the limit are checked, and the right answer
 * after them is refused. Counted from what the code writes: challenge rows, timeline lines, audit entries.
 */
const PARALLEL = 50;
const EMAIL_CODE_TRIES = 5;
/** MAX_REPOSITORY_CHECKS in src/evidence/challenges.service.ts. */
const REPOSITORY_CHECKS = 30;

const OWNER = makeAccount({
  username: 'tina-limits',
  emails: [{ address: 'tina@home.example', verified: true, primary: true, public: false, added_at: '2018-01-01T00:00:00Z', removed_at: null }],
});

/** Fires `count` requests at once and waits for every answer. */
const all = <T>(count: number, send: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: count }, (_, i) => send(i)));
const statuses = (responses: request.Response[]) => responses.map((r) => r.status).sort((a, b) => a - b);
const tally = (values: unknown[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v)]: (acc[String(v)] ?? 0) + 1 }), {});

describe('try limits under parallel requests', () => {
  let t: TestApp;
  let github: FakeGitHub;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    // Each test speaks from its own client address (X-Forwarded-For), so the per-address limit of one does not touch another.
    t = await startTestApp({ TRUST_PROXY: 'true', GITHUB_API_URL: github.url, GITHUB_TOKEN: 'ghp_testtoken0123456789abcdef' });
    await seedDirectory(t, [OWNER]);
  });
  afterAll(async () => {
    await t?.close();
    await github?.stop();
  });

  const newTicket = async (contactEmail: string) => {
    const created = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'tina-limits', contact_email: contactEmail }))
      .expect(201);
    const reference = created.body.reference as string;
    return {
      reference,
      token: statusTokenIn(created.body.status_url as string),
      ticket: await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference }),
    };
  };

  const failures = async (ip: string) => (await t.dataSource.getRepository(AuditEntry).findBy({ action: 'sign_in_failed' })).filter((e) => e.data.ip === ip);

  /** A fresh browser at the login form: its agent and the form's CSRF token. */
  async function loginForm(ip: string) {
    const agent = request.agent(t.server);
    const form = await agent.get('/login').set('X-Forwarded-For', ip).expect(200);
    return { agent, csrf: csrfIn(form.text) };
  }

  it(`e-mail code: of ${PARALLEL} wrong codes at once exactly ${EMAIL_CODE_TRIES} are tried, then the right code is refused`, async () => {
    const { reference, token, ticket } = await newTicket('tina@home.example');
    const code = (await codeMailedFor(t.mailDir, reference)).replace(' ', '');
    const wrong = (i: number) => String((Number(code) + 1 + i) % 100_000_000).padStart(8, '0');

    const answers = await all(PARALLEL, (i) =>
      request(t.server)
        .post(`/status/${token}/code`)
        .type('form')
        .send({ code: wrong(i) }),
    );
    // Four "n tries left", one "last try", and every later one finds no code waiting.
    expect(statuses(answers)).toEqual([...Array<number>(EMAIL_CODE_TRIES).fill(400), ...Array<number>(PARALLEL - EMAIL_CODE_TRIES).fill(409)]);
    expect(answers.filter((r) => r.text.includes('it was the last try'))).toHaveLength(1);

    const challenges = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'email' });
    expect(challenges.map((c) => [c.state, c.attempts])).toEqual([['locked', EMAIL_CODE_TRIES]]);
    const events = await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: ticket.id });
    expect(tally(events.map((e) => e.type).filter((type) => type.startsWith('code_')))).toEqual({ code_rejected: EMAIL_CODE_TRIES - 1, code_locked: 1 });

    await request(t.server).post(`/status/${token}/code`).type('form').send({ code }).expect(409);
    expect(await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'email', state: 'passed' })).toHaveLength(0);
  });

  it(`repository check: of ${PARALLEL} checks at once exactly ${REPOSITORY_CHECKS} ask the host, then a published token is not looked for`, async () => {
    const { token, ticket } = await newTicket('tina-repo@elsewhere.example');
    await request(t.server).post(`/status/${token}/repositories`).type('form').send({ repository: 'https://github.com/tina-gh/tools' }).expect(303);
    const [challenge] = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id, kind: 'repository' });
    const answers = await all(PARALLEL, () => request(t.server).post(`/status/${token}/repositories/${challenge.id}/check`));
    expect(statuses(answers)).toEqual([...Array<number>(REPOSITORY_CHECKS).fill(200), ...Array<number>(PARALLEL - REPOSITORY_CHECKS).fill(409)]);
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).attempts).toBe(REPOSITORY_CHECKS);
    const checked = await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: ticket.id, type: 'repository_checked' });
    expect(checked).toHaveLength(REPOSITORY_CHECKS);

    github.addBranch('tina-gh/tools', `recovery-desk-${challenge.token}`);
    await request(t.server).post(`/status/${token}/repositories/${challenge.id}/check`).expect(409);
    expect((await t.dataSource.getRepository(Challenge).findOneByOrFail({ id: challenge.id })).state).toBe('pending');
  });

  it(`sign-in password: of ${PARALLEL} wrong passwords at once for one name exactly ${MAX_FAILED_SIGN_INS} are checked, then the right one is refused`, async () => {
    const ip = '203.0.113.10';
    await new ModeratorsService(t.dataSource).create('pat', 'moderator', STAFF_PASSWORD, 'test');
    const browsers = await all(PARALLEL, () => loginForm(ip));
    const answers = await all(PARALLEL, (i) =>
      browsers[i].agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ name: 'pat', password: `wrong password ${i}`, _csrf: browsers[i].csrf }),
    );
    expect(statuses(answers)).toEqual([...Array<number>(MAX_FAILED_SIGN_INS).fill(401), ...Array<number>(PARALLEL - MAX_FAILED_SIGN_INS).fill(429)]);

    const reasons = (await failures(ip)).map((e) => e.data.reason);
    // Checked: the wrong passwords counted as failures. The others were refused before any hashing.
    expect(reasons.filter((r) => r === 'password')).toHaveLength(MAX_FAILED_SIGN_INS);
    expect(reasons.filter((r) => r !== 'password').every((r) => r === 'locked' || r === 'client_limit')).toBe(true);
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'pat' })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    const { agent, csrf } = await loginForm(ip);
    const right = await agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ name: 'pat', password: STAFF_PASSWORD, _csrf: csrf });
    expect(right.status).toBe(429);
    expect(right.text).toMatch(/locked for 15 minutes/);
  });

  it(`TOTP step: of ${PARALLEL} wrong codes at once exactly ${MAX_FAILED_SIGN_INS} are checked, then the right code is refused`, async () => {
    const ip = '203.0.113.20';
    const secret = await enrolledModerator(t, 'quinn');
    const { agent, csrf } = await loginForm(ip);
    await agent
      .post('/login')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ name: 'quinn', password: STAFF_PASSWORD, _csrf: csrf })
      .expect(303)
      .expect('Location', '/login/totp');
    const page = await agent.get('/login/totp').set('X-Forwarded-For', ip).expect(200);
    const stale = await codeAt(secret, -300);
    const answers = await all(PARALLEL, () =>
      agent
        .post('/login/totp')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ code: stale, _csrf: csrfIn(page.text) }),
    );
    // Wrong (401), refused (429), or sent back to the start once the name was locked (303).
    expect(answers.every((r) => [401, 429, 303].includes(r.status))).toBe(true);

    const reasons = (await failures(ip)).map((e) => e.data.reason);
    expect(reasons.filter((r) => r === 'totp')).toHaveLength(MAX_FAILED_SIGN_INS);
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'quinn' })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    // The right code in the same sign-in: sent back to the start. The right password in a new one: refused.
    await agent
      .post('/login/totp')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ code: await codeAt(secret), _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/login');
    const again = await loginForm(ip);
    const right = await again.agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ name: 'quinn', password: STAFF_PASSWORD, _csrf: again.csrf });
    expect(right.status).toBe(429);
    await again.agent.get('/login/totp').expect(303).expect('Location', '/login');
    expect((await failures(ip)).filter((e) => e.data.reason === 'totp')).toHaveLength(MAX_FAILED_SIGN_INS);
  });

  it(`re-authentication at approval: of ${PARALLEL} wrong codes at once exactly ${MAX_FAILED_SIGN_INS} are checked, then the right code is refused`, async () => {
    const ip = '203.0.113.40';
    const secret = await enrolledModerator(t, 'vera', 'senior');
    const { agent, csrf } = await loginForm(ip);
    await agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ name: 'vera', password: STAFF_PASSWORD, _csrf: csrf }).expect(303);
    const totpPage = await agent.get('/login/totp').set('X-Forwarded-For', ip).expect(200);
    await agent
      .post('/login/totp')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ code: await codeAt(secret), _csrf: csrfIn(totpPage.text) })
      .expect(303)
      .expect('Location', '/dashboard');
    const { reference, ticket } = await newTicket('tina-approval@elsewhere.example');
    await pipelineSettled(t);
    expect(await t.app.get(ReviewService).claim(ticket.id, 'vera')).not.toBeNull();
    const page = await agent.get(`/dashboard/tickets/${reference}`).set('X-Forwarded-For', ip).expect(200);
    // Everything but the code would approve: a senior may approve against the recommendation with a reason.
    const approve = (code: string) =>
      agent
        .post(`/dashboard/tickets/${reference}/approve`)
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ reset_address: 'tina@home.example', override_reason: 'Confirmed on a call placed to the number on file.', code, _csrf: csrfIn(page.text) });

    const stale = await codeAt(secret, -300);
    const answers = await all(PARALLEL, () => approve(stale));
    // Wrong (401) until the name locks; refused before any check (429) after.
    expect(answers.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(PARALLEL - MAX_FAILED_SIGN_INS);
    const reasons = (await failures(ip)).map((e) => e.data.reason);
    expect(reasons.filter((r) => r === 'totp')).toHaveLength(MAX_FAILED_SIGN_INS);
    // The others were refused before any code was checked.
    expect(reasons.filter((r) => r !== 'totp').every((r) => r === 'locked' || r === 'client_limit')).toBe(true);
    expect((await t.dataSource.getRepository(Moderator).findOneByOrFail({ name: 'vera' })).lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    // The right code (the next step: the sign-in took this one) while locked: refused, nothing approved.
    const right = await codeAt(secret, 30);
    expect((await approve(right)).status).toBe(429);
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: ticket.id })).toBe(0);
    expect((await failures(ip)).filter((e) => e.data.reason === 'totp')).toHaveLength(MAX_FAILED_SIGN_INS);

    // Only the lock stood in the way: lifted (as 15 minutes would), the same code approves.
    await t.dataSource.getRepository(Moderator).update({ name: 'vera' }, { lockedUntil: null, failedSignIns: 0 });
    const approved = await approve(right);
    expect(approved.status).toBe(303);
    expect(await t.dataSource.getRepository(Recovery).countBy({ ticketId: ticket.id })).toBe(1);
  });

  it(`per-address cap: of ${PARALLEL} wrong passwords at once over as many names exactly ${MAX_FAILED_SIGN_INS_PER_CLIENT} are checked, then a right one is refused`, async () => {
    const ip = '203.0.113.30';
    await new ModeratorsService(t.dataSource).create('rosa', 'moderator', STAFF_PASSWORD, 'test');
    const browsers = await all(PARALLEL, () => loginForm(ip));
    const answers = await all(PARALLEL, (i) =>
      browsers[i].agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ name: `spray-${i}`, password: 'Winter2026!', _csrf: browsers[i].csrf }),
    );
    expect(statuses(answers)).toEqual([
      ...Array<number>(MAX_FAILED_SIGN_INS_PER_CLIENT).fill(401),
      ...Array<number>(PARALLEL - MAX_FAILED_SIGN_INS_PER_CLIENT).fill(429),
    ]);
    expect(tally((await failures(ip)).map((e) => e.data.reason))).toEqual({
      password: MAX_FAILED_SIGN_INS_PER_CLIENT,
      client_limit: PARALLEL - MAX_FAILED_SIGN_INS_PER_CLIENT,
    });

    const { agent, csrf } = await loginForm(ip);
    const right = await agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ name: 'rosa', password: STAFF_PASSWORD, _csrf: csrf });
    expect(right.status).toBe(429);
    expect(right.text).toMatch(/from your network/);
    // Another address is not held back by this one's failures.
    const other = await loginForm('203.0.113.31');
    await other.agent
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.31')
      .type('form')
      .send({ name: 'rosa', password: STAFF_PASSWORD, _csrf: other.csrf })
      .expect(303)
      .expect('Location', '/login/password');
  });
});
