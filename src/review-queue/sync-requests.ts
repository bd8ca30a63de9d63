import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { insertRows } from '../database/transactions.js';
import { OutboxMessage, OutboxTopic } from '../notifications/outbox.entity.js';

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
  await insertRows(em, OutboxMessage, {
    id: randomUUID(), topic: OutboxTopic.Sync, payload: JSON.stringify(payload), createdAt: now,
    publishedAt: null, processedAt: null, attempts: 0, lastError: null,
  });
}

/** An ops event for the webhook (ids and instants only, no personal data). */
export async function requestWebhook(em: EntityManager, event: Record<string, unknown>, now: Date): Promise<void> {
  await insertRows(em, OutboxMessage, {
    id: randomUUID(), topic: OutboxTopic.Webhook, payload: JSON.stringify(event), createdAt: now,
    publishedAt: null, processedAt: null, attempts: 0, lastError: null,
  });
}
