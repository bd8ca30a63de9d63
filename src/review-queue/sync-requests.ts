import type { EntityManager } from 'typeorm';
import { insertOutboxRow, OutboxTopic } from '../notifications/outbox.entity.js';

export interface SyncPayload {
  ticketId: string;
  /** Timer ids armed for the ticket's previous deadlines: removed, since the new ones replace them. */
  stale: string[];
}

/**
 * Asks, inside the caller's transaction, for Redis to be brought in line with the ticket's new SQL
 * state once it commits (DESIGN.md principle 2: commit, then enqueue; the relay retries while Redis is away).
 */
export async function requestSync(em: EntityManager, ticketId: string, now: Date, stale: string[] = []): Promise<void> {
  const payload: SyncPayload = { ticketId, stale };
  await insertOutboxRow(em, OutboxTopic.Sync, JSON.stringify(payload), now);
}

/** An ops event for the webhook (ids and instants only, no personal data). */
export async function requestWebhook(em: EntityManager, event: Record<string, unknown>, now: Date): Promise<void> {
  await insertOutboxRow(em, OutboxTopic.Webhook, JSON.stringify(event), now);
}
