import type { EntityManager } from 'typeorm';
import { insertOutboxRow, OutboxTopic } from '../notifications/outbox.entity.js';
import type { AssessmentTrigger } from '../tickets/ticket.types.js';

export interface AssessPayload {
  ticketId: string;
  trigger: AssessmentTrigger;
}

/**
 * Asks for a (re)assessment inside the caller's transaction: an outbox row the relay hands to the
 * review queue, so new evidence is assessed even when Redis was away at the time (DESIGN.md, principle 2).
 */
export async function requestAssessment(em: EntityManager, ticketId: string, trigger: AssessmentTrigger, now: Date): Promise<void> {
  const payload: AssessPayload = { ticketId, trigger };
  await insertOutboxRow(em, OutboxTopic.Assess, JSON.stringify(payload), now);
}
