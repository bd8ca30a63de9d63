import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { hashPassword } from '../auth/passwords.js';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { hashToken, newSecretToken } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { Account } from '../directory/account.entity.js';
import { loadAccountRecord } from '../evidence/account-lookup.js';
import type { ScoringConfig } from '../evidence/scoring.config.js';
import { SCORING_CONFIG } from '../evidence/scoring-config.provider.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { requestSync } from '../review-queue/sync-requests.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { updateTicketIfUnchanged } from '../tickets/ticket-updates.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { TicketState } from '../tickets/ticket-state.js';
import { addressesToNotify } from './approval-policy.js';
import { closeRecovery, liveRecovery } from './recovery-closing.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { LIVE_RECOVERY_STATES, type TicketEventType } from '../tickets/ticket.types.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { maskEmail } from '../common/normalize.js';

/** A reset or stop link's token: 32 random bytes in base64url (SECURITY.md #7). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type CoolingOffOutcome = { kind: 'sent' } | { kind: 'not_due'; at: Date } | { kind: 'nothing' };

/** What the stop and reset pages may show about a token, and nothing more. */
export type LinkState = 'valid' | 'used' | 'expired' | 'stopped' | 'unknown';

/**
 * Approved recoveries from the cooling-off to the used reset link (DESIGN.md, `resets/`): the stop link
 * every address on file receives, the single-use reset link (only its SHA-256 is stored), and the page
 * that sets the new password. Moderators never see a token or a password (SECURITY.md #14).
 */
@Injectable()
export class ResetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsService,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
  ) {}

  /**
   * Inside the transaction of the (last) approval: the ticket cools off. Every current address on file
   * (and the reset address) is told, with a link to stop the recovery; the requester learns when the
   * reset link will come. Returns the ticket columns to write.
   */
  async startCoolingOff(em: EntityManager, ticket: Ticket, recovery: Recovery, coolingOffMs: number, now: Date): Promise<Partial<Ticket>> {
    const endsAt = new Date(now.getTime() + coolingOffMs);
    const stopToken = newSecretToken();
    const done = await em.update(Recovery, { id: recovery.id, state: recovery.state }, {
      state: 'cooling_off', coolingOffEndsAt: endsAt, stopTokenHash: hashToken(stopToken),
    });
    if (!done.affected) throw new DomainError(DomainErrorCode.Conflict, 'The recovery changed meanwhile; please reload the ticket.');
    const account = await loadAccountRecord(em, recovery.accountId);
    const stopUrl = `${this.config.publicBaseUrl}/recovery/stop/${stopToken}`;
    const context = { reference: ticket.reference, username: ticket.username, coolingOffEnds: utc(endsAt), stopUrl, contact: this.config.review.opsEmail };
    const notified = account ? addressesToNotify(account, this.scoring, [recovery.resetAddress]) : [recovery.resetAddress];
    for (const address of notified) await this.notifications.queueMail(em, address, MailTemplate.RecoveryNotice, context);
    await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.RecoveryApproved, {
      reference: ticket.reference, username: ticket.username, coolingOffEnds: utc(endsAt), linkHours: this.linkHours(),
    });
    await this.event(em, ticket.id, 'cooling_off_started', 'system', now, {
      ends_at: endsAt.toISOString(), notified: notified.length,
      public_text: `Approved. Every address on the account was told; the reset link follows after ${utc(endsAt)} (UTC).`,
    });
    return { state: TicketState.CoolingOff, coolingOffEndsAt: endsAt };
  }

  /** The cooling-off timer fired: send the reset link if the period really ended and nobody stopped it. */
  async coolingOffEnded(ticketId: string): Promise<CoolingOffOutcome> {
    const outcome = await this.transactions.run(async (em): Promise<CoolingOffOutcome> => {
      const ticket = await em.findOneBy(Ticket, { id: ticketId });
      if (!ticket || ticket.state !== TicketState.CoolingOff || !ticket.coolingOffEndsAt) return { kind: 'nothing' };
      const now = this.clock.now();
      if (ticket.coolingOffEndsAt > now) return { kind: 'not_due', at: ticket.coolingOffEndsAt };
      const recovery = await liveRecovery(em, ticket.id);
      if (!recovery || recovery.state !== 'cooling_off') return { kind: 'nothing' };
      await this.sendLink(em, ticket, recovery, now, 'reset_link_sent', 'system');
      if (!(await updateTicketIfUnchanged(em, ticket, { state: TicketState.ResetIssued, coolingOffEndsAt: null, updatedAt: now }))) {
        throw new DomainError(DomainErrorCode.Conflict, 'ticket changed meanwhile'); // the job retries on a fresh read
      }
      await requestSync(em, ticket.id, now);
      return { kind: 'sent' };
    });
    if (outcome.kind === 'sent') void this.relay.kick();
    return outcome;
  }

  /** A new reset link (the older one stops working at once): for a link that expired or never arrived. */
  async reissue(reference: string, actor: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await em.findOneBy(Ticket, { reference: reference.toUpperCase() });
      if (!ticket) throw DomainError.notFound();
      const recovery = ticket.state === TicketState.ResetIssued ? await liveRecovery(em, ticket.id) : null;
      if (!recovery || recovery.state !== 'link_sent') {
        throw new DomainError(DomainErrorCode.Conflict, 'Only a ticket whose reset link was sent and not yet used can get a new one.');
      }
      const now = this.clock.now();
      await this.sendLink(em, ticket, recovery, now, 'reset_link_reissued', actor);
      await updateTicketIfUnchanged(em, ticket, { updatedAt: now });
    });
    void this.relay.kick();
  }

  /** What a stop link leads to (the page shows a button; only the POST stops). */
  async stopLinkState(token: string): Promise<{ state: LinkState; username?: string }> {
    const recovery = TOKEN_PATTERN.test(token) ? await this.dataSource.getRepository(Recovery).findOneBy({ stopTokenHash: hashToken(token) }) : null;
    if (!recovery) return { state: 'unknown' };
    const ticket = await this.dataSource.getRepository(Ticket).findOneBy({ id: recovery.ticketId });
    const state: LinkState = LIVE_RECOVERY_STATES.includes(recovery.state) ? 'valid' : recovery.state === 'completed' ? 'used' : 'stopped';
    return { state, username: ticket?.username };
  }

  /**
   * Someone reading an address on file stopped the recovery: no link goes out (a link already sent
   * stops working), the ticket closes as cancelled, and the requester is told.
   */
  async stop(token: string, ip: string): Promise<LinkState> {
    if (!TOKEN_PATTERN.test(token)) return 'unknown';
    const outcome = await this.transactions.run(async (em): Promise<LinkState> => {
      const recovery = await em.findOneBy(Recovery, { stopTokenHash: hashToken(token) });
      if (!recovery) return 'unknown';
      if (!LIVE_RECOVERY_STATES.includes(recovery.state)) return recovery.state === 'completed' ? 'used' : 'stopped';
      const ticket = await em.findOneBy(Ticket, { id: recovery.ticketId });
      if (!ticket) return 'unknown';
      const now = this.clock.now();
      await closeRecovery(em, recovery, 'cancelled', 'stopped_from_address_on_file', now);
      if (!(await updateTicketIfUnchanged(em, ticket, {
        state: TicketState.Cancelled, openKey: null, closedAt: now, coolingOffEndsAt: null, updatedAt: now,
      }))) throw new DomainError(DomainErrorCode.Conflict, 'The request changed meanwhile; please try the link again.');
      await addTicketEvent(em, {
        ticketId: ticket.id, type: 'recovery_stopped', actor: 'account_owner', public: true, createdAt: now,
        data: { public_text: 'The recovery was stopped from an address on the account. No reset link will be sent.' },
      }, ip);
      await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.RecoveryStopped, { reference: ticket.reference, username: ticket.username });
      await requestSync(em, ticket.id, now);
      return 'valid';
    });
    if (outcome === 'valid') void this.relay.kick();
    return outcome;
  }

  /** What a reset link leads to. */
  async resetLinkState(token: string): Promise<{ state: LinkState; username?: string }> {
    const recovery = TOKEN_PATTERN.test(token) ? await this.dataSource.getRepository(Recovery).findOneBy({ resetTokenHash: hashToken(token) }) : null;
    if (!recovery) return { state: 'unknown' };
    const ticket = await this.dataSource.getRepository(Ticket).findOneBy({ id: recovery.ticketId });
    return { state: this.resetState(recovery, this.clock.now()), username: ticket?.username };
  }

  /**
   * The requester sets the new password through the link: stored as argon2id in the directory; 2FA,
   * security keys and recovery codes are cleared as PyPI does; sessions older than now stop counting
   * (password_changed_at); the ticket completes and every address on file is told. No sign-in follows.
   */
  async redeem(token: string, password: unknown, confirmation: unknown, ip: string): Promise<{ ok: true } | { ok: false; state: LinkState } | { ok: false; field: string; reason: string }> {
    const before = await this.resetLinkState(token);
    if (before.state !== 'valid') return { ok: false, state: before.state };
    const next = typeof password === 'string' ? password : '';
    const problem = accountPasswordProblem(next, before.username ?? '');
    if (problem) return { ok: false, field: 'password', reason: problem };
    if (next !== confirmation) return { ok: false, field: 'confirmation', reason: 'confirmation must repeat the password exactly' };
    // argon2id at the staff passwords' costs (OWASP's first set), hashed before the transaction: it is slow.
    const passwordHash = await hashPassword(next);
    const outcome = await this.transactions.run(async (em) => {
      const recovery = await em.findOneBy(Recovery, { resetTokenHash: hashToken(token) });
      const now = this.clock.now();
      const state = recovery ? this.resetState(recovery, now) : 'unknown';
      if (!recovery || state !== 'valid') return { ok: false as const, state };
      // Conditional on the link still unused: two submissions at once cannot both set a password.
      const used = await em.update(Recovery, { id: recovery.id, state: 'link_sent', resetTokenHash: recovery.resetTokenHash! }, {
        state: 'completed', resetUsedAt: now, activeKey: null, closedAt: now, closedReason: 'password_set',
      });
      if (!used.affected) return { ok: false as const, state: 'used' as const };
      await em.update(Account, { id: recovery.accountId }, {
        passwordHash, passwordChangedAt: now, totpEnabled: false, webauthnKeys: 0, recoveryCodesUnused: 0,
      });
      const ticket = await em.findOneByOrFail(Ticket, { id: recovery.ticketId });
      if (!(await updateTicketIfUnchanged(em, ticket, { state: TicketState.Completed, openKey: null, closedAt: now, updatedAt: now }))) {
        throw new DomainError(DomainErrorCode.Conflict, 'The request changed meanwhile; please try the link again.');
      }
      await addTicketEvent(em, {
        ticketId: ticket.id, type: 'reset_completed', actor: 'requester', public: true, createdAt: now,
        data: { public_text: 'A new password was set. Two-factor authentication and recovery codes were removed: add them again after you sign in.' },
      }, ip);
      const account = await loadAccountRecord(em, recovery.accountId);
      const context = { reference: ticket.reference, username: ticket.username, contact: this.config.review.opsEmail };
      for (const address of account ? addressesToNotify(account, this.scoring, [recovery.resetAddress]) : [recovery.resetAddress]) {
        await this.notifications.queueMail(em, address, MailTemplate.RecoveryCompleted, context);
      }
      await requestSync(em, ticket.id, now);
      return { ok: true as const };
    });
    if (outcome.ok) void this.relay.kick();
    return outcome;
  }

  private async sendLink(em: EntityManager, ticket: Ticket, recovery: Recovery, now: Date, type: TicketEventType, actor: string): Promise<void> {
    const token = newSecretToken();
    const expiresAt = new Date(now.getTime() + this.config.recovery.resetLinkTtlMs);
    const done = await em.update(Recovery, { id: recovery.id, state: recovery.state }, {
      state: 'link_sent', resetTokenHash: hashToken(token), resetIssuedAt: now, resetExpiresAt: expiresAt,
    });
    if (!done.affected) throw new DomainError(DomainErrorCode.Conflict, 'The recovery changed meanwhile; please reload.');
    await this.notifications.queueMail(em, recovery.resetAddress, MailTemplate.ResetLink, {
      reference: ticket.reference, username: ticket.username, resetUrl: `${this.config.publicBaseUrl}/reset/${token}`, linkHours: this.linkHours(),
    });
    await this.event(em, ticket.id, type, actor, now, {
      to: maskEmail(recovery.resetAddress), expires_at: expiresAt.toISOString(),
      public_text: `The reset link was sent to the address verified with you. It works once, until ${utc(expiresAt)} (UTC).`,
    });
  }

  private resetState(recovery: Recovery, now: Date): LinkState {
    if (recovery.state === 'completed') return 'used';
    if (recovery.state !== 'link_sent') return 'stopped';
    return recovery.resetExpiresAt && recovery.resetExpiresAt > now ? 'valid' : 'expired';
  }

  private linkHours(): number {
    return Math.round(this.config.recovery.resetLinkTtlMs / 3_600_000 * 10) / 10;
  }

  private event(em: EntityManager, ticketId: string, type: TicketEventType, actor: string, now: Date, data: Record<string, unknown>): Promise<void> {
    return addTicketEvent(em, { ticketId, type, actor, public: true, createdAt: now, data });
  }
}

/** `2026-11-25 14:00`: deadlines in mail and on the status page, always UTC. */
function utc(at: Date): string {
  return at.toISOString().slice(0, 16).replace('T', ' ');
}

/** A package-index account password: 8 to 200 characters (NIST 800-63B), not the username. */
export function accountPasswordProblem(password: string, username: string): string | null {
  if (password.length < 8) return 'password needs at least 8 characters';
  if (password.length > 200) return 'password has at most 200 characters';
  if (username && password.trim().toLowerCase() === username.toLowerCase()) return 'password must not be the username';
  return null;
}
