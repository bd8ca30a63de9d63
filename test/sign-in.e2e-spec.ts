import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { ModeratorsService } from '../src/auth/moderators.service.js';
import { makeTicketBody } from './support/factories.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

const PASSWORD = STAFF_PASSWORD;
const WRONG_PASSWORD_MESSAGE = 'That name and password do not match an active account.';

const errorIn = (html: string) => /role="alert" id="[a-z-]+">([^<]*)</.exec(html)?.[1];
/** The rd_staff cookie a response sets: its value (session id and signature) and its attributes. */
const staffCookieOf = (res: request.Response) => {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('rd_staff='));
  return header ? { value: header.split(';', 1)[0].slice('rd_staff='.length), attributes: header } : null;
};

describe('moderator sign-in', () => {
  let t: TestApp;
  let moderators: ModeratorsService;

  beforeAll(async () => {
    t = await startTestApp();
    moderators = new ModeratorsService(t.dataSource);
  });
  afterAll(() => t.close());

  const moderatorNamed = (name: string) => t.dataSource.getRepository(Moderator).findOneByOrFail({ name });

  async function submitPassword(agent: TestAgent, name: string, password = PASSWORD) {
    const form = await agent.get('/login').expect(200);
    return agent
      .post('/login')
      .type('form')
      .send({ name, password, _csrf: csrfIn(form.text) });
  }

  async function submitCode(agent: TestAgent, code: string) {
    const page = await agent.get('/login/totp').expect(200);
    return agent
      .post('/login/totp')
      .type('form')
      .send({ code, _csrf: csrfIn(page.text) });
  }

  it('first sign-in: password, forced change, enrolment with QR code and text secret, then the dashboard in a new session', async () => {
    await moderators.create('alice', 'senior', PASSWORD, 'test');
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    expect(form.headers['cache-control']).toBe('no-store');
    const before = staffCookieOf(form);
    expect(before).not.toBeNull();
    expect(before!.attributes).toMatch(/; HttpOnly/i);
    expect(before!.attributes).toMatch(/; SameSite=Lax/i);
    expect(before!.attributes).toMatch(/; Path=\//i);
    expect(before!.attributes).not.toMatch(/; Secure/i); // plain http in tests; Secure (and __Host-) under https or in production

    await agent
      .post('/login')
      .type('form')
      .send({ name: 'Alice ', password: PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/password');
    // Half signed in: nothing opens yet.
    await agent.get('/dashboard').expect(303).expect('Location', '/login');
    await agent.get('/login/enrol').expect(303).expect('Location', '/login/password');

    const change = await agent.get('/login/password').expect(200);
    const token = csrfIn(change.text);
    const mismatch = await agent
      .post('/login/password')
      .type('form')
      .send({ new_password: 'a brand new password', confirm_password: 'a brand new passw0rd', _csrf: token })
      .expect(400);
    expect(errorIn(mismatch.text)).toBe('the two passwords are not the same');
    const same = await agent.post('/login/password').type('form').send({ new_password: PASSWORD, confirm_password: PASSWORD, _csrf: token }).expect(400);
    expect(errorIn(same.text)).toBe('the new password must differ from the old one');
    const short = await agent.post('/login/password').type('form').send({ new_password: 'short', confirm_password: 'short', _csrf: token }).expect(400);
    expect(errorIn(short.text)).toBe('a password needs at least 12 characters');
    await agent
      .post('/login/password')
      .type('form')
      .send({ new_password: 'a brand new password', confirm_password: 'a brand new password', _csrf: token })
      .expect(303)
      .expect('Location', '/login/enrol');

    const enrol = await agent.get('/login/enrol').expect(200);
    expect(enrol.text).toMatch(/<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/]+(&#x3D;)*"/);
    const grouped = /id="totp-secret">([A-Z2-7 ]+)</.exec(enrol.text)?.[1];
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/); // 160 bits, in groups of four
    const secret = grouped!.replace(/ /g, '');
    // A reload shows the same secret (it waits, sealed, in the session).
    expect((await agent.get('/login/enrol').expect(200)).text).toContain(grouped);
    const wrong = await agent
      .post('/login/enrol')
      .type('form')
      .send({ code: await codeAt(secret, -600), _csrf: csrfIn(enrol.text) })
      .expect(400);
    expect(errorIn(wrong.text)).toMatch(/^That code is not right/);
    expect((await moderatorNamed('alice')).totpSecret).toBeNull();

    const done = await agent
      .post('/login/enrol')
      .type('form')
      .send({ code: await codeAt(secret), _csrf: csrfIn(wrong.text) })
      .expect(303)
      .expect('Location', '/dashboard/account/recovery-codes');
    // Signed in, the recovery codes made with the enrolment are shown once (test/recovery-codes.e2e-spec.ts has the rest).
    const codes = await agent.get('/dashboard/account/recovery-codes').expect(200);
    expect(codes.text.match(/<li><code>[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}<\/code><\/li>/g)).toHaveLength(10);
    const after = staffCookieOf(done);
    expect(after).not.toBeNull();
    expect(after!.attributes).toMatch(/; HttpOnly/i);
    expect(after!.attributes).toMatch(/; SameSite=Lax/i);
    // The session id changed at sign-in, and the old one no longer exists.
    expect(after!.value.split('.')[0]).not.toBe(before!.value.split('.')[0]);
    await request(t.server).get('/dashboard').set('Cookie', `rd_staff=${before!.value}`).expect(303).expect('Location', '/login');

    const dashboard = await agent.get('/dashboard').expect(200);
    expect(dashboard.text).toContain('Signed in as <strong>alice</strong> (senior)');
    expect(dashboard.text).toMatch(/id="ticket-counts"/);
    expect(dashboard.headers['cache-control']).toBe('no-store');
    // Signed in, /login goes to the dashboard.
    await agent.get('/login').expect(303).expect('Location', '/dashboard');

    const stored = await moderatorNamed('alice');
    expect(stored).toMatchObject({ mustChangePassword: false, failedSignIns: 0 });
    expect(stored.totpSecret).toMatch(/^v1\./);
    expect(stored.totpSecret).not.toContain(secret);
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const actions = (await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:alice' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['password_changed', 'totp_enrolled', 'recovery_codes_made', 'signed_in']));

    // Sign-out ends the session for good.
    const page = await agent.get('/dashboard').expect(200);
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/login?notice=signed_out');
    expect(([] as string[]).concat(out.headers['set-cookie'] ?? []).join()).toMatch(/rd_staff=;/);
    await request(t.server).get('/dashboard').set('Cookie', `rd_staff=${after!.value}`).expect(303).expect('Location', '/login');
    expect(await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:alice', action: 'signed_out' })).toHaveLength(1);
  });

  // Found by npm run fuzz on PostgreSQL (docs/security.md #33): a NUL byte in the name reached the query and made a 500.
  it('a name no moderator can have (a NUL byte, odd characters) is a wrong sign-in, not a server error', async () => {
    for (const name of ['ali\u0000ce', '\u0000', 'a b', 'ＡＬＩＣＥ', 'x'.repeat(60)]) {
      const res = await submitPassword(request.agent(t.server), name);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(errorIn(res.text)).toBe(WRONG_PASSWORD_MESSAGE);
    }
  });

  it('later sign-ins ask for the code, and a code cannot be used twice', async () => {
    const secret = await enrolledModerator(t, 'carol', 'admin');
    const first = request.agent(t.server);
    await submitPassword(first, 'carol').then((res) => expect(res.headers.location).toBe('/login/totp'));
    const code = await codeAt(secret);
    await submitCode(first, code).then((res) => expect([res.status, res.headers.location]).toEqual([303, '/dashboard']));
    expect((await first.get('/dashboard').expect(200)).text).toContain('Signed in as <strong>carol</strong> (admin)');

    // The same code again, within its window, from another browser: refused.
    const second = request.agent(t.server);
    await submitPassword(second, 'carol').then((res) => expect(res.headers.location).toBe('/login/totp'));
    const replay = await submitCode(second, code);
    expect(replay.status).toBe(401);
    expect(errorIn(replay.text)).toMatch(/^That code is not right/);
    // The next step's code (one step of drift allowed) is fine.
    await submitCode(second, await codeAt(secret, 30)).then((res) => expect([res.status, res.headers.location]).toEqual([303, '/dashboard']));
  });

  it('an enrolled moderator who must change the password proves the code first', async () => {
    const secret = await enrolledModerator(t, 'erin');
    await t.dataSource.getRepository(Moderator).update({ name: 'erin' }, { mustChangePassword: true });
    const agent = request.agent(t.server);
    await submitPassword(agent, 'erin').then((res) => expect(res.headers.location).toBe('/login/totp'));
    await agent.get('/login/password').expect(303).expect('Location', '/login/totp');
    await submitCode(agent, await codeAt(secret)).then((res) => expect(res.headers.location).toBe('/login/password'));
    const page = await agent.get('/login/password').expect(200);
    await agent
      .post('/login/password')
      .type('form')
      .send({ new_password: 'erin has a new one', confirm_password: 'erin has a new one', _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/dashboard');
  });

  it('locks a name after 5 failures, even for the right password; unknown names and disabled accounts read like a wrong password', async () => {
    await moderators.create('bob', 'moderator', PASSWORD, 'test');
    const agent = request.agent(t.server);
    const unknown = await submitPassword(agent, 'nobody-here', PASSWORD);
    expect(unknown.status).toBe(401);
    expect(errorIn(unknown.text)).toBe(WRONG_PASSWORD_MESSAGE);
    for (let i = 0; i < 5; i++) {
      const res = await submitPassword(agent, 'bob', `wrong password ${i}`);
      expect(res.status).toBe(401);
      expect(errorIn(res.text)).toBe(WRONG_PASSWORD_MESSAGE);
    }
    const locked = await submitPassword(agent, 'bob', PASSWORD);
    expect(locked.status).toBe(429);
    expect(errorIn(locked.text)).toMatch(/locked for 15 minutes/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    const bob = await moderatorNamed('bob');
    expect(bob.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    // When the lock has passed, the right password works again.
    await t.dataSource.getRepository(Moderator).update({ name: 'bob' }, { lockedUntil: new Date(Date.now() - 1000) });
    await submitPassword(agent, 'bob', PASSWORD).then((res) => expect([res.status, res.headers.location]).toEqual([303, '/login/password']));

    await moderators.create('dave', 'moderator', PASSWORD, 'test');
    await t.dataSource.getRepository(Moderator).update({ name: 'dave' }, { disabledAt: new Date() });
    const disabled = await submitPassword(request.agent(t.server), 'dave', PASSWORD);
    expect(disabled.status).toBe(401);
    expect(errorIn(disabled.text)).toBe(WRONG_PASSWORD_MESSAGE);

    const failures = await t.dataSource.getRepository(AuditEntry).findBy({ action: 'sign_in_failed' });
    const of = (actor: string) => failures.filter((f) => f.actor === actor).map((f) => f.data);
    expect(of('moderator:bob').map((d) => d.reason)).toEqual(['password', 'password', 'password', 'password', 'password', 'locked']);
    expect(of('moderator:bob')[4]).toMatchObject({ ip: '127.0.0.1', locked_until: expect.any(String) });
    expect(of('moderator:dave')).toEqual([{ reason: 'disabled', ip: '127.0.0.1' }]);
    // The attempted name of a non-moderator is not kept (it is sometimes a password typed in the wrong field).
    expect(of('anonymous')).toContainEqual({ reason: 'password', ip: '127.0.0.1' });
    expect(JSON.stringify(failures)).not.toContain('nobody-here');
  });

  it('wrong codes count as failures too: the fifth locks the name and the sign-in starts again', async () => {
    const secret = await enrolledModerator(t, 'gina');
    const agent = request.agent(t.server);
    await submitPassword(agent, 'gina').then((res) => expect(res.headers.location).toBe('/login/totp'));
    const stale = await codeAt(secret, -300);
    for (let i = 0; i < 4; i++) expect((await submitCode(agent, stale)).status).toBe(401);
    const fifth = await submitCode(agent, stale);
    expect(fifth.status).toBe(429);
    expect(errorIn(fifth.text)).toMatch(/locked for 15 minutes/);
    await agent.get('/login/totp').expect(303).expect('Location', '/login');
    expect((await submitPassword(agent, 'gina')).status).toBe(429);
    const reasons = (await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:gina', action: 'sign_in_failed' })).map((e) => e.data.reason);
    expect(reasons).toEqual(['totp', 'totp', 'totp', 'totp', 'totp', 'locked']);
  });

  it("refuses staff POSTs without the session's CSRF token", async () => {
    const secret = await enrolledModerator(t, 'frank');
    const agent = request.agent(t.server);
    await agent.post('/login').type('form').send({ name: 'frank', password: PASSWORD }).expect(403);
    await submitPassword(agent, 'frank').then((res) => expect(res.headers.location).toBe('/login/totp'));
    const other = request.agent(t.server);
    const othersToken = csrfIn((await other.get('/login').expect(200)).text);
    const missing = await agent
      .post('/login/totp')
      .type('form')
      .send({ code: await codeAt(secret) })
      .expect(403);
    expect(missing.text).toContain('This form has expired');
    await agent
      .post('/login/totp')
      .type('form')
      .send({ code: await codeAt(secret), _csrf: othersToken })
      .expect(403);
    // In a query string or a cookie it does not count either.
    const own = csrfIn((await agent.get('/login/totp').expect(200)).text);
    await agent
      .post(`/login/totp?_csrf=${encodeURIComponent(own)}`)
      .type('form')
      .send({ code: await codeAt(secret) })
      .expect(403);
    await agent
      .post('/login/totp')
      .set('Cookie', `_csrf=${own}`)
      .type('form')
      .send({ code: await codeAt(secret) })
      .expect(403);
    await submitCode(agent, await codeAt(secret)).then((res) => expect(res.headers.location).toBe('/dashboard'));
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.post('/logout').type('form').send({ _csrf: othersToken }).expect(403);
    await agent.get('/dashboard').expect(200); // still signed in
  });

  it('sends anonymous visitors to /login, and leaves requesters cookie-free', async () => {
    await request(t.server).get('/dashboard').set('Accept', 'text/html').expect(303).expect('Location', '/login');
    await request(t.server).get('/login/totp').expect(303).expect('Location', '/login');
    const created = await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
    expect(created.headers['set-cookie']).toBeUndefined();
    const status = await request(t.server)
      .get(`/status/${statusTokenIn(created.body.status_url)}`)
      .expect(200);
    expect(status.headers['set-cookie']).toBeUndefined();
    for (const path of ['/', '/recover', '/static/app.css']) expect((await request(t.server).get(path).expect(200)).headers['set-cookie']).toBeUndefined();
    const form = await request(t.server).post('/recover').type('form').send({ username: '' }).expect(400);
    expect(form.headers['set-cookie']).toBeUndefined();
  });

  it('limits failed sign-ins per client address across names', async () => {
    const agent = request.agent(t.server);
    const already = (await t.dataSource.getRepository(AuditEntry).findBy({ action: 'sign_in_failed' })).filter((e) =>
      ['password', 'totp', 'disabled'].includes(String(e.data.reason)),
    ).length;
    let last: request.Response | undefined;
    for (let i = already; i < 20; i++) last = await submitPassword(agent, `spray-${i % 7}`, 'Winter2026!');
    expect(last?.status).toBe(401);
    const limited = await submitPassword(agent, 'spray-new', 'Winter2026!');
    expect(limited.status).toBe(429);
    expect(errorIn(limited.text)).toMatch(/from your network/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
