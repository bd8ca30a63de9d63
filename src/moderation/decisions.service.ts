import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, IsNull } from 'typeorm';
import type { StaffIdentity } from '../auth/staff-session.js';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, isUniqueViolation, Transactions } from '../database/transactions.js';
import { loadAccountRecord } from '../evidence/account-lookup.js';
import { Challenge } from '../evidence/challenge.entity.js';
import { ChallengesService } from '../evidence/challenges.service.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import type { ScoringConfig } from '../evidence/scoring.config.js';
import { SCORING_CONFIG } from '../evidence/scoring-config.provider.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { approvalPolicy } from '../resets/approval-policy.js';
import { endLiveRecovery, liveRecovery } from '../resets/recovery-closing.js';
import { ResetsService } from '../resets/resets.service.js';
import { moderatorActor, ReviewService } from '../review-queue/review.service.js';
import { requestSync } from '../review-queue/sync-requests.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { updateTicketIfUnchanged } from '../tickets/ticket-updates.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { isOpen, TicketState } from '../tickets/ticket-state.js';
import type { ApproveDto, ChallengeDto, CocRecordDto, ReplyDto } from './dto/decision.dto.js';
import { composeReply, type ReplyKind, type ReplyTemplates } from './reply-templates.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { type TicketEventType } from '../tickets/ticket.types.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { maskEmail } from '../common/normalize.js';

export const REPLY_TEMPLATES = Symbol('REPLY_TEMPLATES');

/** Roles that may give the second approval of a four-eyes recovery. */
const SECOND_APPROVERS = new Set(['senior']);

/**
 * What a moderator decides on a ticket (issue 5): ask for information, deny, approve (with four-eyes
 * where the policy wants it), notes, challenges, the Code of Conduct record. Each runs in one
 * transaction that writes the ticket, its timeline, the audit log and the requester's mail together.
 * Re-authentication happens before (DecisionsController), so nothing here trusts a stale sign-in.
 * Decisions are counted in the metrics only once their transaction committed.
 */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly review: ReviewService,
    private readonly challenges: ChallengesService,
    private readonly resets: ResetsService,
    private readonly notifications: NotificationsService,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(REPLY_TEMPLATES) private readonly templates: ReplyTemplates,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsRegistry,
  ) {}

  replyTemplates(): ReplyTemplates {
    return this.templates;
  }

  /** A question to the requester: the ticket waits on them and its SLA clock stops until they answer. */
  async askForInformation(reference: string, staff: StaffIdentity, body: ReplyDto): Promise<void> {
    const text = this.reply('request_info', body);
    await this.run(async (em) => {
      const ticket = await this.heldBy(em, reference, staff);
      const now = this.clock.now();
      const { changes, stale } = this.review.waitOnRequester(ticket, now);
      await this.write(em, ticket, { ...changes, updatedAt: now });
      // The status page shows `message` as the question and takes the answer (StatusService.addMessage).
      await this.event(em, ticket, 'info_requested', staff, true, { message: text.text, template: text.templateId });
      await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.InfoRequested,
        { reference: ticket.reference, username: ticket.username, message: text.text });
      await requestSync(em, ticket.id, now, stale);
    });
    this.metrics.decided('info_requested');
  }

  /**
   * A denial with its reason, sent to the requester. The holder of the ticket denies; a ticket waiting
   * for a second approval can be denied by a senior moderator instead of approved.
   */
  async deny(reference: string, staff: StaffIdentity, body: ReplyDto): Promise<void> {
    const text = this.reply('deny', body);
    await this.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      if (ticket.state === TicketState.Approved) this.assertSecondApprover(staff);
      else this.assertHeld(ticket, staff);
      const now = this.clock.now();
      const { changes, stale } = this.review.closing(ticket, now, 'denied', moderatorActor(staff.name));
      await this.write(em, ticket, { ...changes, state: TicketState.Denied, openKey: null, closedAt: now, decidedAt: ticket.decidedAt ?? now, updatedAt: now });
      await endLiveRecovery(em, ticket.id, 'denied', 'denied', now);
      await this.event(em, ticket, 'denied', staff, true, { message: text.text, template: text.templateId, public_text: 'The request was denied.' });
      await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.DecisionDenied,
        { reference: ticket.reference, username: ticket.username, message: text.text });
      await requestSync(em, ticket.id, now, stale);
    });
    this.metrics.decided('denied');
  }

  /** A note for the moderators only; any open or closed ticket. */
  async note(reference: string, staff: StaffIdentity, note: string): Promise<void> {
    await this.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      await this.event(em, ticket, 'note', staff, false, { message: note });
    });
  }

  /** Sends a one-time code to an address on file, or starts a repository challenge the requester completes. */
  async challenge(reference: string, staff: StaffIdentity, body: ChallengeDto): Promise<void> {
    const actor = moderatorActor(staff.name);
    if (body.kind === 'email') {
      if (!body.address) throw DomainError.validation([{ field: 'address', reasons: ['address is required for an e-mail challenge'] }]);
      const ticket = await this.transactions.run(async (em) => this.heldBy(em, reference, staff));
      await this.challenges.sendEmailChallenge(ticket.id, body.address, actor);
    } else {
      if (!body.repository) throw DomainError.validation([{ field: 'repository', reasons: ['repository is required for a repository challenge'] }]);
      await this.transactions.run(async (em) => this.challenges.startRepositoryChallenge(em, await this.heldBy(em, reference, staff), body.repository, actor));
    }
    void this.relay.kick();
  }

  /** Records a Code of Conduct acceptance given outside the form (for instance a reply by mail). */
  async recordCodeOfConduct(reference: string, staff: StaffIdentity, body: CocRecordDto): Promise<void> {
    const acceptedAt = new Date(body.accepted_at.length === 16 ? `${body.accepted_at}:00Z` : body.accepted_at);
    const now = this.clock.now();
    if (Number.isNaN(acceptedAt.getTime()) || acceptedAt > now) {
      throw DomainError.validation([{ field: 'accepted_at', reasons: ['accepted_at must be a time in the past'] }]);
    }
    await this.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      if (!isOpen(ticket.state)) throw new DomainError(DomainErrorCode.Conflict, 'The ticket is closed.');
      if (ticket.cocAcceptedAt) throw new DomainError(DomainErrorCode.Conflict, 'A Code of Conduct acceptance is already on record for this ticket.');
      await this.write(em, ticket, {
        cocVersion: body.version, cocAcceptedAt: acceptedAt, cocMethod: body.method, cocRecordedBy: moderatorActor(staff.name), updatedAt: now,
      });
      await this.event(em, ticket, 'coc_recorded', staff, false, { version: body.version, accepted_at: acceptedAt.toISOString(), method: body.method });
    });
  }

  /**
   * The first approval, by the moderator holding the ticket (re-authenticated just before). Refused
   * without a Code of Conduct record, without an account, or while another recovery of the account is
   * live. The policy decides whether a second senior moderator must approve too and how long the
   * cooling-off lasts; without a second approval the cooling-off starts at once.
   */
  async approve(reference: string, staff: StaffIdentity, body: ApproveDto): Promise<{ needsSecond: boolean }> {
    try {
      const approved = await this.run(async (em) => {
        const ticket = await this.heldBy(em, reference, staff);
        if (!ticket.cocAcceptedAt) {
          throw new DomainError(DomainErrorCode.Conflict, 'The Code of Conduct acceptance is not on record: record how the requester accepted it first.');
        }
        const account = await loadAccountRecord(em, ticket.accountId);
        if (!account || !ticket.accountId) throw new DomainError(DomainErrorCode.Conflict, 'There is no account with this username: nothing to recover.');
        if (await em.findOneBy(Recovery, { activeKey: ticket.accountId })) {
          throw new DomainError(DomainErrorCode.Conflict, 'Another recovery of this account is already approved; only one may run at a time.');
        }
        const passed = await em.find(Challenge, { where: { ticketId: ticket.id, state: 'passed' }, select: { kind: true, target: true } });
        const policy = approvalPolicy({
          riskFlags: (ticket.riskFlags ?? '').trim().split(/\s+/).filter(Boolean), account, resetAddress: body.reset_address,
          requesterAddresses: [ticket.contactEmail, ...(ticket.claims.emailsStillRead ?? [])],
          emailProofs: passed.filter((c) => c.kind === 'email').map((c) => c.target),
          repositoryProof: passed.some((c) => c.kind === 'repository'),
        }, this.config.recovery, this.scoring);
        if (!policy.ok) throw DomainError.validation([{ field: policy.field, reasons: [policy.reason] }]);

        const now = this.clock.now();
        const recovery: Recovery = {
          id: randomUUID(), ticketId: ticket.id, accountId: ticket.accountId, activeKey: ticket.accountId, state: 'awaiting_second',
          resetAddress: body.reset_address, needsSecond: policy.needsSecond, firstApprover: staff.name, firstApprovedAt: now,
          secondApprover: null, secondApprovedAt: null, coolingOffMs: policy.coolingOffMs, coolingOffEndsAt: null, stopTokenHash: null,
          resetTokenHash: null, resetIssuedAt: null, resetExpiresAt: null, resetUsedAt: null, closedAt: null, closedReason: null, createdAt: now,
        };
        await insertRows(em, Recovery, recovery);
        const { changes, stale } = this.review.closing(ticket, now, 'approved', moderatorActor(staff.name));
        await this.event(em, ticket, 'approved', staff, true, {
          needs_second: policy.needsSecond, reasons: policy.reasons, reset_to: maskEmail(body.reset_address), cooling_off_ms: policy.coolingOffMs,
          public_text: policy.needsSecond ? 'A moderator approved the recovery; a second moderator must approve it too.' : 'A moderator approved the recovery.',
        });
        const cooling = policy.needsSecond ? { state: TicketState.Approved } : await this.resets.startCoolingOff(em, ticket, recovery, policy.coolingOffMs, now);
        await this.write(em, ticket, { ...changes, ...cooling, decidedAt: now, updatedAt: now });
        await requestSync(em, ticket.id, now, stale);
        return { needsSecond: policy.needsSecond };
      });
      this.metrics.decided('approved');
      return approved;
    } catch (error) {
      // Two approvals of the same account at once: the unique index on active_key lets one win.
      if (isUniqueViolation(error)) throw new DomainError(DomainErrorCode.Conflict, 'Another recovery of this account is already approved; only one may run at a time.');
      throw error;
    }
  }

  /**
   * The second approval of a four-eyes recovery: a senior moderator other than the first approver
   * (the database's CHECK refuses the same name too). Conditional on nobody having approved meanwhile,
   * so of two seniors approving at once exactly one wins.
   */
  async secondApproval(reference: string, staff: StaffIdentity): Promise<void> {
    this.assertSecondApprover(staff);
    await this.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      const recovery = ticket.state === TicketState.Approved ? await liveRecovery(em, ticket.id) : null;
      if (!recovery || recovery.state !== 'awaiting_second') throw new DomainError(DomainErrorCode.Conflict, 'This ticket is not waiting for a second approval.');
      if (recovery.firstApprover === staff.name) {
        throw new DomainError(DomainErrorCode.Conflict, 'The second approval must come from a different senior moderator than the first.');
      }
      const now = this.clock.now();
      const won = await em.update(Recovery, { id: recovery.id, state: 'awaiting_second', secondApprover: IsNull() }, { secondApprover: staff.name, secondApprovedAt: now });
      if (!won.affected) throw new DomainError(DomainErrorCode.Conflict, 'Another senior moderator approved this recovery meanwhile.');
      await this.event(em, ticket, 'second_approval', staff, true, { first: recovery.firstApprover, public_text: 'A second moderator approved the recovery.' });
      const cooling = await this.resets.startCoolingOff(em, ticket, { ...recovery, secondApprover: staff.name }, recovery.coolingOffMs, now);
      await this.write(em, ticket, { ...cooling, updatedAt: now });
      await requestSync(em, ticket.id, now);
    });
    this.metrics.decided('second_approval');
  }

  private reply(kind: ReplyKind, body: ReplyDto): { text: string; templateId: string } {
    const composed = composeReply(this.templates, kind, body.template, body.message);
    if ('problem' in composed) throw DomainError.validation([{ field: composed.problem.field, reasons: [composed.problem.reason] }]);
    return composed;
  }

  private async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.transactions.run(work);
    void this.relay.kick();
    return result;
  }

  private async byReference(em: EntityManager, reference: string): Promise<Ticket> {
    const ticket = await em.findOneBy(Ticket, { reference: reference.toUpperCase() });
    if (!ticket) throw DomainError.notFound();
    return ticket;
  }

  private async heldBy(em: EntityManager, reference: string, staff: StaffIdentity): Promise<Ticket> {
    const ticket = await this.byReference(em, reference);
    this.assertHeld(ticket, staff);
    return ticket;
  }

  private assertHeld(ticket: Ticket, staff: StaffIdentity): void {
    if (ticket.state !== TicketState.InReview || ticket.claimedBy !== moderatorActor(staff.name)) {
      throw new DomainError(DomainErrorCode.Conflict, 'You do not hold this ticket (its lease may have run out); take it again from the queue.');
    }
  }

  private assertSecondApprover(staff: StaffIdentity): void {
    if (!SECOND_APPROVERS.has(staff.role)) throw new DomainError(DomainErrorCode.Conflict, 'Only a senior moderator can decide on a ticket waiting for a second approval.');
  }

  private async write(em: EntityManager, ticket: Ticket, changes: Partial<Ticket>): Promise<void> {
    if (!(await updateTicketIfUnchanged(em, ticket, changes))) {
      throw new DomainError(DomainErrorCode.Conflict, 'The ticket changed meanwhile; please reload it.');
    }
  }

  private event(em: EntityManager, ticket: Ticket, type: TicketEventType, staff: StaffIdentity, isPublic: boolean, data: Record<string, unknown>): Promise<void> {
    return addTicketEvent(em, { ticketId: ticket.id, type, actor: moderatorActor(staff.name), public: isPublic, createdAt: this.clock.now(), data });
  }
}
