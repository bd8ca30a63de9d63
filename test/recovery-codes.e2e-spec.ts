import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { RecoveryCodesService } from '../src/auth/recovery-codes.service.js';
import { MAX_FAILED_SIGN_INS, SignInService } from '../src/auth/sign-in.service.js';
import { StaffRecoveryCode } from '../src/auth/staff-recovery-code.entity.js';
import { Transactions } from '../src/database/transactions.js';
import { codeAt, csrfIn, enrolAgain, enrolledModerator, signIn, STAFF_PASSWORD, STAFF_TOTP_SECRET } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CODE = /<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})<\/code><\/li>/g;
const codesIn = (html: string) => [...html.matchAll(CODE)].map((m) => m[1]);
const errorIn = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

/**
 * Staff recovery codes (docs/security.md #32): made at enrolment and on request, shown once, kept only
 * as keyed digests, each good for one sign-in even when sent twice at once, and counted against the
 * same try limit as TOTP codes.
 */
describe('staff recovery codes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const moderatorNamed = (name: string) => t.dataSource.getRepository(Moderator).findOneByOrFail({ name });

  /** A fresh browser past the password, at the code step; returns it with the step page's CSRF token. */
  async function atCodeStep(name: string) {
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name, password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/totp');
    const page = await agent.get('/login/totp').expect(200);
    return { agent, csrf: csrfIn(page.text), page: page.text };
  }

  const useCode = (browser: { agent: TestAgent; csrf: string }, code: string) =>
    browser.agent.post('/login/recovery-code').type('form').send({ recovery_code: code, _csrf: browser.csrf });

  /** An enrolled moderator with a set of recovery codes (as enrolment makes them), returned in the clear. */
  async function withCodes(name: string): Promise<string[]> {
    await enrolledModerator(t, name);
    return t.app.get(SignInService).renewRecoveryCodes((await moderatorNamed(name)).id, '127.0.0.1');
  }

  it('enrolment shows ten codes once, and the database keeps only their keyed digests', async () => {
    const secret = await enrolledModerator(t, 'nia');
    await t.dataSource.getRepository(Moderator).update({ name: 'nia' }, { totpSecret: null, totpEnrolledAt: null });
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: 'nia', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/enrol');
    await enrolAgain(agent, secret);
    const shown = await agent.get('/dashboard/account/recovery-codes').expect(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    const codes = codesIn(shown.text);
    expect(new Set(codes).size).toBe(10);
    // Once: a reload finds them gone.
    const again = await agent.get('/dashboard/account/recovery-codes').expect(200);
    expect(codesIn(again.text)).toEqual([]);
    expect(again.text).toContain('id="codes-gone"');

    const nia = await moderatorNamed('nia');
    const rows = await t.dataSource.getRepository(StaffRecoveryCode).findBy({ moderatorId: nia.id });
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace(/-/g, ''));
    }
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.codeHash) && r.usedAt === null)).toBe(true);
    expect((await agent.get('/dashboard/account').expect(200)).text).toMatch(/id="unused-codes">10</);
    const made = await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:nia', action: 'recovery_codes_made' });
    expect(made.map((e) => e.data)).toEqual([{ ip: '127.0.0.1', count: 10, at: 'enrolment' }]);
    expect(JSON.stringify(made)).not.toContain(codes[0]);
    const signedIn = await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:nia', action: 'signed_in' });
    expect(signedIn.map((e) => e.data.second_factor)).toEqual(['enrolment']);
  });

  it('a recovery code signs in once instead of a TOTP code; used again it is refused', async () => {
    const codes = await withCodes('ola');
    const first = await atCodeStep('ola');
    expect(first.page).toContain('<a href="/login/recovery-code" id="use-recovery-code">Use a recovery code</a>');
    expect((await first.agent.get('/login/recovery-code').expect(200)).text).toContain('<label for="recovery_code">Recovery code</label>');
    // Typed loosely: upper case, spaces instead of dashes.
    await useCode(first, ` ${codes[3].toUpperCase().replace(/-/g, ' ')} `)
      .expect(303)
      .expect('Location', '/dashboard');
    expect((await first.agent.get('/dashboard').expect(200)).text).toContain('Signed in as <strong>ola</strong>');

    const second = await atCodeStep('ola');
    const reused = await useCode(second, codes[3]).expect(401);
    expect(errorIn(reused.text, 'recovery-code-error')).toBe('That recovery code is not right, or it was used already: each one works once.');
    expect(reused.text).toContain('<h1>Use a recovery code</h1>');
    // Another of the codes works.
    await useCode(second, codes[4]).expect(303).expect('Location', '/dashboard');
    expect((await second.agent.get('/dashboard/account').expect(200)).text).toMatch(/id="unused-codes">8</);

    const ola = await moderatorNamed('ola');
    const audit = await t.dataSource.getRepository(AuditEntry).find({ where: { actor: 'moderator:ola' }, order: { id: 'ASC' } });
    expect(audit.filter((e) => e.action === 'recovery_code_used')).toHaveLength(2);
    expect(audit.filter((e) => e.action === 'signed_in').map((e) => e.data.second_factor)).toEqual(['recovery_code', 'recovery_code']);
    expect(audit.filter((e) => e.action === 'sign_in_failed').map((e) => e.data.reason)).toEqual(['recovery_code']);
    // One failure among successes locks nothing, and a sign-in clears the count.
    expect(ola).toMatchObject({ lockedUntil: null, failedSignIns: 0 });
  });

  it('one code sent from several browsers at once signs in exactly one of them', async () => {
    const codes = await withCodes('pia');
    // Fewer than the try limit, so every one is checked (none refused by a lock).
    const browsers = await Promise.all(Array.from({ length: MAX_FAILED_SIGN_INS - 1 }, () => atCodeStep('pia')));
    const answers = await Promise.all(browsers.map((b) => useCode(b, codes[0])));
    expect(answers.map((r) => r.status).sort()).toEqual([303, ...Array<number>(MAX_FAILED_SIGN_INS - 2).fill(401)]);
    expect(answers.find((r) => r.status === 303)!.headers.location).toBe('/dashboard');
    const pia = await moderatorNamed('pia');
    expect(await t.dataSource.getRepository(StaffRecoveryCode).countBy({ moderatorId: pia.id })).toBe(10);
    const used = (await t.dataSource.getRepository(StaffRecoveryCode).findBy({ moderatorId: pia.id })).filter((r) => r.usedAt !== null);
    expect(used).toHaveLength(1);
    expect(await t.dataSource.getRepository(AuditEntry).countBy({ actor: 'moderator:pia', action: 'recovery_code_used' })).toBe(1);

    // Straight at the database, past the try limit: of 20 uses of one code at once, one succeeds.
    const service = t.app.get(RecoveryCodesService);
    const transactions = t.app.get(Transactions);
    const results = await Promise.all(Array.from({ length: 20 }, () => transactions.run((em) => service.use(em, pia.id, codes[1], new Date()))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('wrong recovery codes count toward the same try limit as TOTP codes', async () => {
    const codes = await withCodes('quin');
    const secret = STAFF_TOTP_SECRET;
    const browser = await atCodeStep('quin');
    const stale = await codeAt(secret, -300);
    for (let i = 0; i < 2; i++) await browser.agent.post('/login/totp').type('form').send({ code: stale, _csrf: browser.csrf }).expect(401);
    for (let i = 0; i < 2; i++) await useCode(browser, 'zzzz-zzzz-zzzz').expect(401);
    // The fifth failure, whichever kind, locks the name: a right code after it is refused.
    const fifth = await useCode(browser, 'yyyy-yyyy-yyyy').expect(429);
    expect(fifth.text).toMatch(/locked for 15 minutes/);
    await browser.agent.get('/login/totp').expect(303).expect('Location', '/login');
    const again = request.agent(t.server);
    const form = await again.get('/login').expect(200);
    await again
      .post('/login')
      .type('form')
      .send({ name: 'quin', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(429);
    const reasons = (await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:quin', action: 'sign_in_failed' })).map((e) => e.data.reason);
    expect(reasons).toEqual(['totp', 'totp', 'recovery_code', 'recovery_code', 'recovery_code', 'locked']);
    // Nothing was used up by the refused tries.
    const quin = await moderatorNamed('quin');
    expect(await t.app.get(RecoveryCodesService).unusedCount(quin.id)).toBe(codes.length);
  });

  it('new codes from the account page need a fresh authenticator code, are shown once, and replace the old ones', async () => {
    const secret = STAFF_TOTP_SECRET;
    const old = await withCodes('rue');
    const agent = await signIn(t, 'rue', secret);
    const account = await agent.get('/dashboard/account').expect(200);
    expect(account.text).toMatch(/id="unused-codes">10</);

    // The sign-in's own code is refused as used; a wrong one too; nothing changes.
    const used = await agent
      .post('/dashboard/account/recovery-codes')
      .type('form')
      .send({ code: await codeAt(secret), _csrf: csrfIn(account.text) })
      .expect(401);
    expect(errorIn(used.text, 'code-error')).toMatch(/^This code was used already/);
    await agent
      .post('/dashboard/account/recovery-codes')
      .type('form')
      .send({ code: '000000', _csrf: csrfIn(account.text) })
      .expect(401);
    await agent
      .post('/dashboard/account/recovery-codes')
      .type('form')
      .send({ code: await codeAt(secret, 30) })
      .expect(403); // no CSRF token

    const made = await agent
      .post('/dashboard/account/recovery-codes')
      .type('form')
      .send({ code: await codeAt(secret, 30), _csrf: csrfIn(account.text) })
      .expect(303)
      .expect('Location', '/dashboard/account/recovery-codes');
    expect(made.headers['set-cookie']).toBeDefined(); // a new session id, as after an approval's code
    const fresh = codesIn((await agent.get('/dashboard/account/recovery-codes').expect(200)).text);
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(codesIn((await agent.get('/dashboard/account/recovery-codes').expect(200)).text)).toEqual([]);

    // An old code no longer signs in; a new one does.
    const browser = await atCodeStep('rue');
    await useCode(browser, old[0]).expect(401);
    await useCode(browser, fresh[0]).expect(303).expect('Location', '/dashboard');
    const entries = await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:rue', action: 'recovery_codes_made' });
    expect(entries.map((e) => e.data.at)).toEqual(['account_page', 'account_page']);
    const failures = await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'moderator:rue', action: 'sign_in_failed' });
    expect(failures.map((e) => e.data.reason)).toEqual(['totp', 'totp', 'recovery_code']);
  });
});
