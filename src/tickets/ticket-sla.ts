// The ticket's SLA columns as the pure clock (src/sla/sla-clock.ts) sees them, and back.
import { type SlaState, worstLevel } from '../sla/sla-clock.js';
import type { TicketRow } from './ticket.types.js';

export type SlaColumns = Pick<
  TicketRow,
  | 'slaCycle'
  | 'slaCycleStartedAt'
  | 'firstRespondedAt'
  | 'slaDecidedAt'
  | 'slaPausedSince'
  | 'slaPauses'
  | 'responseWarnAt'
  | 'responseDueAt'
  | 'decisionWarnAt'
  | 'decisionDueAt'
  | 'slaResponseLevel'
  | 'slaDecisionLevel'
  | 'slaLevel'
  | 'slaNextAt'
>;

/** The ticket's stored clock as the pure SLA functions see it (null: the clock was never started). */
export function slaStateOf(ticket: SlaColumns): SlaState | null {
  if (!ticket.slaCycleStartedAt) return null;
  return {
    cycle: ticket.slaCycle,
    cycleStartedAt: ticket.slaCycleStartedAt,
    firstRespondedAt: ticket.firstRespondedAt,
    decidedAt: ticket.slaDecidedAt,
    pausedSince: ticket.slaPausedSince,
    pauses: (ticket.slaPauses ?? []).map((p) => ({ from: new Date(p.from), to: new Date(p.to) })),
    responseWarnAt: ticket.responseWarnAt,
    responseDueAt: ticket.responseDueAt,
    decisionWarnAt: ticket.decisionWarnAt,
    decisionDueAt: ticket.decisionDueAt,
    responseLevel: ticket.slaResponseLevel,
    decisionLevel: ticket.slaDecisionLevel,
    nextAt: ticket.slaNextAt,
  };
}

export function slaColumns(state: SlaState): SlaColumns {
  return {
    slaCycle: state.cycle,
    slaCycleStartedAt: state.cycleStartedAt,
    firstRespondedAt: state.firstRespondedAt,
    slaDecidedAt: state.decidedAt,
    slaPausedSince: state.pausedSince,
    slaPauses: state.pauses.map((p) => ({ from: p.from.toISOString(), to: p.to.toISOString() })),
    responseWarnAt: state.responseWarnAt,
    responseDueAt: state.responseDueAt,
    decisionWarnAt: state.decisionWarnAt,
    decisionDueAt: state.decisionDueAt,
    slaResponseLevel: state.responseLevel,
    slaDecisionLevel: state.decisionLevel,
    slaLevel: worstLevel(state),
    slaNextAt: state.nextAt,
  };
}
