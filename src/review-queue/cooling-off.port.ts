/**
 * The timers queue wakes the resets module when a cooling-off ends. The resets module provides the
 * handler (it depends on this module, not the other way round).
 */
export const COOLING_OFF_HANDLER = Symbol('COOLING_OFF_HANDLER');

export interface CoolingOffHandler {
  coolingOffEnded(ticketId: string): Promise<{ kind: 'sent' } | { kind: 'not_due'; at: Date } | { kind: 'nothing' }>;
}
