import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { isUniqueViolation, Transactions } from '../database/transactions.js';
import { TicketChanged } from '../tickets/ticket-changed.error.js';
import { isRefusal } from '../tickets/ticket-workflow.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { TicketRepository } from '../tickets/ticket.repository.js';

/**
 * The moderators' queue, as commands to the ticket workflow (src/tickets/ticket-workflow.ts): routing
 * after assessment, claims and their leases, release, lease expiry, reassign, escalate and reopen.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly transactions: Transactions,
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
  ) {}

  /**
   * After an assessment (same transaction): a new ticket goes to the moderators' queue, whatever the
   * account holds (unused recovery codes stay a risk flag for the moderator). A ticket already in the
   * queue only has its place refreshed; any other is left alone.
   */
  async routeInside(em: EntityManager, ticketId: string): Promise<void> {
    const ticket = await this.tickets.byId(ticketId, em);
    if (!ticket) return;
    const decision = this.writer.decide({ ticket, recovery: null }, { type: 'route' });
    if (!isRefusal(decision)) await this.writer.apply(em, decision);
  }

  /** Route a ticket whose assessment never came (the reconciler: an assessment must not hold a ticket back). */
  async route(ticketId: string): Promise<void> {
    await this.transactions.run((em) => this.routeInside(em, ticketId));
  }

  /** Starts the clock of an open ticket that never had one (tickets from before the SLA). */
  async startClock(ticketId: string): Promise<void> {
    await this.transactions.run(async (em) => {
      const ticket = await this.tickets.byId(ticketId, em);
      const decision = ticket && this.writer.decide({ ticket, recovery: null }, { type: 'start_clock' });
      if (decision && !isRefusal(decision)) await this.writer.apply(em, decision);
    });
  }

  /**
   * Records a claim popped from the dispatch queue. Conditional on the ticket still waiting and held by
   * nobody, so a stray job (or a second one) can never hand a ticket out twice. Null: not claimable.
   */
  async claim(ticketId: string, moderatorId: string): Promise<Ticket | null> {
    try {
      return await this.transactions.run(async (em) => {
        const ticket = await this.tickets.byId(ticketId, em);
        const decision = ticket && this.writer.decide({ ticket, recovery: null }, { type: 'claim', moderator: moderatorId });
        if (!decision || isRefusal(decision)) return null;
        await this.writer.apply(em, decision);
        return decision.ticket;
      });
    } catch (error) {
      if (error instanceof TicketChanged) return null;
      throw error;
    }
  }

  /** The moderator's page is open, or they acted: the lease runs again from now. */
  async renewLease(reference: string, moderatorId: string): Promise<Date> {
    const renewed = await this.writer.run(this.writer.byReference(reference), { type: 'renew_lease', moderator: moderatorId });
    return renewed.ticket.leaseExpiresAt!;
  }

  /** Gives the ticket back: it returns to its place in the queue. */
  async release(reference: string, moderatorId: string): Promise<void> {
    await this.writer.run(this.writer.byReference(reference), { type: 'release', moderator: moderatorId });
  }

  /** A lease timer fired: if the lease it was armed for really ran out, the ticket goes back. */
  async expireLease(ticketId: string): Promise<'expired' | 'renewed' | 'nothing'> {
    return this.transactions.run(async (em) => {
      const ticket = await this.tickets.byId(ticketId, em);
      const decision = ticket && this.writer.decide({ ticket, recovery: null }, { type: 'expire_lease' });
      if (!decision || isRefusal(decision)) return 'nothing';
      await this.writer.apply(em, decision);
      return decision.write.kind === 'none' ? 'renewed' : 'expired';
    });
  }

  /** Hands a ticket (held or waiting) to another moderator, with a fresh lease. */
  async reassign(reference: string, byModeratorId: string, toModeratorId: string): Promise<void> {
    await this.writer.run(this.writer.byReference(reference), { type: 'reassign', moderator: byModeratorId, to: toModeratorId });
  }

  /** Sends the ticket to a senior moderator: released, marked, and at the top of the queue. */
  async escalate(reference: string, moderatorId: string, reason: string): Promise<void> {
    await this.writer.run(this.writer.byReference(reference), { type: 'escalate', moderator: moderatorId, reason });
  }

  /**
   * Reopens a denied or unanswered ticket: a new decision cycle with the full decision budget counted
   * from the reopening (docs/reports.md); the first response is not measured again.
   */
  async reopen(reference: string, moderatorId: string, reason: string): Promise<void> {
    try {
      await this.writer.run(this.writer.byReference(reference), { type: 'reopen', moderator: moderatorId, reason });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(DomainErrorCode.Conflict, 'The same address has a newer open request for this account; work on that one.');
      }
      throw error;
    }
  }
}
