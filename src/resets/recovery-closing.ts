import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { LIVE_RECOVERY_STATES, type RecoveryState } from '../tickets/ticket.types.js';

/** The live recovery of a ticket, if any, read through the caller's transaction. */
export function liveRecovery(em: EntityManager, ticketId: string): Promise<Recovery | null> {
  return em.findOne(Recovery, { where: { ticketId, state: In([...LIVE_RECOVERY_STATES]) } });
}

/**
 * Ends a recovery inside the caller's transaction: its links stop working and the account is free for
 * another one. Conditional on the state read, so a concurrent change makes the caller's transaction fail.
 */
export async function closeRecovery(em: EntityManager, recovery: Recovery, state: RecoveryState, reason: string, now: Date): Promise<void> {
  const done = await em.update(Recovery, { id: recovery.id, state: recovery.state }, {
    state, activeKey: null, resetTokenHash: null, closedAt: now, closedReason: reason,
  });
  if (!done.affected) throw new DomainError(DomainErrorCode.Conflict, 'The recovery changed meanwhile; please reload.');
}

/** A ticket closing for another reason (denied, withdrawn) ends its live recovery, if it has one. */
export async function endLiveRecovery(em: EntityManager, ticketId: string, state: Extract<RecoveryState, 'cancelled' | 'denied'>, reason: string, now: Date): Promise<void> {
  const recovery = await liveRecovery(em, ticketId);
  if (recovery) await closeRecovery(em, recovery, state, reason, now);
}
