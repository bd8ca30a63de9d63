import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';
import { JobName } from './job.constants.js';

export enum OutboxTopic {
  Mail = 'mail',
  /** New evidence on a ticket: (re)assess it. The payload holds ids only. */
  Assess = 'assess',
  /** A ticket's SQL state changed: make Redis match it (dispatch job, SLA timer, lease expiry). */
  Sync = 'sync',
  /** An ops event for the configured webhook (an SLA breach). */
  Webhook = 'webhook',
}

/** The job each topic's rows become (its queue is JOB_QUEUE's). */
export const TOPIC_JOB: Record<OutboxTopic, JobName> = {
  [OutboxTopic.Mail]: JobName.SendMail,
  [OutboxTopic.Assess]: JobName.Assess,
  [OutboxTopic.Sync]: JobName.Sync,
  [OutboxTopic.Webhook]: JobName.Webhook,
};

/**
 * Work to hand to BullMQ, written in the same transaction as the change that caused it
 * (docs/security.md #25). The relay publishes with `jobId = id`, so a crash between publishing
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
