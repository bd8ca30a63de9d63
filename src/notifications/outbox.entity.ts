import { randomUUID } from 'node:crypto';
import { Column, type DataSource, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';
import { insertRows, type Transactions } from '../database/transactions.js';

export enum OutboxTopic {
  Mail = 'mail',
  /** New evidence on a ticket: (re)assess it. The payload holds ids only. */
  Assess = 'assess',
  /** A ticket's SQL state changed: make Redis match it (dispatch job, SLA timer, lease expiry). */
  Sync = 'sync',
  /** An ops event for the configured webhook (an SLA breach). */
  Webhook = 'webhook',
}

/**
 * Work to hand to BullMQ, written in the same transaction as the change that caused it
 * (SECURITY.md #25). The relay publishes with `jobId = id`, so a crash between publishing
 * and marking the row publishes the same job id again, which BullMQ ignores.
 */
@Entity('outbox')
@Index('ix_outbox_unpublished', ['publishedAt', 'createdAt'])
export class OutboxMessage {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  topic: OutboxTopic;

  /** Mail: sealed (AES-256-GCM) because it can carry a status link or a code; emptied once delivered. Others: ids as JSON. */
  @Column({ type: 'text', nullable: true })
  payload: string | null;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'published_at', nullable: true })
  publishedAt: Date | null;

  @DateTimeColumn({ name: 'processed_at', nullable: true })
  processedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;
}

/** Writes one outbox row inside the caller's transaction; the relay publishes it once it commits. */
export async function insertOutboxRow(em: EntityManager, topic: OutboxTopic, payload: string, createdAt: Date, id: string = randomUUID()): Promise<void> {
  await insertRows(em, OutboxMessage, { id, topic, payload, createdAt, publishedAt: null, processedAt: null, attempts: 0, lastError: null });
}

/**
 * Runs the work of one outbox row whose effect is outside the database (Redis, a webhook): the row is
 * marked processed only after the work succeeded, so a failure is retried, and a row already done is
 * skipped, so a job that runs twice does its work once.
 */
export async function workOutboxRow(dataSource: DataSource, transactions: Transactions, id: string, work: (payload: string) => Promise<void>): Promise<void> {
  const row = await dataSource.getRepository(OutboxMessage).findOneBy({ id });
  if (!row || row.processedAt || !row.payload) return;
  await work(row.payload);
  await transactions.run((em) => em.update(OutboxMessage, { id }, { processedAt: new Date(), payload: null, attempts: row.attempts + 1 }));
}
