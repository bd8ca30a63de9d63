import { execFile } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { AuditLog } from '../src/audit/audit-log.service.js';
import { AuditEntry } from '../src/audit/audit-entry.entity.js';
import { Moderator } from '../src/auth/moderator.entity.js';
import { ModeratorsService } from '../src/auth/moderators.service.js';
import { SignInService } from '../src/auth/sign-in.service.js';
import { StaffAdminError, StaffAdminService } from '../src/auth/staff-admin.service.js';
import { StaffRecoveryCode } from '../src/auth/staff-recovery-code.entity.js';
import { codeAt, csrfIn, enrolAgain, enrolledModerator, signedInModerator, signIn, STAFF_PASSWORD, STAFF_TOTP_SECRET } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

/** One row of the staff list, cell by cell (by the cells' classes). */
function rowOf(html: string, name: string): Record<string, string> {
  const row = new RegExp(`<tr data-name="${name}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
  if (!row) throw new Error(`no row for ${name} in the staff list`);
  const cells: Record<string, string> = {};
  for (const [, cls, inner] of row.matchAll(/<td class="([a-z -]+)">([\s\S]*?)<\/td>/g)) {
    cells[cls.replace(/^n /, '')] = inner
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  return cells;
}

const noticeIn = (html: string) => /id="staff-notice">([^<]*)</.exec(html)?.[1];
const errorIn = (html: string) =>
  /id="staff-error">([^<]*)</
    .exec(html)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");

describe('staff administration: the admin page and the CLI (docs/security.md #32)', () => {
  let t: TestApp;
  let ada: TestAgent;

  beforeAll(async () => {
    t = await startTestApp();
    ada = await signedInModerator(t, 'ada', 'admin');
  });
  afterAll(() => t.close());

  /** Runs the CLI against the test app's database, without blocking the app (it keeps serving meanwhile). */
  const cli = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...t.env } }, (error, stdout, stderr) =>
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const moderatorNamed = (name: string) => t.dataSource.getRepository(Moderator).findOneByOrFail({ name });
  const auditOf = (action: string) => t.dataSource.getRepository(AuditEntry).find({ where: { action }, order: { id: 'ASC' } });

  /** Checks an answer's status (and redirect), returning it. */
  const answer = (res: request.Response, status: number, location?: string) => {
    expect([res.status, res.headers.location]).toEqual([status, location ?? res.headers.location]);
    return res;
  };

  /** Posts an action's form from the staff page, as the admin's browser would. */
  async function act(agent: TestAgent, name: string, path: string, fields: Record<string, string> = {}) {
    const page = await agent.get('/admin/staff').expect(200);
    return agent
      .post(`/admin/staff/${name}/${path}`)
      .type('form')
      .send({ ...fields, _csrf: csrfIn(page.text) });
  }

  it('lists every member of staff with role, last sign-in, second factors and state, for admins only', async () => {
    const benSecret = await enrolledModerator(t, 'ben', 'senior');
    await signIn(t, 'ben', benSecret);
    const ben = await moderatorNamed('ben');
    await t.app.get(SignInService).renewRecoveryCodes(ben.id, '127.0.0.1');
    const [used] = await t.dataSource.getRepository(StaffRecoveryCode).findBy({ moderatorId: ben.id });
    await t.dataSource.getRepository(StaffRecoveryCode).update({ id: used.id }, { usedAt: new Date() });
    await new ModeratorsService(t.dataSource).create('cy', 'ops', STAFF_PASSWORD, 'test');
    await enrolledModerator(t, 'dot', 'moderator');
    await t.dataSource.getRepository(Moderator).update({ name: 'dot' }, { disabledAt: new Date(), lockedUntil: new Date(Date.now() + 600_000) });

    const page = await ada.get('/admin/staff').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('id="nav-staff"');
    expect(rowOf(page.text, 'ada')).toMatchObject({ name: 'ada (you)', role: 'admin', 'recovery-codes': '0', state: 'active' });
    expect(rowOf(page.text, 'ada')['last-sign-in']).toMatch(/UTC$/);
    expect(rowOf(page.text, 'ben')).toMatchObject({ role: 'senior', 'recovery-codes': '9', state: 'active' });
    expect(rowOf(page.text, 'ben').totp).toMatch(/^since .* UTC$/);
    expect(rowOf(page.text, 'cy')).toMatchObject({
      role: 'ops',
      'last-sign-in': 'never',
      totp: 'none',
      'recovery-codes': '0',
      state: 'must change password second factor to enrol',
    });
    expect(rowOf(page.text, 'dot')).toMatchObject({ state: 'disabled locked' });
    // Each person's passkeys are counted (none here).
    expect(page.text).toContain('<th scope="col">Passkeys</th>');
    expect(rowOf(page.text, 'ben')).toMatchObject({ passkeys: '0' });

    // The same from the command line.
    const listed = await cli('staff-list');
    expect(listed.status).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +ROLE +LAST SIGN-IN +AUTHENTICATOR +RECOVERY CODES +PASSKEYS +STATE$/);
    expect(lines.find((l) => l.startsWith('ben '))).toMatch(/^ben +senior +\d{4}-\d\d-\d\d \d\d:\d\dZ +yes +9 +0 +active$/);
    expect(lines.find((l) => l.startsWith('cy '))).toMatch(/^cy +ops +never +no +0 +0 +must change password, second factor to enrol$/);
    expect(lines.find((l) => l.startsWith('dot '))).toMatch(/disabled, locked$/);
    expect(lines.at(-1)).toBe('4 staff, 1 active admin.');

    // Nobody but an admin opens the page or posts its forms.
    const moderator = await signIn(t, 'ben', benSecret, 30);
    const refused = await moderator.get('/admin/staff').expect(403);
    expect(refused.text).toContain('Your role (senior) does not open this page.');
    const token = csrfIn((await moderator.get('/dashboard').expect(200)).text);
    await moderator.post('/admin/staff/ada/disable').type('form').send({ _csrf: token }).expect(403);
    await request(t.server).get('/admin/staff').expect(303).expect('Location', '/login');
    expect((await moderatorNamed('ada')).disabledAt).toBeNull();
  });

  it("disable: the person's live session stops at its next request, they cannot sign in, and enabling leaves old sessions ended", async () => {
    const secret = await enrolledModerator(t, 'fay', 'moderator');
    const fay = await signIn(t, 'fay', secret);
    await fay.get('/dashboard').expect(200);

    answer(await act(ada, 'fay', 'disable'), 303, '/admin/staff?done=disable&name=fay');
    expect(noticeIn((await ada.get('/admin/staff?done=disable&name=fay').expect(200)).text)).toBe(
      'fay is disabled: they cannot sign in, and their sessions have ended.',
    );
    // The notice speaks only of someone on the list: a crafted link cannot make it say anything else.
    expect(noticeIn((await ada.get('/admin/staff?done=disable&name=the-ceo').expect(200)).text)).toBeUndefined();
    await fay.get('/dashboard').expect(303).expect('Location', '/login');
    const again = request.agent(t.server);
    const login = await again.get('/login').expect(200);
    await again
      .post('/login')
      .type('form')
      .send({ name: 'fay', password: STAFF_PASSWORD, _csrf: csrfIn(login.text) })
      .expect(401);

    answer(await act(ada, 'fay', 'enable'), 303, '/admin/staff?done=enable&name=fay');
    expect((await moderatorNamed('fay')).disabledAt).toBeNull();
    // The session of before stays ended; a new sign-in works.
    await fay.get('/dashboard').expect(303).expect('Location', '/login');
    const fresh = await signIn(t, 'fay', secret, 30);
    await fresh.get('/dashboard').expect(200);

    const [disabled] = await auditOf('staff_disabled');
    expect(disabled).toMatchObject({ actor: 'moderator:ada', data: { moderator: 'fay' } });
    const [enabled] = await auditOf('staff_enabled');
    expect(enabled).toMatchObject({ actor: 'moderator:ada', data: { moderator: 'fay' } });
  });

  it('ending sessions also ends a sign-in half done: the code alone opens nothing', async () => {
    const secret = await enrolledModerator(t, 'gus', 'moderator');
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: 'gus', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/totp');
    answer(await act(ada, 'gus', 'end-sessions'), 303);
    const page = await agent.get('/login/totp').expect(303);
    expect(page.headers.location).toBe('/login');
    // The code alone, after the sign-in was ended, opens nothing.
    const token = csrfIn((await agent.get('/login').expect(200)).text);
    await agent
      .post('/login/totp')
      .type('form')
      .send({ code: await codeAt(secret), _csrf: token })
      .expect(303)
      .expect('Location', '/login');
    await agent.get('/dashboard').expect(303).expect('Location', '/login');
  });

  it('changes a role from the next request on, audited with from and to; unknown roles are refused naming the field', async () => {
    const hal = await signedInModerator(t, 'hal', 'moderator');
    await hal.get('/reports').expect(403);
    answer(await act(ada, 'hal', 'role', { role: 'ops' }), 303, '/admin/staff?done=change_role&name=hal');
    await hal.get('/reports').expect(200);
    const [entry] = await auditOf('staff_role_changed');
    expect(entry).toMatchObject({ actor: 'moderator:ada', data: { moderator: 'hal', from: 'moderator', to: 'ops' } });

    const bad = answer(await act(ada, 'hal', 'role', { role: 'boss' }), 400);
    expect(errorIn(bad.text)).toBe('Nothing was changed: role must be one of moderator, senior, ops, admin');
    const missing = answer(await act(ada, 'nobody', 'role', { role: 'ops' }), 404);
    expect(errorIn(missing.text)).toBe('Nothing was changed: there is no member of staff named "nobody"');
    answer(await act(ada, 'hal', 'no-such-action'), 404);
    expect((await moderatorNamed('hal')).role).toBe('ops');
    expect(await auditOf('staff_role_changed')).toHaveLength(1);
  });

  it('reset second factor: removes the secret and the recovery codes, ends sessions, and the next sign-in enrols again', async () => {
    const secret = await enrolledModerator(t, 'ida', 'moderator');
    const ida = await signIn(t, 'ida', secret);
    const before = await moderatorNamed('ida');
    await t.app.get(SignInService).renewRecoveryCodes(before.id, '127.0.0.1');

    answer(await act(ada, 'ida', 'reset-second-factor'), 303, '/admin/staff?done=reset_second_factor&name=ida');
    const after = await moderatorNamed('ida');
    expect(after).toMatchObject({ totpSecret: null, totpEnrolledAt: null, totpLastStep: null });
    expect(await t.dataSource.getRepository(StaffRecoveryCode).countBy({ moderatorId: after.id })).toBe(0);
    await ida.get('/dashboard').expect(303).expect('Location', '/login?notice=session_revoked');
    const notice = await ida.get('/login?notice=session_revoked').expect(200);
    expect(notice.text).toContain('An admin ended your sessions; please sign in again.');

    // The password, then straight to setting up an authenticator app (the old one's codes open nothing).
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: 'ida', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303)
      .expect('Location', '/login/enrol');
    await agent.get('/login/totp').expect(303).expect('Location', '/login/enrol');
    await enrolAgain(agent, secret);
    await agent.get('/dashboard').expect(200);
    expect(await t.dataSource.getRepository(StaffRecoveryCode).countBy({ moderatorId: after.id })).toBe(10);

    const [entry] = await auditOf('staff_second_factor_reset');
    expect(entry).toMatchObject({ actor: 'moderator:ada', data: { moderator: 'ida', recovery_codes_removed: 10 } });
  });

  it('end sessions: every session of the person ends, nobody else is touched', async () => {
    const secret = await enrolledModerator(t, 'jo', 'moderator');
    const first = await signIn(t, 'jo', secret);
    const second = await signIn(t, 'jo', secret, 30);
    const kim = await signedInModerator(t, 'kim', 'moderator');

    answer(await act(ada, 'jo', 'end-sessions'), 303, '/admin/staff?done=end_sessions&name=jo');
    await first.get('/dashboard').expect(303).expect('Location', '/login?notice=session_revoked');
    await second.get('/dashboard').expect(303).expect('Location', '/login?notice=session_revoked');
    await kim.get('/dashboard').expect(200);
    await ada.get('/admin/staff').expect(200);
    const ended = (await auditOf('staff_sessions_ended')).filter((e) => e.data.moderator === 'jo');
    expect(ended).toEqual([expect.objectContaining({ actor: 'moderator:ada' })]);
  });

  it('refuses disabling or demoting oneself and the last active admin, on the page and from the CLI, changing nothing', async () => {
    const countBefore = await t.dataSource.getRepository(AuditEntry).count();
    const self = answer(await act(ada, 'ada', 'disable'), 409);
    expect(errorIn(self.text)).toBe('Nothing was changed: You cannot disable your own account: ask another admin.');
    const demote = answer(await act(ada, 'ada', 'role', { role: 'senior' }), 409);
    expect(errorIn(demote.text)).toBe('Nothing was changed: You cannot change your own role: ask another admin.');
    // ada is the only active admin: the CLI, which has no "self", refuses too.
    for (const args of [
      ['staff-disable', 'ada'],
      ['staff-role', 'ada', 'moderator'],
    ]) {
      const res = await cli(...args);
      expect(res.status).toBe(1);
      expect(res.stderr).toBe(`${args[0]}: "ada" is the last active admin: make someone else admin first, so that somebody can still run the desk.\n`);
    }
    expect(await moderatorNamed('ada')).toMatchObject({ role: 'admin', disabledAt: null });
    expect(await t.dataSource.getRepository(AuditEntry).count()).toBe(countBefore);
    await ada.get('/admin/staff').expect(200);
  });

  it('two admins disabling each other at once: one succeeds, the other is refused, an admin is always left', async () => {
    await enrolledModerator(t, 'zed', 'admin');
    const [adaRow, zedRow] = await Promise.all([moderatorNamed('ada'), moderatorNamed('zed')]);
    const service = t.app.get(StaffAdminService);
    const actor = (m: Moderator) => ({ kind: 'moderator' as const, id: m.id, name: m.name });
    // Past the role guard (both still active when they asked): each counts the active admins under the lock.
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        service.act('disable', 'zed', actor(adaRow), new Date()),
        service.act('disable', 'ada', actor(zedRow), new Date()),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refusal = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as StaffAdminError;
      expect([refusal.kind, refusal.message]).toEqual(['last_admin', expect.stringMatching(/^"(ada|zed)" is the last active admin/)]);
      const admins = await t.dataSource.getRepository(Moderator).findBy({ role: 'admin' });
      expect(admins.filter((a) => a.disabledAt === null)).toHaveLength(1);
      await t.dataSource.getRepository(Moderator).update({ role: 'admin' }, { disabledAt: null });
    }
    expect(await auditOf('staff_disabled')).toHaveLength(1 + 5);
    // Disabling ended ada's sessions if she was disabled in any round: she signs in again (the next step's code, as hers was used).
    ada = await signIn(t, 'ada', STAFF_TOTP_SECRET, 30);
  });

  it('the CLI does each action, audited as "cli", and names what is wrong', async () => {
    const secret = await enrolledModerator(t, 'lou', 'moderator');
    const lou = await signIn(t, 'lou', secret);

    expect(await cli('staff-role', 'lou', 'senior')).toMatchObject({ status: 0, stdout: 'Changed the role of "lou". From moderator to senior.\n' });
    expect(await cli('staff-end-sessions', 'lou')).toMatchObject({ status: 0, stdout: 'Ended every session of "lou".\n' });
    await lou.get('/dashboard').expect(303).expect('Location', '/login?notice=session_revoked');
    expect(await cli('staff-disable', 'lou')).toMatchObject({ status: 0 });
    expect((await moderatorNamed('lou')).disabledAt).not.toBeNull();
    expect(await cli('staff-enable', 'lou')).toMatchObject({ status: 0 });
    const reset = await cli('staff-reset-2fa', 'lou');
    expect(reset).toMatchObject({ status: 0 });
    expect(reset.stdout).toContain('Reset the second factor of "lou"');
    expect((await moderatorNamed('lou')).totpSecret).toBeNull();

    const byCli = (await t.dataSource.getRepository(AuditEntry).findBy({ actor: 'cli' })).filter((e) => e.data.moderator === 'lou').map((e) => e.action);
    expect(byCli).toEqual(['staff_role_changed', 'staff_sessions_ended', 'staff_disabled', 'staff_enabled', 'staff_second_factor_reset']);

    for (const [args, message] of [
      [['staff-disable', 'nobody'], 'staff-disable: there is no member of staff named "nobody"'],
      [['staff-role', 'lou', 'boss'], 'staff-role: role must be one of moderator, senior, ops, admin'],
      [['staff-role', 'lou'], 'usage: npm run cli -- staff-role NAME ROLE'],
      [['staff-enable', 'lou'], 'staff-enable: "lou" is not disabled.'],
      [['staff-disable'], 'usage: npm run cli -- staff-disable NAME'],
    ] as const) {
      const res = await cli(...args);
      expect([args.join(' '), res.status, res.stderr.trim()]).toEqual([args.join(' '), 1, message]);
    }
    const help = await cli('--help');
    for (const command of [
      'staff-list',
      'staff-disable NAME',
      'staff-enable NAME',
      'staff-role NAME ROLE',
      'staff-reset-2fa NAME',
      'staff-end-sessions NAME',
    ]) {
      expect(help.stdout).toContain(`  ${command} `);
    }
  });

  it('every staff action is in the hash chain, which still verifies', async () => {
    const check = await new AuditLog(t.dataSource).verify();
    expect(check.ok).toBe(true);
  });
});
