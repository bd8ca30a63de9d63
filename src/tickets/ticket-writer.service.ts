import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { insertRows, onAfterCommit, Transactions } from '../database/transactions.js';
import { Outbox } from '../jobs/outbox.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RecoveryChanged, TicketChanged } from './ticket-changed.error.js';
import { type Command, decide, type Decision, isRefusal, type Refusal, type TicketAggregate, type Transition, type WorkflowPolicy } from './ticket-workflow.js';
import { TicketRepository } from './ticket.repository.js';
import { Recovery } from './recovery.entity.js';
import { Ticket, TicketCycle, TicketEvent } from './ticket.entity.js';
import { WORKFLOW_POLICY } from './workflow-policy.provider.js';

/** Hears every transition once its transaction committed (the metrics count claims, decisions, marks). */
export type TransitionListener = (transition: Transition) => void;

/** What a refusal becomes at the edge: a 409 that says why (or a 404 for a ticket that is not there). */
export function refusalError(refusal: Refusal): DomainError {
  return new DomainError(DomainErrorCode.Conflict, refusal.message);
}

/**
 * The one writer of a ticket's lifecycle: sends a command through the pure workflow and applies what it
 * decided inside the caller's transaction: the conditional update of the ticket (and its recovery), the
 * timeline with its audit entries, the mails, the assessment request and the sync row that brings Redis
 * in line. No other code writes a ticket's state, SLA columns or lease.
 */
@Injectable()
export class TicketWriter {
  private readonly listeners: TransitionListener[] = [];

  constructor(
    private readonly transactions: Transactions,
    private readonly tickets: TicketRepository,
    private readonly outbox: Outbox,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(WORKFLOW_POLICY) readonly policy: WorkflowPolicy,
  ) {}

  onCommitted(listener: TransitionListener): void {
    this.listeners.push(listener);
  }

  /** What the command would do now, without doing it. */
  decide(current: TicketAggregate, command: Command): Decision {
    return decide(current, command, this.clock.now(), this.policy);
  }

  /** Decides and applies inside `em`; a refusal throws a 409 that says why. */
  async execute(em: EntityManager, current: TicketAggregate, command: Command): Promise<Transition> {
    const decision = this.decide(current, command);
    if (isRefusal(decision)) throw refusalError(decision);
    await this.apply(em, decision);
    return decision;
  }

  /**
   * One command on the ticket `find` reads, in its own transaction. `find` reads through the
   * transaction's manager, so the decision is made on what the update will be conditional on.
   */
  async run(find: (em: EntityManager) => Promise<TicketAggregate>, command: Command | ((current: TicketAggregate) => Command)): Promise<Transition> {
    return this.transactions.run(async (em) => {
      const current = await find(em);
      return this.execute(em, current, typeof command === 'function' ? command(current) : command);
    });
  }

  /** The ticket with this reference and its live recovery, read inside `em`. */
  byReference(reference: string): (em: EntityManager) => Promise<TicketAggregate> {
    return async (em) => this.tickets.aggregate(await this.tickets.byReference(reference, em), em);
  }

  async apply(em: EntityManager, t: Transition): Promise<void> {
    const id = t.ticket.id;
    if (t.write.kind === 'insert') {
      await insertRows(em, Ticket, t.write.row as never);
    } else if (t.write.kind === 'update') {
      const matched = await this.updateTicket(em, id, t.write.changes, t.write.where, t.write.lock);
      if (matched === 0) throw new TicketChanged();
    }
    if (t.recoveryWrite?.kind === 'insert') {
      await insertRows(em, Recovery, t.recoveryWrite.row as never);
    } else if (t.recoveryWrite?.kind === 'update') {
      const query = em
        .createQueryBuilder()
        .update(Recovery)
        .set(t.recoveryWrite.changes)
        .where('id = :id', { id: t.recoveryWrite.id })
        .andWhere('state = :state', { state: t.recoveryWrite.fromState });
      this.whereColumns(em, Recovery, query, t.recoveryWrite.where);
      const result = await query.execute();
      if (!result.affected) {
        throw new RecoveryChanged(t.command === 'second_approval' ? 'Another senior moderator approved this recovery meanwhile.' : undefined);
      }
    }
    if (t.archive) await insertRows(em, TicketCycle, t.archive as never);
    if (t.events.length > 0) await insertRows(em, TicketEvent, t.events as never);
    for (const entry of t.audit) await appendAudit(em, entry);
    for (const mail of t.mails) await this.notifications.queueMail(em, mail.to, mail.template, mail.context);
    for (const event of t.webhooks) await this.outbox.requestWebhook(em, event);
    if (t.assess) await this.outbox.requestAssessment(em, id, t.assess);
    if (t.sync === 'outbox') await this.outbox.requestSync(em, id, t.timers.cancel);
    if (this.listeners.length > 0) onAfterCommit(em, t, () => this.listeners.forEach((listener) => listener(t)));
  }

  /**
   * The conditional update. `version`: bumped, and only if it is still the one read. `quiet`: left as
   * it is, so derived data never makes a person's concurrent change fail. Returns the rows matched.
   */
  private async updateTicket(em: EntityManager, id: string, changes: Partial<Ticket>, where: Partial<Ticket>, lock: 'version' | 'quiet'): Promise<number> {
    const set = { ...changes, version: lock === 'version' ? () => '"version" + 1' : () => '"version"' };
    const query = em.createQueryBuilder().update(Ticket).set(set).where('id = :id', { id });
    this.whereColumns(em, Ticket, query, where);
    const result = await query.execute();
    return result.affected ?? 0;
  }

  private whereColumns(
    em: EntityManager,
    entity: typeof Ticket | typeof Recovery,
    query: { andWhere(sql: string, params?: Record<string, unknown>): unknown },
    where: Record<string, unknown>,
  ): void {
    const metadata = em.connection.getMetadata(entity);
    Object.entries(where).forEach(([key, value], i) => {
      const column = metadata.findColumnWithPropertyName(key);
      const name = column?.databaseName ?? key;
      if (value === null) query.andWhere(`"${name}" IS NULL`);
      else query.andWhere(`"${name}" = :w${i}`, { [`w${i}`]: column ? (em.connection.driver.preparePersistentValue(value, column) as unknown) : value });
    });
  }
}
