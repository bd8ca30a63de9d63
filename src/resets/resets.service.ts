import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashPassword } from '../auth/passwords.js';
import { Clock } from '../common/clock.js';
import { pauseBeforeCommit } from '../common/test-pause.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { hashToken, newSecretToken } from '../common/tokens.js';
import { Transactions } from '../database/transactions.js';
import { Account } from '../directory/account.entity.js';
import { SCORING_CONFIG } from '../evidence/scoring-config.provider.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { DelayJob, OnJob } from '../jobs/job-handlers.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { RecoveryChanged } from '../tickets/ticket-changed.error.js';
import { isRefusal } from '../tickets/ticket-workflow.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { LIVE_RECOVERY_STATES } from '../tickets/ticket.types.js';
import { addressesToNotify } from './approval-policy.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { AccountRepository } from '../directory/account.repository.js';

/** A reset or stop link's token: 32 random bytes in base64url (docs/security.md #7). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type CoolingOffOutcome = { kind: 'sent' } | { kind: 'not_due'; at: Date } | { kind: 'nothing' };

/** What the stop and reset pages may show about a token, and nothing more. */
export type LinkState = 'valid' | 'used' | 'expired' | 'stopped' | 'unknown';

/**
 * Approved recoveries from the cooling-off to the used reset link (docs/architecture.md, `resets/`): the stop link
 * every address on file receives, the single-use reset link (only its SHA-256 is stored), and the page
 * that sets the new password. Moderators never see a token or a password (docs/security.md #14).
 */
@Injectable()
export class ResetsService {
  private readonly logger = new Logger(ResetsService.name);

  constructor(
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
    private readonly clock: Clock,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The cooling-off timer fired: send the reset link if the period really ended and nobody stopped it. */
  async coolingOffEnded(ticketId: string): Promise<CoolingOffOutcome> {
    return this.transactions.run(async (em): Promise<CoolingOffOutcome> => {
      const ticket = await this.tickets.byId(ticketId, em);
      if (!ticket) return { kind: 'nothing' };
      const decision = this.writer.decide(await this.tickets.aggregate(ticket, em), { type: 'end_cooling_off', resetToken: newSecretToken() });
      if (isRefusal(decision)) return decision.reason === 'not_due' && decision.at ? { kind: 'not_due', at: decision.at } : { kind: 'nothing' };
      // A lost conditional update throws: the job retries on a fresh read.
      await this.writer.apply(em, decision);
      await pauseBeforeCommit(this.config, 'reset-link', this.logger);
      return { kind: 'sent' };
    });
  }

  @OnJob(JobName.CoolingOffEnd)
  async coolingOffJob({ ticketId }: JobData[JobName.CoolingOffEnd]): Promise<unknown> {
    const outcome = await this.coolingOffEnded(ticketId);
    return outcome.kind === 'not_due' ? new DelayJob(outcome.at) : outcome.kind;
  }

  /** A new reset link (the older one stops working at once): for a link that expired or never arrived. */
  async reissue(reference: string, actor: string): Promise<void> {
    await this.writer.run(this.writer.byReference(reference), { type: 'reissue_link', actor, resetToken: newSecretToken() });
  }

  /** What a stop link leads to (the page shows a button; only the POST stops). */
  async stopLinkState(token: string): Promise<{ state: LinkState; username?: string }> {
    const recovery = TOKEN_PATTERN.test(token) ? await this.dataSource.getRepository(Recovery).findOneBy({ stopTokenHash: hashToken(token) }) : null;
    if (!recovery) return { state: 'unknown' };
    const ticket = await this.tickets.byId(recovery.ticketId);
    const state: LinkState = LIVE_RECOVERY_STATES.includes(recovery.state) ? 'valid' : recovery.state === 'completed' ? 'used' : 'stopped';
    return { state, username: ticket?.username };
  }

  /**
   * Someone reading an address on file stopped the recovery: no link goes out (a link already sent
   * stops working), the ticket closes as cancelled, and the requester is told.
   */
  async stop(token: string, ip: string): Promise<LinkState> {
    if (!TOKEN_PATTERN.test(token)) return 'unknown';
    return this.transactions.run(async (em): Promise<LinkState> => {
      const recovery = await em.findOneBy(Recovery, { stopTokenHash: hashToken(token) });
      if (!recovery) return 'unknown';
      if (!LIVE_RECOVERY_STATES.includes(recovery.state)) return recovery.state === 'completed' ? 'used' : 'stopped';
      const ticket = await this.tickets.byId(recovery.ticketId, em);
      if (!ticket) return 'unknown';
      await this.writer.execute(em, { ticket, recovery }, { type: 'stop', ip });
      return 'valid';
    });
  }

  /** What a reset link leads to. */
  async resetLinkState(token: string): Promise<{ state: LinkState; username?: string }> {
    const recovery = TOKEN_PATTERN.test(token) ? await this.dataSource.getRepository(Recovery).findOneBy({ resetTokenHash: hashToken(token) }) : null;
    if (!recovery) return { state: 'unknown' };
    const ticket = await this.tickets.byId(recovery.ticketId);
    return { state: this.resetState(recovery, this.clock.now()), username: ticket?.username };
  }

  /**
   * The requester sets the new password through the link: stored as argon2id in the directory; 2FA,
   * security keys and recovery codes are cleared as PyPI does; sessions older than now stop counting
   * (password_changed_at); the ticket completes and every address on file is told. No sign-in follows.
   */
  async redeem(
    token: string,
    password: unknown,
    confirmation: unknown,
    ip: string,
  ): Promise<{ ok: true } | { ok: false; state: LinkState } | { ok: false; field: string; reason: string }> {
    const before = await this.resetLinkState(token);
    if (before.state !== 'valid') return { ok: false, state: before.state };
    const next = typeof password === 'string' ? password : '';
    const problem = accountPasswordProblem(next, before.username ?? '');
    if (problem) return { ok: false, field: 'password', reason: problem };
    if (next !== confirmation) return { ok: false, field: 'confirmation', reason: 'confirmation must repeat the password exactly' };
    // argon2id at the staff passwords' costs (OWASP's first set), hashed before the transaction: it is slow.
    const passwordHash = await hashPassword(next);
    try {
      return await this.transactions.run(async (em) => {
        const recovery = await em.findOneBy(Recovery, { resetTokenHash: hashToken(token) });
        const state = recovery ? this.resetState(recovery, this.clock.now()) : 'unknown';
        if (!recovery || state !== 'valid') return { ok: false as const, state };
        const ticket = await this.tickets.byId(recovery.ticketId, em);
        if (!ticket) return { ok: false as const, state: 'unknown' as const };
        const account = await this.accounts.record(recovery.accountId, em);
        await this.writer.execute(
          em,
          { ticket, recovery },
          {
            type: 'complete',
            resetTokenHash: recovery.resetTokenHash!,
            ip,
            notify: account ? addressesToNotify(account, this.scoring, [recovery.resetAddress]) : [recovery.resetAddress],
          },
        );
        // As the package index does: 2FA, security keys and recovery codes are cleared with the new password.
        await em.update(
          Account,
          { id: recovery.accountId },
          {
            passwordHash,
            passwordChangedAt: this.clock.now(),
            totpEnabled: false,
            webauthnKeys: 0,
            recoveryCodesUnused: 0,
          },
        );
        return { ok: true as const };
      });
    } catch (error) {
      // Two submissions at once: the link's conditional update let the other one win.
      if (error instanceof RecoveryChanged) return { ok: false, state: 'used' };
      throw error;
    }
  }

  private resetState(recovery: Recovery, now: Date): LinkState {
    if (recovery.state === 'completed') return 'used';
    if (recovery.state !== 'link_sent') return 'stopped';
    return recovery.resetExpiresAt && recovery.resetExpiresAt > now ? 'valid' : 'expired';
  }
}

/** A package-index account password: 8 to 200 characters (NIST 800-63B), not the username. */
export function accountPasswordProblem(password: string, username: string): string | null {
  if (password.length < 8) return 'password needs at least 8 characters';
  if (password.length > 200) return 'password has at most 200 characters';
  if (username && password.trim().toLowerCase() === username.toLowerCase()) return 'password must not be the username';
  return null;
}
