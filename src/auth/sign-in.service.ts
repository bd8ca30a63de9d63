import { Inject, Injectable } from '@nestjs/common';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { Clock } from '../common/clock.js';
import { SealedBox } from '../common/sealed-box.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { RateLimiter, retryAfterSeconds } from '../redis/rate-limiter.js';
import { MODERATOR_NAME_PATTERN } from './moderator-roles.js';
import { Moderator } from './moderator.entity.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import type { SecondFactor } from './staff-session.js';
import { acceptedStep, type CodeRefusal, refusalOf } from './totp.js';

/** Failed sign-ins (password or code) that lock a name, and for how long (OWASP: lock for a while, not for ever). */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60_000;
/** Failed sign-ins from one client address per LOCK_MS, whatever the names: slows spraying one password over many names. */
export const MAX_FAILED_SIGN_INS_PER_CLIENT = 20;

export type SignInFailure = 'password' | 'totp' | 'passkey' | 'recovery_code' | 'locked' | 'disabled' | 'client_limit';

export type StepOutcome =
  { kind: 'ok'; moderator: Moderator } | { kind: 'wrong'; refusal?: CodeRefusal } | { kind: 'locked'; retryAfterSeconds: number; byClient: boolean };

/**
 * The sign-in rules (docs/security.md #15–#18, #21): password, then the second factor; throttling
 * per name (on the moderator row, or in Redis for names that are not moderators, so both lock alike)
 * and per client address; each outcome audited in the transaction that records it.
 *
 * Each try is taken from both allowances before the costly check (an argon2 hash, a TOTP code), in
 * one atomic step each (a conditional UPDATE of the row, a Redis script), and given back when it turns
 * out right: requests in parallel cannot all pass the check before any failure is counted, so no more
 * than the limit are ever checked (test/try-limits.e2e-spec.ts).
 */
@Injectable()
export class SignInService {
  private readonly totpBox: SealedBox;
  private readonly codesBox: SealedBox;
  /** A hash of nothing anyone knows: unknown names are checked against it, so they cost the same time. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    private readonly recoveryCodes: RecoveryCodesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.totpBox = new SealedBox(config.secretKey, 'totp');
    this.codesBox = new SealedBox(config.secretKey, 'recovery-codes');
    this.dummyHash = hashPassword(randomBytes(18).toString('base64url'));
  }

  sealTotpSecret(secret: string): string {
    return this.totpBox.seal(secret);
  }

  openTotpSecret(sealed: string): string {
    return this.totpBox.open(sealed);
  }

  /** New recovery codes wait in the session sealed, like an enrolment secret: Redis never holds them in the clear. */
  sealRecoveryCodes(codes: string[]): string {
    return this.codesBox.seal(JSON.stringify(codes));
  }

  openRecoveryCodes(sealed: string): string[] {
    return JSON.parse(this.codesBox.open(sealed)) as string[];
  }

  findModerator(id: string): Promise<Moderator | null> {
    return this.dataSource.getRepository(Moderator).findOneBy({ id });
  }

  /**
   * The first step. Unknown names, wrong passwords and disabled accounts all answer `wrong` after one
   * argon2 verification each, so neither the answer nor its timing tells which it was.
   */
  async checkPassword(rawName: unknown, rawPassword: unknown, ip: string): Promise<StepOutcome> {
    const name = typeof rawName === 'string' ? rawName.trim().toLowerCase().slice(0, 100) : '';
    const password = typeof rawPassword === 'string' ? rawPassword.slice(0, 1000) : '';
    const now = this.clock.now();
    // A name no moderator can have is not looked up: PostgreSQL refuses text with a NUL byte in a query
    // (a 500 before this check, found by npm run fuzz: docs/security.md #33). It still costs one verification below.
    const moderator = MODERATOR_NAME_PATTERN.test(name) ? await this.dataSource.getRepository(Moderator).findOneBy({ name }) : null;
    // Refused by the client limit, the name is not written anywhere (as before the name was looked at).
    const refused = await this.takeTry(moderator, name, ip, now, null);
    if (refused) return refused;
    const passwordRight = await verifyPassword(moderator?.passwordHash ?? (await this.dummyHash), password);
    if (moderator && passwordRight && !moderator.disabledAt) {
      await this.giveBackTry(moderator, ip);
      return { kind: 'ok', moderator };
    }
    await this.failed(moderator, moderator?.disabledAt && passwordRight ? 'disabled' : 'password', ip, now);
    return { kind: 'wrong' };
  }

  /** The second step for an enrolled moderator: a fresh code (never the last accepted step again). */
  async checkTotp(moderatorId: string, code: unknown, ip: string): Promise<StepOutcome> {
    const now = this.clock.now();
    const moderator = await this.findModerator(moderatorId);
    if (!moderator?.totpSecret || moderator.disabledAt) return { kind: 'wrong' };
    const refused = await this.takeTry(moderator, moderator.name, ip, now, moderator);
    if (refused) return refused;
    const secret = this.openTotpSecret(moderator.totpSecret);
    const step = await acceptedStep(secret, code, { now, afterStep: moderator.totpLastStep });
    // Take the step only if no other request took it (or a later one) meanwhile: two tabs cannot both use one code.
    if (step !== null && (await this.claimStep(moderator.id, step))) {
      await this.giveBackTry(moderator, ip);
      return { kind: 'ok', moderator: { ...moderator, totpLastStep: step } };
    }
    const refusal = step !== null ? 'used' : await refusalOf(secret, code, { now, afterStep: moderator.totpLastStep });
    await this.failed(moderator, 'totp', ip, now);
    const after = await this.findModerator(moderator.id);
    const lockedNow = after && this.lockOf(after, now);
    return lockedNow || { kind: 'wrong', refusal };
  }

  /**
   * The second step with a passkey instead of a code (docs/security.md #15): `check` verifies the
   * assertion (PasskeysService.verifyAssertion), counted against the same tries as a TOTP code.
   */
  async checkPasskey(moderatorId: string, ip: string, check: () => Promise<boolean>): Promise<StepOutcome> {
    const now = this.clock.now();
    const moderator = await this.findModerator(moderatorId);
    if (!moderator || moderator.disabledAt) return { kind: 'wrong' };
    const refused = await this.takeTry(moderator, moderator.name, ip, now, moderator);
    if (refused) return refused;
    if (await check()) {
      await this.giveBackTry(moderator, ip);
      return { kind: 'ok', moderator };
    }
    await this.failed(moderator, 'passkey', ip, now);
    const after = await this.findModerator(moderator.id);
    return (after && this.lockOf(after, now)) || { kind: 'wrong' };
  }

  /** A new password: the rules of passwords.ts, typed twice, and not the one it replaces. */
  async changePassword(moderatorId: string, password: unknown, confirmation: unknown, ip: string): Promise<string | null> {
    const next = typeof password === 'string' ? password : '';
    const problem = passwordProblem(next);
    if (problem) return problem;
    if (next !== confirmation) return 'the two passwords are not the same';
    const moderator = await this.findModerator(moderatorId);
    if (!moderator) return 'this sign-in has ended; please start again';
    if (await verifyPassword(moderator.passwordHash, next)) return 'the new password must differ from the old one';
    const passwordHash = await hashPassword(next);
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      await em.getRepository(Moderator).update({ id: moderator.id }, { passwordHash, mustChangePassword: false });
      await appendAudit(em, { at: now, actor: `moderator:${moderator.name}`, action: 'password_changed', ticketId: null, data: { ip } });
    });
    return null;
  }

  /**
   * Instead of a TOTP code, one of the moderator's recovery codes (docs/security.md #32). The try is
   * counted exactly as a TOTP code's (the same allowance, taken before the check, given back when
   * right), and the code is used up in the same transaction as its audit entry.
   */
  async checkRecoveryCode(moderatorId: string, code: unknown, ip: string): Promise<StepOutcome> {
    const now = this.clock.now();
    const moderator = await this.findModerator(moderatorId);
    if (!moderator?.totpSecret || moderator.disabledAt) return { kind: 'wrong' };
    const refused = await this.takeTry(moderator, moderator.name, ip, now, moderator);
    if (refused) return refused;
    const used = await this.transactions.run(async (em) => {
      if (!(await this.recoveryCodes.use(em, moderator.id, code, now))) return false;
      await appendAudit(em, { at: now, actor: `moderator:${moderator.name}`, action: 'recovery_code_used', ticketId: null, data: { ip } });
      return true;
    });
    if (used) {
      await this.giveBackTry(moderator, ip);
      return { kind: 'ok', moderator };
    }
    await this.failed(moderator, 'recovery_code', ip, now);
    const after = await this.findModerator(moderator.id);
    return (after && this.lockOf(after, now)) || { kind: 'wrong' };
  }

  /**
   * Confirms enrolment with a first code from the app, then stores the secret sealed and makes the
   * recovery codes, in one transaction; returns the codes (to be shown once), or null when the code is
   * wrong or a secret was stored meanwhile (another tab): enrolment never replaces a second factor.
   */
  async enrol(moderatorId: string, secret: string, code: unknown, ip: string): Promise<string[] | null> {
    const now = this.clock.now();
    const step = await acceptedStep(secret, code, { now });
    if (step === null) return null;
    const moderator = await this.findModerator(moderatorId);
    if (!moderator) return null;
    return this.transactions.run(async (em) => {
      const result = await em
        .getRepository(Moderator)
        .update({ id: moderator.id, totpSecret: IsNull() }, { totpSecret: this.sealTotpSecret(secret), totpEnrolledAt: now, totpLastStep: step });
      if (!result.affected) return null;
      const codes = await this.recoveryCodes.replace(em, moderator.id, now);
      await appendAudit(em, { at: now, actor: `moderator:${moderator.name}`, action: 'totp_enrolled', ticketId: null, data: { ip } });
      await appendAudit(em, {
        at: now,
        actor: `moderator:${moderator.name}`,
        action: 'recovery_codes_made',
        ticketId: null,
        data: { ip, count: codes.length, at: 'enrolment' },
      });
      return codes;
    });
  }

  /** A new set of recovery codes from the account page (after re-authentication): the old ones stop working. */
  async renewRecoveryCodes(moderatorId: string, ip: string): Promise<string[]> {
    const now = this.clock.now();
    const moderator = await this.findModerator(moderatorId);
    if (!moderator) throw new Error('no such moderator');
    return this.transactions.run(async (em) => {
      const codes = await this.recoveryCodes.replace(em, moderator.id, now);
      await appendAudit(em, {
        at: now,
        actor: `moderator:${moderator.name}`,
        action: 'recovery_codes_made',
        ticketId: null,
        data: { ip, count: codes.length, at: 'account_page' },
      });
      return codes;
    });
  }

  /** Both factors passed: the failure count starts again, and the sign-in is on record. */
  async signedIn(moderator: Moderator, ip: string, factor: SecondFactor): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      await em.getRepository(Moderator).update({ id: moderator.id }, { failedSignIns: 0, lockedUntil: null, lastSignedInAt: now });
      await appendAudit(em, {
        at: now,
        actor: `moderator:${moderator.name}`,
        action: 'signed_in',
        ticketId: null,
        data: { ip, role: moderator.role, second_factor: factor },
      });
    });
  }

  async signedOut(name: string, ip: string): Promise<void> {
    await this.transactions.run(async (em) => {
      await appendAudit(em, { at: this.clock.now(), actor: `moderator:${name}`, action: 'signed_out', ticketId: null, data: { ip } });
    });
  }

  private lockOf(moderator: Moderator, now: Date): StepOutcome | null {
    if (!moderator.lockedUntil || moderator.lockedUntil.getTime() <= now.getTime()) return null;
    return { kind: 'locked', retryAfterSeconds: Math.ceil((moderator.lockedUntil.getTime() - now.getTime()) / 1000), byClient: false };
  }

  private async claimStep(moderatorId: string, step: number): Promise<boolean> {
    const result = await this.transactions.run((em) =>
      em
        .getRepository(Moderator)
        .createQueryBuilder()
        .update()
        .set({ totpLastStep: step })
        .where('id = :id', { id: moderatorId })
        .andWhere('(totp_last_step IS NULL OR totp_last_step < :step)', { step })
        .execute(),
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Takes one try from the client's allowance (MAX_FAILED_SIGN_INS_PER_CLIENT per LOCK_MS) and then
   * from the name's (MAX_FAILED_SIGN_INS: on the moderator row, or a keyed hash in Redis for names that
   * are not moderators: the audit log is append-only, and what people type into the name field is
   * sometimes their password). Null: go ahead and check. Otherwise the refusal, audited; a try taken
   * from the client is given back when the name refuses, as a locked name never cost the client a try.
   * Without Redis the client and unknown-name limits are skipped (logged); the row's lock still holds.
   */
  private async takeTry(moderator: Moderator | null, name: string, ip: string, now: Date, clientAuditAs: Moderator | null): Promise<StepOutcome | null> {
    const client = await this.limiter.take(clientKey(ip), LOCK_MS, MAX_FAILED_SIGN_INS_PER_CLIENT);
    if (client && !client.taken) {
      await this.audit(clientAuditAs, 'client_limit', ip, now);
      return { kind: 'locked', retryAfterSeconds: retryAfterSeconds(client.msLeft), byClient: true };
    }
    const lock = moderator ? await this.takeModeratorTry(moderator.id, now) : await this.takeUnknownNameTry(name);
    if (!lock) return null;
    if (client) await this.limiter.giveBack(clientKey(ip));
    await this.audit(moderator, 'locked', ip, now);
    return lock;
  }

  /**
   * One conditional UPDATE counts the try on the row unless the name is locked or its tries are all
   * taken (by failures, or by checks still running); a lock that ran out starts the count again.
   */
  private async takeModeratorTry(moderatorId: string, now: Date): Promise<StepOutcome | null> {
    const result = await this.transactions.run((em) =>
      em
        .getRepository(Moderator)
        .createQueryBuilder()
        .update()
        .set({ failedSignIns: () => 'CASE WHEN locked_until IS NULL THEN failed_sign_ins + 1 ELSE 1 END', lockedUntil: null })
        .where('id = :id', { id: moderatorId })
        .andWhere('((locked_until IS NULL AND failed_sign_ins < :max) OR locked_until <= :now)', { max: MAX_FAILED_SIGN_INS, now })
        .execute(),
    );
    if ((result.affected ?? 0) > 0) return null;
    const row = await this.findModerator(moderatorId);
    // Not locked yet: the last tries are being checked right now; one of them will lock the name unless right.
    return (row && this.lockOf(row, now)) ?? { kind: 'locked', retryAfterSeconds: LOCK_MS / 1000, byClient: false };
  }

  /** Unknown names lock exactly like real ones, so a lock does not reveal that a name exists. */
  private async takeUnknownNameTry(name: string): Promise<StepOutcome | null> {
    if (!name) return null;
    const taken = await this.limiter.take(`signin:name:${this.keyedName(name)}`, LOCK_MS, MAX_FAILED_SIGN_INS, MAX_FAILED_SIGN_INS);
    return taken && !taken.taken ? { kind: 'locked', retryAfterSeconds: retryAfterSeconds(taken.msLeft), byClient: false } : null;
  }

  /** The try turned out right: it is not a failure, so it costs neither the name nor the client (as before). */
  private async giveBackTry(moderator: Moderator, ip: string): Promise<void> {
    await this.limiter.giveBack(clientKey(ip));
    await this.transactions.run((em) =>
      em
        .getRepository(Moderator)
        .createQueryBuilder()
        .update()
        .set({ failedSignIns: () => 'CASE WHEN failed_sign_ins > 0 THEN failed_sign_ins - 1 ELSE 0 END' })
        .where('id = :id', { id: moderator.id })
        .execute(),
    );
  }

  /**
   * The try (already counted by takeTry) was a failure: it is audited, and the failure that uses up
   * the name's last try locks it for LOCK_MS.
   */
  private async failed(moderator: Moderator | null, reason: SignInFailure, ip: string, now: Date): Promise<void> {
    if (!moderator) {
      await this.audit(null, reason, ip, now);
      return;
    }
    await this.transactions.run(async (em) => {
      const locks = await em
        .getRepository(Moderator)
        .createQueryBuilder()
        .update()
        .set({ lockedUntil: new Date(now.getTime() + LOCK_MS) })
        .where('id = :id', { id: moderator.id })
        .andWhere('locked_until IS NULL AND failed_sign_ins >= :max', { max: MAX_FAILED_SIGN_INS })
        .execute();
      await this.auditIn(em, moderator, reason, ip, now, (locks.affected ?? 0) > 0);
    });
  }

  private async audit(moderator: Moderator | null, reason: SignInFailure, ip: string, now: Date): Promise<void> {
    await this.transactions.run((em) => this.auditIn(em, moderator, reason, ip, now, false));
  }

  private auditIn(em: EntityManager, moderator: Moderator | null, reason: SignInFailure, ip: string, now: Date, lockedNow: boolean): Promise<void> {
    return appendAudit(em, {
      at: now,
      actor: moderator ? `moderator:${moderator.name}` : 'anonymous',
      action: 'sign_in_failed',
      ticketId: null,
      data: lockedNow ? { reason, ip, locked_until: new Date(now.getTime() + LOCK_MS).toISOString() } : { reason, ip },
    });
  }

  private keyedName(name: string): string {
    return createHmac('sha256', this.config.secretKey).update(`sign-in name\0${name}`).digest('hex').slice(0, 32);
  }
}

const clientKey = (ip: string): string => `signin:ip:${digest(ip)}`;

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
