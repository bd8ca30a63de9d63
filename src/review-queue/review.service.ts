import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, isUniqueViolation, Transactions } from '../database/transactions.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { SlaService } from '../sla/sla.service.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { updateTicketIfUnchanged } from '../tickets/ticket-updates.js';
import { Ticket, TicketCycle } from '../tickets/ticket.entity.js';
import { canTransition, isOpen, TicketState } from '../tickets/ticket-state.js';
import { requestSync } from './sync-requests.js';
import { type Outcome, type TicketEventType } from '../tickets/ticket.types.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { leaseTimerId } from '../jobs/job.constants.js';

/** `moderator:<name>`: how a moderator appears on the timeline and in `claimed_by`. */
export const moderatorActor = (id: string): string => `moderator:${id}`;

type Change = Partial<Ticket>;

/**
 * The queue's transitions in SQL, the truth (DESIGN.md principles 1 and 4): routing after assessment,
 * claims and their leases, release, lease expiry, reassign, escalate, contest and reopen. Each writes
 * the timeline and asks for Redis to follow (a sync outbox row) in the same transaction.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly transactions: Transactions,
    private readonly sla: SlaService,
    private readonly notifications: NotificationsService,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsRegistry,
  ) {}

  /**
   * After an assessment (same transaction): a new ticket goes to the moderators' queue, or, when the
   * account still has unused recovery codes, to an answer that asks the requester to use one (which they
   * can contest). A ticket already routed only has its queue place refreshed (the fast lane may change).
   */
  async routeInside(em: EntityManager, ticketId: string): Promise<void> {
    const ticket = await em.findOneBy(Ticket, { id: ticketId });
    if (!ticket) return;
    const now = this.clock.now();
    if (ticket.state !== TicketState.Submitted) {
      if (ticket.state === TicketState.AwaitingReview) await requestSync(em, ticket.id, now);
      return;
    }
    const started = ticket.slaCycleStartedAt ? {} : this.sla.start(ticket);
    const withClock = { ...ticket, ...started };
    if ((ticket.riskFlags ?? '').includes(' unused_recovery_codes ')) {
      const { columns } = this.sla.step(withClock, 'pause', now);
      await this.write(em, ticket, { ...started, ...columns, state: TicketState.AwaitingRequester, updatedAt: now }, 'recovery_codes_answer', 'system', {}, true);
      await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.RecoveryCodesAnswer, { reference: ticket.reference, username: ticket.username });
    } else {
      await this.write(em, ticket, { ...started, state: TicketState.AwaitingReview, updatedAt: now }, 'routed', 'system', {});
    }
    await requestSync(em, ticket.id, now);
  }

  /** Route a ticket whose assessment never came (the reconciler: an assessment must not hold a ticket back). */
  async route(ticketId: string): Promise<void> {
    await this.transactions.run((em) => this.routeInside(em, ticketId));
    void this.relay.kick();
  }

  /** Starts the clock of an open ticket that never had one (tickets from before the SLA existed). */
  async startClock(ticketId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await em.findOneBy(Ticket, { id: ticketId });
      if (!ticket || ticket.slaCycleStartedAt) return;
      const now = this.clock.now();
      let columns: Change = this.sla.start(ticket);
      if (ticket.state === TicketState.AwaitingRequester) columns = { ...columns, ...this.sla.step({ ...ticket, ...columns }, 'pause', now).columns };
      await this.write(em, ticket, columns, 'sla_started', 'system', {});
      await requestSync(em, ticket.id, now);
    });
    void this.relay.kick();
  }

  /**
   * Records a claim popped from the dispatch queue. Conditional on the ticket still waiting and held by
   * nobody, so a stray job (or a second one) can never hand a ticket out twice. Null: not claimable.
   */
  async claim(ticketId: string, moderatorId: string): Promise<Ticket | null> {
    const claimed = await this.transactions.run(async (em) => {
      const ticket = await em.findOneBy(Ticket, { id: ticketId });
      if (!ticket || ticket.state !== TicketState.AwaitingReview || ticket.claimedBy !== null) return null;
      const now = this.clock.now();
      const actor = moderatorActor(moderatorId);
      // Picking the ticket up is the first response: the requester's page now says a moderator is on it.
      const sla = ticket.firstRespondedAt ? { columns: {}, stale: [] as string[] } : this.sla.step(ticket, 'respond', now);
      const changes: Change = {
        ...sla.columns, state: TicketState.InReview, claimedBy: actor, claimedAt: now,
        leaseExpiresAt: new Date(now.getTime() + this.config.review.leaseMs), updatedAt: now,
      };
      const won = await updateTicketIfUnchanged(em, ticket, changes);
      if (!won) return null;
      await this.event(em, ticket.id, 'claimed', actor, { lease_expires_at: changes.leaseExpiresAt!.toISOString() });
      await requestSync(em, ticket.id, now, sla.stale);
      return { ...ticket, ...changes } as Ticket;
    });
    if (claimed) {
      // Counted once committed: a claim that lost the race or rolled back never counts.
      this.metrics.claimed();
      void this.relay.kick();
    }
    return claimed;
  }

  /** The moderator's page is open, or they acted: the lease runs again from now. */
  async renewLease(reference: string, moderatorId: string): Promise<Date> {
    return this.transactions.run(async (em) => {
      const ticket = await this.heldBy(em, reference, moderatorId);
      const leaseExpiresAt = new Date(this.clock.now().getTime() + this.config.review.leaseMs);
      // The armed expiry timer wakes up at the old time, sees the longer lease and re-arms (principle 3).
      await updateTicketIfUnchanged(em, ticket, { leaseExpiresAt });
      return leaseExpiresAt;
    });
  }

  /** Gives the ticket back: it returns to its place in the queue. */
  async release(reference: string, moderatorId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await this.heldBy(em, reference, moderatorId);
      await this.putBack(em, ticket, 'released', moderatorActor(moderatorId), {});
    });
    void this.relay.kick();
  }

  /** A lease timer fired: if the lease it was armed for really ran out, the ticket goes back. */
  async expireLease(ticketId: string): Promise<'expired' | 'renewed' | 'nothing'> {
    const outcome = await this.transactions.run(async (em) => {
      const ticket = await em.findOneBy(Ticket, { id: ticketId });
      if (!ticket || ticket.state !== TicketState.InReview || !ticket.claimedBy || !ticket.leaseExpiresAt) return 'nothing' as const;
      if (ticket.leaseExpiresAt > this.clock.now()) {
        await requestSync(em, ticket.id, this.clock.now());
        return 'renewed' as const;
      }
      await this.putBack(em, ticket, 'lease_expired', 'system', { held_by: ticket.claimedBy });
      return 'expired' as const;
    });
    if (outcome !== 'nothing') void this.relay.kick();
    return outcome;
  }

  /** Hands a ticket (held or waiting) to another moderator, with a fresh lease. */
  async reassign(reference: string, byModeratorId: string, toModeratorId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      if (ticket.state !== TicketState.InReview && ticket.state !== TicketState.AwaitingReview) {
        throw new DomainError(DomainErrorCode.Conflict, `A ticket that is ${ticket.state.replace('_', ' ')} cannot be reassigned.`);
      }
      const now = this.clock.now();
      const to = moderatorActor(toModeratorId);
      const sla = ticket.firstRespondedAt ? { columns: {}, stale: [] as string[] } : this.sla.step(ticket, 'respond', now);
      const stale = [...sla.stale, ...(ticket.leaseExpiresAt ? [leaseTimerId(ticket.id, ticket.leaseExpiresAt)] : [])];
      await this.write(em, ticket, {
        ...sla.columns, state: TicketState.InReview, claimedBy: to, claimedAt: now,
        leaseExpiresAt: new Date(now.getTime() + this.config.review.leaseMs), updatedAt: now,
      }, 'reassigned', moderatorActor(byModeratorId), { from: ticket.claimedBy, to });
      await requestSync(em, ticket.id, now, stale);
    });
    void this.relay.kick();
  }

  /** Sends the ticket to a senior moderator: released, marked, and at the top of the queue. */
  async escalate(reference: string, moderatorId: string, reason: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await this.byReference(em, reference);
      if (ticket.state !== TicketState.InReview && ticket.state !== TicketState.AwaitingReview) {
        throw new DomainError(DomainErrorCode.Conflict, `A ticket that is ${ticket.state.replace('_', ' ')} cannot be escalated.`);
      }
      if (ticket.state === TicketState.InReview) {
        await this.putBack(em, ticket, 'escalated', moderatorActor(moderatorId), { reason }, { escalated: true });
      } else {
        await this.write(em, ticket, { escalated: true, updatedAt: this.clock.now() }, 'escalated', moderatorActor(moderatorId), { reason });
        await requestSync(em, ticket.id, this.clock.now());
      }
    });
    void this.relay.kick();
  }

  /**
   * Inside a requester's transaction (status page): they answered or contested the recovery-codes
   * answer, so the ticket waits for a moderator again and its clock runs. Returns the columns to write.
   */
  backToQueue(ticket: Ticket, now: Date): { changes: Change; stale: string[] } {
    const { columns, stale } = this.sla.step(ticket, 'resume', now);
    return { changes: { ...columns, state: TicketState.AwaitingReview }, stale };
  }

  /** Inside a moderator's transaction (a question to the requester): the clock pauses and the claim ends. */
  waitOnRequester(ticket: Ticket, now: Date): { changes: Change; stale: string[] } {
    const { columns, stale } = this.sla.step(ticket, 'pause', now);
    const lease = ticket.leaseExpiresAt ? [leaseTimerId(ticket.id, ticket.leaseExpiresAt)] : [];
    return {
      changes: { ...columns, state: TicketState.AwaitingRequester, claimedBy: null, claimedAt: null, leaseExpiresAt: null },
      stale: [...stale, ...lease],
    };
  }

  /**
   * Inside a closing transaction (withdrawn, decided): the clocks stop and any claim ends. A moderator's
   * decision (`by` their actor) records the outcome, who decided and how long they held the ticket; a
   * withdrawal or a closing without an answer records its outcome only if nothing was decided before
   * (withdrawing an approved recovery does not undo the approval in the reports).
   */
  closing(ticket: Ticket, now: Date, outcome: Outcome, by: string | null = null): { changes: Change; stale: string[] } {
    const { columns, stale } = this.sla.step(ticket, 'decide', now);
    const lease = ticket.leaseExpiresAt ? [leaseTimerId(ticket.id, ticket.leaseExpiresAt)] : [];
    const decision: Change = outcome === 'approved' || outcome === 'denied'
      ? { outcome, decidedBy: by, handlingMs: ticket.claimedAt ? now.getTime() - ticket.claimedAt.getTime() : null }
      : ticket.outcome ? {} : { outcome, decidedBy: null, handlingMs: null };
    return { changes: { ...columns, ...decision, claimedBy: null, claimedAt: null, leaseExpiresAt: null }, stale: [...stale, ...lease] };
  }

  /**
   * Reopens a denied or unanswered ticket. Rule (docs: README, "SLA"): a reopened ticket starts a new
   * decision cycle with the full decision budget counted from the reopening; first response is not
   * measured again; pauses of earlier cycles no longer count.
   */
  async reopen(reference: string, moderatorId: string, reason: string): Promise<void> {
    try {
      await this.transactions.run(async (em) => {
        const ticket = await this.byReference(em, reference);
        if (isOpen(ticket.state) || !canTransition(ticket.state, TicketState.AwaitingReview)) {
          throw new DomainError(DomainErrorCode.Conflict, 'Only a denied ticket or one closed without an answer can be reopened.');
        }
        const now = this.clock.now();
        const { columns, stale } = this.sla.step(ticket, 'reopen', now);
        // The ended cycle, for reports: the ticket's own columns now describe the new one.
        await insertRows(em, TicketCycle, {
          ticketId: ticket.id, cycle: ticket.slaCycle, requestType: ticket.requestType,
          startedAt: ticket.slaCycleStartedAt ?? ticket.createdAt, decidedAt: ticket.slaDecidedAt, decisionMs: ticket.slaDecisionMs,
          decisionMet: ticket.slaDecisionMet, outcome: ticket.outcome, decidedBy: ticket.decidedBy, handlingMs: ticket.handlingMs,
          closedAt: ticket.closedAt, reopenedAt: now,
        });
        await this.write(em, ticket, {
          ...columns, state: TicketState.AwaitingReview, openKey: `${ticket.usernameKey}|${ticket.contactEmail}`,
          closedAt: null, decidedAt: null, outcome: null, decidedBy: null, handlingMs: null, updatedAt: now,
        }, 'reopened', moderatorActor(moderatorId), { reason, cycle: columns.slaCycle });
        await requestSync(em, ticket.id, now, stale);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(DomainErrorCode.Conflict, 'The same address has a newer open request for this account; work on that one.');
      }
      throw error;
    }
    void this.relay.kick();
  }

  private async putBack(em: EntityManager, ticket: Ticket, type: TicketEventType, actor: string, data: Record<string, unknown>, extra: Change = {}): Promise<void> {
    const now = this.clock.now();
    const stale = ticket.leaseExpiresAt ? [leaseTimerId(ticket.id, ticket.leaseExpiresAt)] : [];
    await this.write(em, ticket, {
      ...extra, state: TicketState.AwaitingReview, claimedBy: null, claimedAt: null, leaseExpiresAt: null, updatedAt: now,
    }, type, actor, data);
    await requestSync(em, ticket.id, now, stale);
  }

  private async byReference(em: EntityManager, reference: string): Promise<Ticket> {
    const ticket = await em.findOneBy(Ticket, { reference: reference.toUpperCase() });
    if (!ticket) throw DomainError.notFound();
    return ticket;
  }

  private async heldBy(em: EntityManager, reference: string, moderatorId: string): Promise<Ticket> {
    const ticket = await this.byReference(em, reference);
    if (ticket.state !== TicketState.InReview || ticket.claimedBy !== moderatorActor(moderatorId)) {
      throw new DomainError(DomainErrorCode.Conflict, 'You do not hold this ticket (its lease may have run out); take it again from the queue.');
    }
    return ticket;
  }

  private async write(em: EntityManager, ticket: Ticket, changes: Change, type: TicketEventType, actor: string, data: Record<string, unknown>, isPublic = false): Promise<void> {
    if (!(await updateTicketIfUnchanged(em, ticket, changes))) {
      throw new DomainError(DomainErrorCode.Conflict, 'The ticket changed meanwhile; please reload it.');
    }
    await this.event(em, ticket.id, type, actor, data, isPublic);
  }

  private async event(em: EntityManager, ticketId: string, type: TicketEventType, actor: string, data: Record<string, unknown>, isPublic = false): Promise<void> {
    await addTicketEvent(em, { ticketId, type, actor, public: isPublic, createdAt: this.clock.now(), data });
  }
}
