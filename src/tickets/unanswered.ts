// Which tickets are closed for want of an answer (CLOSE_UNANSWERED_AFTER). Pure: the sweep selects with
// the cutoff in SQL, and checks the rule again on the row it re-read inside the closing transaction.
import type { TicketRow } from './ticket.types.js';
import { TicketState } from './ticket-state.js';

/** Waits that began before this instant are over; null when closing is switched off (`never`). */
export function unansweredCutoff(now: Date, closeAfterMs: number | null): Date | null {
  return closeAfterMs === null ? null : new Date(now.getTime() - closeAfterMs);
}

/**
 * The ticket still waits on the requester and has waited since before the cutoff. The wait began when
 * the SLA clock paused (`sla_paused_since`); a ticket without a paused clock (its clock not yet started
 * by the reconciler) is left alone: it cannot say since when it waits.
 */
export function isUnanswered(ticket: Pick<TicketRow, 'state' | 'slaPausedSince'>, cutoff: Date | null): boolean {
  return (
    cutoff !== null && ticket.state === TicketState.AwaitingRequester && ticket.slaPausedSince !== null && ticket.slaPausedSince.getTime() < cutoff.getTime()
  );
}
