// What the fuzzed endpoints need to reach past their first check: live status links, a repository
// challenge, staff sessions half-way through sign-in, live stop and reset links. Made through the app
// itself (the intake API over HTTP, the sign-in pages over HTTP, the moderator and directory services);
// the recovery rows that only an approval and a cooling-off would make (a day and two moderators) are
// written straight to the database, as the tests' fixtures do.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Moderator } from '../../auth/moderator.entity.js';
import { ModeratorsService } from '../../auth/moderators.service.js';
import { SignInService } from '../../auth/sign-in.service.js';
import { totpCode } from '../../auth/totp.js';
import { hashToken, newSecretToken } from '../../common/tokens.js';
import { parseDirectoryFile } from '../../directory/directory-file.js';
import { DirectoryService } from '../../directory/directory.service.js';
import { Recovery } from '../../tickets/recovery.entity.js';
import { Ticket } from '../../tickets/ticket.entity.js';
import { TicketState } from '../../tickets/ticket-state.js';
import { validIntakeBody } from './arbitraries.js';
import { cookiesOf, type FuzzHttp, type FuzzResponse } from './http.js';

export const FUZZ_STAFF_PASSWORD = 'fuzz staff password 0123';
/** The TOTP secret of the enrolled moderators (base32). */
export const FUZZ_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** The account every status-page ticket asks for: on file, so the pipeline mails codes to its address. */
const OWNER = 'fuzz-owner';

export type StaffStep = 'login' | 'password' | 'enrol' | 'totp';
export interface StaffSession {
  step: StaffStep;
  moderatorName: string;
  moderatorId: string;
  cookie: string;
  csrf: string;
  /** The TOTP secret the session's moderator enrols (enrol step) or enrolled with (totp step). */
  totpSecret: string | null;
}

function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no CSRF field in: ${html.slice(0, 200)}`);
  return match[1];
}

export class FuzzFixtures {
  private readonly dataSource: DataSource;
  // Promises, not values: requests sent at once share the fixture one of them started making.
  private readonly liveStatus = new Map<string, Promise<string>>();
  private readonly challengeIds = new Map<string, Promise<string>>();
  private staleStatusToken = '';
  private readonly sessions = new Map<StaffStep, Promise<StaffSession>>();
  private readonly liveLinks = new Map<'stop' | 'reset', Promise<string>>();
  private readonly staleLinks = new Map<'stop' | 'reset', string>();
  private counter = 0;
  /** The enrolled moderator whose name and password the login step sometimes gets right. */
  readonly staffName = `fuzz-staff-${process.pid}`;

  constructor(
    private readonly app: INestApplication,
    private readonly http: FuzzHttp,
  ) {
    this.dataSource = app.get(DataSource);
  }

  /** The directory account, the enrolled moderator and one withdrawn ticket (the stale status link). */
  async prepare(): Promise<void> {
    await this.importAccount(OWNER);
    await this.createModerator(this.staffName, 'totp');
    const stale = await this.newTicket(OWNER);
    const gone = await this.http.send({
      method: 'POST',
      path: `/status/${stale}/withdraw`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'confirm=yes',
    });
    if (gone.status !== 303) throw new Error(`withdrawing the stale ticket answered ${gone.status}`);
    this.staleStatusToken = stale;
    // A used reset link and a stopped stop link: both answer 410.
    for (const kind of ['stop', 'reset'] as const) {
      const token = await this.newRecoveryLink(kind);
      await this.dataSource
        .getRepository(Recovery)
        .update(
          { [kind === 'stop' ? 'stopTokenHash' : 'resetTokenHash']: hashToken(token) },
          { state: kind === 'stop' ? 'cancelled' : 'completed', activeKey: null },
        );
      this.staleLinks.set(kind, token);
    }
  }

  // --- status pages --------------------------------------------------------------------------

  /** The live status link of `slot` (one per endpoint: a withdraw there must not close another's ticket). */
  async statusToken(slot: string, kind: 'valid' | 'stale'): Promise<string> {
    if (kind === 'stale') return this.staleStatusToken;
    let token = this.liveStatus.get(slot);
    if (!token) {
      token = this.newTicket(OWNER);
      this.liveStatus.set(slot, token);
    }
    return token;
  }

  /** The slot's ticket is closed or spent (withdrawn, out of messages, no code left): the next request gets a new one. */
  dropStatus(slot: string): void {
    this.liveStatus.delete(slot);
    this.challengeIds.delete(slot);
  }

  /** A repository challenge on the slot's ticket, started through the status page. */
  challengeId(slot: string): Promise<string> {
    let id = this.challengeIds.get(slot);
    if (!id) {
      id = this.newChallenge(slot);
      this.challengeIds.set(slot, id);
    }
    return id;
  }

  private async newChallenge(slot: string): Promise<string> {
    const token = await this.statusToken(slot, 'valid');
    const started = await this.http.send({
      method: 'POST',
      path: `/status/${token}/repositories`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `repository=${encodeURIComponent(`https://github.com/fuzz/repo-${++this.counter}`)}`,
    });
    if (started.status !== 303) throw new Error(`starting a repository challenge answered ${started.status}: ${started.text.slice(0, 300)}`);
    const page = await this.http.send({ method: 'GET', path: `/status/${token}`, headers: {} });
    const id = /\/repositories\/([^/"]+)\/check/.exec(page.text)?.[1];
    if (!id) throw new Error('the status page shows no repository check form');
    return id;
  }

  /** A linked-identity check (GitHub device flow) on the slot's ticket, started through the status page. */
  githubCheckId(slot: string): Promise<string> {
    let id = this.challengeIds.get(slot);
    if (!id) {
      id = this.newGithubCheck(slot);
      this.challengeIds.set(slot, id);
    }
    return id;
  }

  private async newGithubCheck(slot: string): Promise<string> {
    const token = await this.statusToken(slot, 'valid');
    const started = await this.http.send({
      method: 'POST',
      path: `/status/${token}/github`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    if (started.status !== 303) throw new Error(`starting a GitHub sign-in answered ${started.status}: ${started.text.slice(0, 300)}`);
    const page = await this.http.send({ method: 'GET', path: `/status/${token}`, headers: {} });
    const id = /\/github\/([^/"]+)\/check/.exec(page.text)?.[1];
    if (!id) throw new Error('the status page shows no GitHub sign-in form');
    return id;
  }

  private async newTicket(username: string): Promise<string> {
    const body = { ...validIntakeBody('fuzz-fixture'), username };
    const res = await this.http.send({ method: 'POST', path: '/api/v1/tickets', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const token = /\/status\/([A-Za-z0-9_-]{43})/.exec(res.text)?.[1];
    if (res.status !== 201 || !token) throw new Error(`creating a fixture ticket answered ${res.status}: ${res.text.slice(0, 300)}`);
    return token;
  }

  private async importAccount(username: string): Promise<string> {
    const parsed = parseDirectoryFile(
      JSON.stringify({
        accounts: [
          {
            username,
            name: `Fuzz ${username}`,
            joined_at: '2016-03-14T10:00:00Z',
            last_login_at: '2026-01-02T08:00:00Z',
            linked_github: null,
            emails: [
              { address: `${username}@owner.example`, verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null },
            ],
            two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
            projects: [{ name: `${username}-lib`, role: 'Owner', monthly_downloads: 1000, first_release_at: '2016-04-01T00:00:00Z' }],
          },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(`bad fixture account: ${JSON.stringify(parsed.problems)}`);
    await this.app.get(DirectoryService).importAccounts(parsed.accounts, parsed.fingerprints);
    const row = await this.dataSource.query<{ id: string }[]>('SELECT id FROM accounts WHERE username = $1'.replace('$1', this.param()), [username]);
    if (!row[0]) throw new Error(`account ${username} was not imported`);
    return row[0].id;
  }

  private param(): string {
    return this.dataSource.options.type === 'postgres' ? '$1' : '?';
  }

  // --- stop and reset links ------------------------------------------------------------------

  recoveryLink(kind: 'stop' | 'reset', choice: 'valid' | 'stale'): Promise<string> {
    if (choice === 'stale') return Promise.resolve(this.staleLinks.get(kind)!);
    let token = this.liveLinks.get(kind);
    if (!token) {
      token = this.newRecoveryLink(kind);
      this.liveLinks.set(kind, token);
    }
    return token;
  }

  /** The live link was used (a recovery stopped, a password set): the next request gets a new one. */
  dropRecoveryLink(kind: 'stop' | 'reset'): void {
    this.liveLinks.delete(kind);
  }

  /**
   * A recovery whose reset link was sent (both its stop and reset links live), for an account of its own
   * (one live recovery per account). The ticket is made through the API; once the pipeline assessed it,
   * it is moved to reset_issued with its recovery row, as an approval and a cooling-off would leave it.
   */
  private async newRecoveryLink(kind: 'stop' | 'reset'): Promise<string> {
    const username = `fuzz-rec-${process.pid}-${++this.counter}`;
    const accountId = await this.importAccount(username);
    await this.newTicket(username);
    const tickets = this.dataSource.getRepository(Ticket);
    const deadline = Date.now() + 30_000;
    let ticket = await tickets.findOneByOrFail({ username });
    while (!ticket.assessedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      ticket = await tickets.findOneByOrFail({ username });
    }
    if (!ticket.assessedAt) throw new Error(`the fixture ticket of ${username} was not assessed within 30 s`);
    const now = new Date();
    await tickets.update({ id: ticket.id }, { state: TicketState.ResetIssued, decidedAt: now, updatedAt: now, version: ticket.version + 1 });
    const token = newSecretToken();
    const other = newSecretToken();
    await this.dataSource.getRepository(Recovery).insert({
      id: randomUUID(),
      ticketId: ticket.id,
      accountId,
      activeKey: accountId,
      state: 'link_sent',
      resetAddress: `${username}@owner.example`,
      // The fixture's ticket is assessed against approval: the database then wants an override with its
      // reason and a second approver (docs/security.md #13).
      override: true,
      overrideReason: 'fuzz fixture: a recovery made only to have live stop and reset links',
      needsSecond: true,
      firstApprover: 'fuzz-fixture',
      firstApprovedAt: now,
      secondApprover: 'fuzz-fixture-second',
      secondApprovedAt: now,
      coolingOffMs: 0,
      coolingOffEndsAt: now,
      stopTokenHash: hashToken(kind === 'stop' ? token : other),
      resetTokenHash: hashToken(kind === 'reset' ? token : other),
      resetIssuedAt: now,
      resetExpiresAt: new Date(now.getTime() + 3_600_000),
      resetUsedAt: null,
      closedAt: null,
      closedReason: null,
      createdAt: now,
    });
    return token;
  }

  // --- staff sign-in ---------------------------------------------------------------------------

  /** A session at `step`: the login form's CSRF token, or a moderator past the steps before it. */
  async staffSession(step: StaffStep): Promise<StaffSession> {
    let session = this.sessions.get(step);
    if (!session) {
      session = this.newSession(step);
      this.sessions.set(step, session);
    }
    const known = await session;
    // Wrong passwords and codes lock the name after a few tries (docs/security.md): the fuzzer keeps its moderator usable.
    await this.dataSource.getRepository(Moderator).update({ id: known.moderatorId }, { failedSignIns: 0, lockedUntil: null });
    return known;
  }

  /** The session left its step (signed in, moved on, sent back, expired): the next request starts a new one. */
  dropSession(step: StaffStep): void {
    this.sessions.delete(step);
  }

  private async newSession(step: StaffStep): Promise<StaffSession> {
    const login = await this.http.send({ method: 'GET', path: '/login', headers: {} });
    let cookie = cookiesOf(login);
    const csrf = csrfIn(login.text);
    if (step === 'login') {
      const staff = await this.dataSource.getRepository(Moderator).findOneByOrFail({ name: this.staffName });
      return { step, moderatorName: this.staffName, moderatorId: staff.id, cookie, csrf, totpSecret: FUZZ_TOTP_SECRET };
    }
    const name = `fuzz-${step}-${process.pid}-${++this.counter}`;
    const moderatorId = await this.createModerator(name, step);
    const signIn = await this.post('/login', cookie, `name=${name}&password=${encodeURIComponent(FUZZ_STAFF_PASSWORD)}&_csrf=${encodeURIComponent(csrf)}`);
    cookie = cookiesOf(signIn, cookie);
    if (signIn.status !== 303 || signIn.headers.location !== `/login/${step}`)
      throw new Error(`signing ${name} in answered ${signIn.status} ${String(signIn.headers.location)}`);
    let totpSecret: string | null = step === 'totp' ? FUZZ_TOTP_SECRET : null;
    if (step === 'enrol') {
      // The page makes the secret (sealed in the session) and shows it once.
      const page = await this.http.send({ method: 'GET', path: '/login/enrol', headers: { Cookie: cookie } });
      cookie = cookiesOf(page, cookie);
      totpSecret = /id="totp-secret">([^<]+)</.exec(page.text)?.[1]?.replace(/\s+/g, '') ?? null;
      if (!totpSecret) throw new Error('the enrolment page shows no secret');
    }
    return { step, moderatorName: name, moderatorId, cookie, csrf, totpSecret };
  }

  /** A moderator as the step needs: new (must change the password), password changed (must enrol), or enrolled. */
  private async createModerator(name: string, step: StaffStep): Promise<string> {
    const { moderator } = await new ModeratorsService(this.dataSource).create(name, 'moderator', FUZZ_STAFF_PASSWORD, 'fuzz');
    if (step === 'enrol') await this.dataSource.getRepository(Moderator).update({ id: moderator.id }, { mustChangePassword: false });
    if (step === 'totp' || step === 'login') {
      await this.dataSource
        .getRepository(Moderator)
        .update(
          { id: moderator.id },
          { mustChangePassword: false, totpSecret: this.app.get(SignInService).sealTotpSecret(FUZZ_TOTP_SECRET), totpEnrolledAt: new Date() },
        );
    }
    return moderator.id;
  }

  private post(path: string, cookie: string, body: string): Promise<FuzzResponse> {
    return this.http.send({ method: 'POST', path, headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  }

  /** The code an authenticator app shows now for `secret`. */
  totpNow(secret: string): Promise<string> {
    return totpCode(secret, new Date());
  }
}
