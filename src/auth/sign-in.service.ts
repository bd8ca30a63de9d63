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
import { Moderator } from './moderator.entity.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { acceptedStep, type CodeRefusal, refusalOf } from './totp.js';

/** Failed sign-ins (password or code) that lock a name, and for how long (OWASP: lock for a while, not for ever). */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MS = 15 * 60_000;
/** Failed sign-ins from one client address per LOCK_MS, whatever the names: slows spraying one password over many names. */
export const MAX_FAILED_SIGN_INS_PER_CLIENT = 20;

export type SignInFailure = 'password' | 'totp' | 'locked' | 'disabled' | 'client_limit';

export type StepOutcome =
  | { kind: 'ok'; moderator: Moderator }
  | { kind: 'wrong'; refusal?: CodeRefusal }
  | { kind: 'locked'; retryAfterSeconds: number; byClient: boolean };

/**
 * The sign-in rules (docs/security.md #15–#18, #21): password, then the second factor; throttling
 * per name (on the moderator row, or in Redis for names that are not moderators, so both lock alike)
 * and per client address; each outcome audited in the transaction that records it.
 */
@Injectable()
export class SignInService {
  private readonly totpBox: SealedBox;
  /** A hash of nothing anyone knows: unknown names are checked against it, so they cost the same time. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.totpBox = new SealedBox(config.secretKey, 'totp');
    this.dummyHash = hashPassword(randomBytes(18).toString('base64url'));
  }

  sealTotpSecret(secret: string): string {
    return this.totpBox.seal(secret);
  }

  openTotpSecret(sealed: string): string {
    return this.totpBox.open(sealed);
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
    const clientLock = await this.clientLocked(ip);
    if (clientLock) {
      await this.audit(null, 'client_limit', ip, now);
      return clientLock;
    }
    const moderator = name ? await this.dataSource.getRepository(Moderator).findOneBy({ name }) : null;
    const lock = moderator ? this.lockOf(moderator, now) : await this.unknownNameLock(name);
    if (lock) {
      await this.audit(moderator, 'locked', ip, now);
      return lock;
    }
    const passwordRight = await verifyPassword(moderator?.passwordHash ?? await this.dummyHash, password);
    if (moderator && passwordRight && !moderator.disabledAt) return { kind: 'ok', moderator };
    await this.failed(moderator, name, moderator?.disabledAt && passwordRight ? 'disabled' : 'password', ip, now);
    return { kind: 'wrong' };
  }

  /** The second step for an enrolled moderator: a fresh code (never the last accepted step again). */
  async checkTotp(moderatorId: string, code: unknown, ip: string): Promise<StepOutcome> {
    const now = this.clock.now();
    const moderator = await this.findModerator(moderatorId);
    if (!moderator?.totpSecret || moderator.disabledAt) return { kind: 'wrong' };
    const clientLock = await this.clientLocked(ip);
    if (clientLock) {
      await this.audit(moderator, 'client_limit', ip, now);
      return clientLock;
    }
    const lock = this.lockOf(moderator, now);
    if (lock) {
      await this.audit(moderator, 'locked', ip, now);
      return lock;
    }
    const secret = this.openTotpSecret(moderator.totpSecret);
    const step = await acceptedStep(secret, code, { now, afterStep: moderator.totpLastStep });
    // Take the step only if no other request took it (or a later one) meanwhile: two tabs cannot both use one code.
    if (step !== null && await this.claimStep(moderator.id, step)) return { kind: 'ok', moderator: { ...moderator, totpLastStep: step } };
    const refusal = step !== null ? 'used' : await refusalOf(secret, code, { now, afterStep: moderator.totpLastStep });
    await this.failed(moderator, moderator.name, 'totp', ip, now);
    const after = await this.findModerator(moderator.id);
    const lockedNow = after && this.lockOf(after, now);
    return lockedNow || { kind: 'wrong', refusal };
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
   * Confirms enrolment with a first code from the app, then stores the secret sealed. Refused if a
   * secret was stored meanwhile (another tab): enrolment never replaces a second factor.
   */
  async enrol(moderatorId: string, secret: string, code: unknown, ip: string): Promise<boolean> {
    const now = this.clock.now();
    const step = await acceptedStep(secret, code, { now });
    if (step === null) return false;
    const moderator = await this.findModerator(moderatorId);
    if (!moderator) return false;
    return this.transactions.run(async (em) => {
      const result = await em.getRepository(Moderator).update(
        { id: moderator.id, totpSecret: IsNull() },
        { totpSecret: this.sealTotpSecret(secret), totpEnrolledAt: now, totpLastStep: step },
      );
      if (!result.affected) return false;
      await appendAudit(em, { at: now, actor: `moderator:${moderator.name}`, action: 'totp_enrolled', ticketId: null, data: { ip } });
      return true;
    });
  }

  /** Both factors passed: the failure count starts again, and the sign-in is on record. */
  async signedIn(moderator: Moderator, ip: string): Promise<void> {
    const now = this.clock.now();
    await this.transactions.run(async (em) => {
      await em.getRepository(Moderator).update({ id: moderator.id }, { failedSignIns: 0, lockedUntil: null });
      await appendAudit(em, { at: now, actor: `moderator:${moderator.name}`, action: 'signed_in', ticketId: null, data: { ip, role: moderator.role } });
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
    const result = await this.transactions.run((em) => em.getRepository(Moderator).createQueryBuilder().update()
      .set({ totpLastStep: step })
      .where('id = :id', { id: moderatorId })
      .andWhere('(totp_last_step IS NULL OR totp_last_step < :step)', { step })
      .execute());
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts a failure against the name and the client, locking the name at MAX_FAILED_SIGN_INS, and
   * audits it. Names that are not moderators are not written anywhere but a keyed hash in Redis: the
   * audit log is append-only, and what people type into the name field is sometimes their password.
   */
  private async failed(moderator: Moderator | null, name: string, reason: SignInFailure, ip: string, now: Date): Promise<void> {
    await this.hit(`ip:${digest(ip)}`);
    if (!moderator) {
      if (name) await this.hit(`name:${this.keyedName(name)}`, MAX_FAILED_SIGN_INS);
      await this.audit(null, reason, ip, now);
      return;
    }
    await this.transactions.run(async (em) => {
      const repository = em.getRepository(Moderator);
      // A lock that ran out starts the count again.
      const expired = moderator.lockedUntil !== null && moderator.lockedUntil.getTime() <= now.getTime();
      if (expired) await repository.update({ id: moderator.id }, { failedSignIns: 0, lockedUntil: null });
      await repository.increment({ id: moderator.id }, 'failedSignIns', 1);
      const row = await repository.findOneByOrFail({ id: moderator.id });
      const locks = row.failedSignIns >= MAX_FAILED_SIGN_INS;
      if (locks) await repository.update({ id: moderator.id }, { lockedUntil: new Date(now.getTime() + LOCK_MS), failedSignIns: 0 });
      await this.auditIn(em, moderator, reason, ip, now, locks);
    });
  }

  private async audit(moderator: Moderator | null, reason: SignInFailure, ip: string, now: Date): Promise<void> {
    await this.transactions.run((em) => this.auditIn(em, moderator, reason, ip, now, false));
  }

  private auditIn(em: EntityManager, moderator: Moderator | null, reason: SignInFailure, ip: string, now: Date, lockedNow: boolean): Promise<void> {
    return appendAudit(em, {
      at: now, actor: moderator ? `moderator:${moderator.name}` : 'anonymous', action: 'sign_in_failed', ticketId: null,
      data: lockedNow ? { reason, ip, locked_until: new Date(now.getTime() + LOCK_MS).toISOString() } : { reason, ip },
    });
  }

  private keyedName(name: string): string {
    return createHmac('sha256', this.config.secretKey).update(`sign-in name\0${name}`).digest('hex').slice(0, 32);
  }

  private async hit(suffix: string, lockAt = 0): Promise<void> {
    await this.limiter.hit(`signin:${suffix}`, LOCK_MS, lockAt);
  }

  /** Per-client limit; skipped (logged) without Redis, where the per-name lock on the row still holds. */
  private async clientLocked(ip: string): Promise<StepOutcome | null> {
    const counted = await this.limiter.peek(`signin:ip:${digest(ip)}`);
    return counted && counted.count >= MAX_FAILED_SIGN_INS_PER_CLIENT
      ? { kind: 'locked', retryAfterSeconds: retryAfterSeconds(counted.msLeft), byClient: true } : null;
  }

  /** Unknown names lock exactly like real ones, so a lock does not reveal that a name exists. */
  private async unknownNameLock(name: string): Promise<StepOutcome | null> {
    if (!name) return null;
    const counted = await this.limiter.peek(`signin:name:${this.keyedName(name)}`);
    return counted && counted.count >= MAX_FAILED_SIGN_INS
      ? { kind: 'locked', retryAfterSeconds: retryAfterSeconds(counted.msLeft), byClient: false } : null;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
