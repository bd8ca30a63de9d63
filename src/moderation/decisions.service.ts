import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { StaffIdentity } from '../auth/staff-session.js';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { newSecretToken } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUniqueViolation, Transactions } from '../database/transactions.js';
import { Challenge } from '../evidence/challenge.entity.js';
import { ChallengesService } from '../evidence/challenges.service.js';
import { SCORING_CONFIG } from '../evidence/scoring-config.provider.js';
import { addressesToNotify, approvalPolicy, maySecondApprove, saysAddressesOnFileLost } from '../resets/approval-policy.js';
import { TicketState } from '../tickets/ticket-state.js';
import { heldBy, isRefusal, type ReauthFactor } from '../tickets/ticket-workflow.js';
import { refusalError, TicketWriter } from '../tickets/ticket-writer.service.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { moderatorActor } from '../tickets/ticket.types.js';
import type { ApproveDto, ChallengeDto, CocRecordDto, ReplyDto } from './dto/decision.dto.js';
import { composeReply, type ReplyKind, type ReplyTemplates } from './reply-templates.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { AccountRepository } from '../directory/account.repository.js';

export const REPLY_TEMPLATES = Symbol('REPLY_TEMPLATES');

const ANOTHER_RECOVERY = 'Another recovery of this account is already approved; only one may run at a time.';

/**
 * What a moderator decides on a ticket: ask for information, deny, approve (with four-eyes where the
 * policy wants it), notes, challenges, the Code of Conduct record. Each is a command to the ticket
 * workflow, applied in one transaction with its timeline, audit entries and mail. Re-authentication
 * happens before (DecisionsController), so nothing here trusts a stale sign-in.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly transactions: Transactions,
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
    private readonly challenges: ChallengesService,
    private readonly clock: Clock,
    @Inject(REPLY_TEMPLATES) private readonly templates: ReplyTemplates,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  replyTemplates(): ReplyTemplates {
    return this.templates;
  }

  /** A question to the requester: the ticket waits on them and its SLA clock stops until they answer. */
  async askForInformation(reference: string, staff: StaffIdentity, body: ReplyDto): Promise<void> {
    const text = this.reply('request_info', body);
    await this.writer.run(this.writer.byReference(reference), { type: 'ask', moderator: staff.name, message: text.text, template: text.templateId });
  }

  /**
   * A denial with its reason, sent to the requester. The holder of the ticket denies; a ticket waiting
   * for a second approval can be denied by a senior moderator instead of approved.
   */
  async deny(reference: string, staff: StaffIdentity, body: ReplyDto): Promise<void> {
    const text = this.reply('deny', body);
    await this.writer.run(this.writer.byReference(reference), (current) => {
      if (current.ticket?.state === TicketState.Approved) this.assertSecondApprover(staff);
      return { type: 'deny', moderator: staff.name, message: text.text, template: text.templateId };
    });
  }

  /** A note for the moderators only; any open or closed ticket. */
  async note(reference: string, staff: StaffIdentity, note: string): Promise<void> {
    await this.writer.run(this.writer.byReference(reference), { type: 'note', moderator: staff.name, message: note });
  }

  /** Sends a one-time code to an address on file, or starts a repository challenge the requester completes. */
  async challenge(reference: string, staff: StaffIdentity, body: ChallengeDto): Promise<void> {
    const actor = moderatorActor(staff.name);
    if (body.kind === 'email') {
      if (!body.address) throw DomainError.validation([{ field: 'address', reasons: ['address is required for an e-mail challenge'] }]);
      const ticket = await this.transactions.run(async (em) => this.held(em, reference, staff));
      await this.challenges.sendEmailChallenge(ticket.id, body.address, actor);
    } else {
      if (!body.repository) throw DomainError.validation([{ field: 'repository', reasons: ['repository is required for a repository challenge'] }]);
      await this.transactions.run(async (em) => this.challenges.startRepositoryChallenge(em, await this.held(em, reference, staff), body.repository, actor));
    }
  }

  /** Records a Code of Conduct acceptance given outside the form (for instance a reply by mail). */
  async recordCodeOfConduct(reference: string, staff: StaffIdentity, body: CocRecordDto): Promise<void> {
    const acceptedAt = new Date(body.accepted_at.length === 16 ? `${body.accepted_at}:00Z` : body.accepted_at);
    if (Number.isNaN(acceptedAt.getTime()) || acceptedAt > this.clock.now()) {
      throw DomainError.validation([{ field: 'accepted_at', reasons: ['accepted_at must be a time in the past'] }]);
    }
    await this.writer.run(this.writer.byReference(reference), {
      type: 'record_coc',
      moderator: staff.name,
      version: body.version,
      acceptedAt,
      method: body.method,
    });
  }

  /**
   * The first approval, by the moderator holding the ticket (re-authenticated just before). Refused
   * without a Code of Conduct record, without an account, or while another recovery of the account is
   * live. The policy decides whether a second senior moderator must approve too and how long the
   * cooling-off lasts; without a second approval the cooling-off starts at once. `factor`: the second
   * factor that re-authenticated the approver, written into the audit entry (docs/security.md #15).
   */
  async approve(reference: string, staff: StaffIdentity, body: ApproveDto, factor: ReauthFactor): Promise<{ needsSecond: boolean }> {
    try {
      return await this.transactions.run(async (em) => {
        const current = await this.writer.byReference(reference)(em);
        const ticket = current.ticket!;
        const placeholder = {
          type: 'approve' as const,
          moderator: staff.name,
          recoveryId: randomUUID(),
          resetAddress: body.reset_address,
          role: staff.role,
          overrideReason: body.override_reason ?? null,
          reauthenticatedWith: factor,
          needsSecond: false,
          coolingOffMs: 0,
          reasons: [],
          notify: [],
          stopToken: '',
        };
        // The workflow's own rules first (holder, Code of Conduct, account, the account's live recovery,
        // the assessment and an override's conditions), so their refusals come before the policy's. The
        // account's live recovery, if another ticket has one, is what decide checks "one at a time" against.
        const live = ticket.accountId ? await this.tickets.liveRecoveryOfAccount(ticket.accountId, em) : null;
        const probe = this.writer.decide(live ? { ...current, recovery: live } : current, placeholder);
        if (isRefusal(probe)) throw refusalError(probe);
        const account = await this.accounts.record(ticket.accountId, em);
        if (!account || !ticket.accountId) throw new DomainError(DomainErrorCode.Conflict, 'There is no account with this username: nothing to recover.');
        const passed = await em.find(Challenge, { where: { ticketId: ticket.id, state: 'passed' }, select: { kind: true, target: true } });
        const policy = approvalPolicy(
          {
            riskFlags: (ticket.riskFlags ?? '').trim().split(/\s+/).filter(Boolean),
            account,
            resetAddress: body.reset_address,
            requesterAddresses: [ticket.contactEmail, ...(ticket.claims.emailsStillRead ?? [])],
            emailProofs: passed.filter((c) => c.kind === 'email').map((c) => c.target),
            repositoryProof: passed.some((c) => c.kind === 'repository'),
            lostAccessToFile: saysAddressesOnFileLost(ticket.requestType),
          },
          this.config.resets,
          this.scoring,
        );
        if (!policy.ok) throw DomainError.validation([{ field: policy.field, reasons: [policy.reason] }]);
        const approved = await this.writer.execute(em, current, {
          ...placeholder,
          needsSecond: policy.needsSecond,
          coolingOffMs: policy.coolingOffMs,
          reasons: policy.reasons,
          notify: addressesToNotify(account, this.scoring, [body.reset_address]),
          stopToken: newSecretToken(),
        });
        // The workflow may add the second approval (an override), so its answer is the one to report.
        return { needsSecond: approved.recovery?.needsSecond ?? policy.needsSecond };
      });
    } catch (error) {
      // Two approvals of the same account at once: the unique index on active_key lets one win.
      if (isUniqueViolation(error)) throw new DomainError(DomainErrorCode.Conflict, ANOTHER_RECOVERY);
      throw error;
    }
  }

  /**
   * The second approval of a four-eyes recovery: a senior moderator other than the first approver.
   * Conditional on nobody having approved meanwhile, so of two seniors approving at once exactly one wins.
   */
  async secondApproval(reference: string, staff: StaffIdentity, factor: ReauthFactor): Promise<void> {
    this.assertSecondApprover(staff);
    await this.transactions.run(async (em) => {
      const current = await this.writer.byReference(reference)(em);
      const account = current.recovery ? await this.accounts.record(current.recovery.accountId, em) : null;
      const resetAddress = current.recovery?.resetAddress ?? '';
      await this.writer.execute(em, current, {
        type: 'second_approval',
        moderator: staff.name,
        reauthenticatedWith: factor,
        stopToken: newSecretToken(),
        notify: account ? addressesToNotify(account, this.scoring, [resetAddress]) : [resetAddress],
      });
    });
  }

  private reply(kind: ReplyKind, body: ReplyDto): { text: string; templateId: string } {
    const composed = composeReply(this.templates, kind, body.template, body.message);
    if ('problem' in composed) throw DomainError.validation([{ field: composed.problem.field, reasons: [composed.problem.reason] }]);
    return composed;
  }

  private async held(em: EntityManager, reference: string, staff: StaffIdentity): Promise<Ticket> {
    const ticket = await this.tickets.byReference(reference, em);
    if (!heldBy(ticket, staff.name)) {
      throw new DomainError(DomainErrorCode.Conflict, 'You do not hold this ticket (its lease may have run out); take it again from the queue.');
    }
    return ticket;
  }

  private assertSecondApprover(staff: StaffIdentity): void {
    if (!maySecondApprove(staff.role))
      throw new DomainError(DomainErrorCode.Conflict, 'Only a senior moderator can decide on a ticket waiting for a second approval.');
  }
}
