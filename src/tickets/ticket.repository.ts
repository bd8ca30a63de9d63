import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { DomainError } from '../common/domain.exception.js';
import { REFERENCE_PATTERN } from '../common/tokens.js';
import { Recovery } from './recovery.entity.js';
import type { TicketAggregate } from './ticket-workflow.js';
import { Ticket } from './ticket.entity.js';
import { LIVE_RECOVERY_STATES, type Band, type Recommendation } from './ticket.types.js';

/** The latest assessment's summary, as the queue lists and filters it. */
export interface AssessmentSummary {
  score: number;
  band: Band;
  recommendation: Recommendation;
  riskFlags: readonly string[];
  ruleVersion: string;
  assessedAt: Date;
}

/**
 * Reading tickets, in one place: by reference (what people type and links carry), by id (what jobs
 * carry), with their live recovery (what the workflow decides on). Pass the transaction's manager when
 * inside one: a read through another connection could wait on a full pool.
 */
@Injectable()
export class TicketRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The ticket with this reference (any case); null for a malformed or unknown one. */
  findByReference(reference: string, em: EntityManager = this.dataSource.manager): Promise<Ticket | null> {
    return REFERENCE_PATTERN.test(reference) ? em.findOneBy(Ticket, { reference: reference.toUpperCase() }) : Promise.resolve(null);
  }

  /** The same, where a missing ticket is a not-found answer. */
  async byReference(reference: string, em: EntityManager = this.dataSource.manager): Promise<Ticket> {
    const ticket = await this.findByReference(reference, em);
    if (!ticket) throw DomainError.notFound();
    return ticket;
  }

  /**
   * The open ticket holding this open key (username and contact address), if any. Inside a PostgreSQL
   * transaction the row is locked (FOR UPDATE): concurrent follow-ups of one ticket then wait for each
   * other and read the committed version, instead of all but one failing the version check. SQLite runs
   * one writing transaction at a time, so it needs no row lock.
   */
  openByKey(openKey: string, em: EntityManager): Promise<Ticket | null> {
    const locks = em.connection.options.type === 'postgres' && em.queryRunner?.isTransactionActive === true;
    return em.findOne(Ticket, { where: { openKey }, ...(locks ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  byId(id: string, em: EntityManager = this.dataSource.manager): Promise<Ticket | null> {
    return em.findOneBy(Ticket, { id });
  }

  /** The ticket's live recovery (approved and not yet completed, stopped or denied), if any. */
  liveRecovery(ticketId: string, em: EntityManager = this.dataSource.manager): Promise<Recovery | null> {
    return em.findOne(Recovery, { where: { ticketId, state: In([...LIVE_RECOVERY_STATES]) } });
  }

  /** The account's live recovery, whichever ticket it belongs to (only one may run per account). */
  liveRecoveryOfAccount(accountId: string, em: EntityManager = this.dataSource.manager): Promise<Recovery | null> {
    return em.findOneBy(Recovery, { activeKey: accountId });
  }

  async aggregate(ticket: Ticket, em: EntityManager = this.dataSource.manager): Promise<TicketAggregate> {
    return { ticket, recovery: await this.liveRecovery(ticket.id, em) };
  }

  /**
   * The assessment's summary on the ticket: derived data, so the version is left alone and a background
   * re-score never makes a requester's or a moderator's concurrent action fail.
   */
  async recordAssessment(em: EntityManager, ticketId: string, summary: AssessmentSummary): Promise<void> {
    await em
      .createQueryBuilder()
      .update(Ticket)
      .set({
        score: summary.score,
        band: summary.band,
        recommendation: summary.recommendation,
        riskFlags: summary.riskFlags.length ? ` ${summary.riskFlags.join(' ')} ` : ' ',
        ruleVersion: summary.ruleVersion,
        assessedAt: summary.assessedAt,
        version: () => '"version"',
      })
      .where('id = :id', { id: ticketId })
      .execute();
  }
}
