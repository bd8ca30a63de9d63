import type { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { insertRows } from '../database/transactions.js';
import { auditData } from './ticket-workflow.js';
import { TicketEvent } from './ticket.entity.js';
import type { TimelineEntry } from './ticket.types.js';

/**
 * Adds timeline lines inside the caller's transaction (without reloading them), each with its audit
 * entry in the same transaction (docs/security.md #21): actor, UTC time, ticket, and the client's IP
 * where a request carried it. Lifecycle moves add theirs through TicketWriter; this is for lines that
 * change no state (an assessment, a challenge's progress).
 */
export async function addTicketEvent(em: EntityManager, event: TimelineEntry, ip?: string): Promise<void> {
  // `data` is free-form JSON; TypeORM's deep-partial type cannot express `unknown` values.
  await insertRows(em, TicketEvent, event as never);
  await appendAudit(em, { at: event.createdAt, actor: event.actor, action: event.type, ticketId: event.ticketId, data: auditData(event.data, ip) });
}
