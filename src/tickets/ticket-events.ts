import type { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { insertRows } from '../database/transactions.js';
import { TicketEvent } from './ticket.entity.js';

/** Free text and claims stay on the timeline: the audit log records that they came, not what they say. */
const TEXT_FIELDS = ['message', 'claims'] as const;

function auditData(data: Record<string, unknown>, ip: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const field of TEXT_FIELDS) {
    if (field in out) {
      out[`${field}_chars`] = JSON.stringify(out[field] ?? '').length;
      delete out[field];
    }
  }
  return ip ? { ...out, ip } : out;
}

/**
 * Adds one timeline line inside the caller's transaction (without reloading it), and the matching
 * audit entry in the same transaction (SECURITY.md #21): actor, UTC time, ticket, and the client's IP
 * where a request carried it (intake).
 */
export async function addTicketEvent(em: EntityManager, event: Omit<TicketEvent, 'id'>, ip?: string): Promise<void> {
  // `data` is free-form JSON; TypeORM's deep-partial type cannot express `unknown` values.
  await insertRows(em, TicketEvent, event as never);
  await appendAudit(em, { at: event.createdAt, actor: event.actor, action: event.type, ticketId: event.ticketId, data: auditData(event.data, ip) });
}
