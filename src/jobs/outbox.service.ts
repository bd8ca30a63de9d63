import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { insertRows, onAfterCommit, Transactions } from '../database/transactions.js';
import { OutboxMessage, OutboxTopic } from './outbox.entity.js';
import { OutboxRelay } from './outbox-relay.service.js';

/** What a sync row asks of the queue mirror. */
export interface SyncPayload {
  ticketId: string;
  /** Timer ids armed for the ticket's previous deadlines: removed, since the new ones replace them. */
  stale: string[];
}

/** What an assessment request carries (ids and the reason only). */
export interface AssessPayload {
  ticketId: string;
  trigger: string;
}

/**
 * Work for BullMQ, written in the caller's transaction (docs/architecture.md, principle 2: commit, then
 * enqueue). Once the transaction commits, the relay publishes it at once; rows written while Redis is
 * away go out when it is back. No caller kicks the relay itself.
 */
@Injectable()
export class Outbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
  ) {}

  /** One row; `id` (also the job id) is random unless the caller makes it deterministic to do something once. */
  async add(em: EntityManager, topic: OutboxTopic, payload: string, id: string = randomUUID()): Promise<string> {
    await insertRows(em, OutboxMessage, {
      id,
      topic,
      payload,
      createdAt: this.clock.now(),
      publishedAt: null,
      processedAt: null,
      attempts: 0,
      lastError: null,
    });
    onAfterCommit(em, this, () => this.relay.kick());
    return id;
  }

  /** Bring Redis in line with the ticket's new SQL state once it commits. */
  async requestSync(em: EntityManager, ticketId: string, stale: string[] = []): Promise<void> {
    const payload: SyncPayload = { ticketId, stale };
    await this.add(em, OutboxTopic.Sync, JSON.stringify(payload));
  }

  /** New evidence: (re)assess the ticket, even if Redis is away right now. */
  async requestAssessment(em: EntityManager, ticketId: string, trigger: string): Promise<void> {
    const payload: AssessPayload = { ticketId, trigger };
    await this.add(em, OutboxTopic.Assess, JSON.stringify(payload));
  }

  /** An ops event for the webhook (ids and instants only, no personal data). */
  async requestWebhook(em: EntityManager, event: Record<string, unknown>): Promise<void> {
    await this.add(em, OutboxTopic.Webhook, JSON.stringify(event));
  }

  /**
   * Runs the work of one row whose effect is outside the database (Redis, a webhook): the row is marked
   * processed only after the work succeeded, so a failure is retried, and a row already done is skipped,
   * so a job that runs twice does its work once.
   */
  async work(id: string, work: (payload: string) => Promise<void>): Promise<void> {
    const row = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id });
    if (!row || row.processedAt || !row.payload) return;
    await work(row.payload);
    await this.transactions.run((em) => em.update(OutboxMessage, { id }, { processedAt: this.clock.now(), payload: null, attempts: row.attempts + 1 }));
  }
}
