// The figures reports need from a ticket's SLA clock, fixed at the moment they happen: how much working
// time (pauses excluded, the type's calendar followed) the first response and the decision took, and
// whether each met its target. Stored on the ticket so that reports count and sort in SQL instead of
// replaying every timeline, and so that a later change of targets does not rewrite history.
import { elapsedWorking, type SlaState, type SlaTargets } from './sla-clock.js';

export interface SlaMeasures {
  slaResponseMs: number | null;
  slaResponseMet: boolean | null;
  slaDecisionMs: number | null;
  slaDecisionMet: boolean | null;
}

/**
 * The measures that change between two states of one ticket's clock (empty when none does):
 * - the first response is measured once, in the cycle it happened in (a reopen that fills in a missing
 *   first response is not a response, see reopenSla);
 * - the decision is measured when the cycle is decided, and cleared when a new cycle starts.
 */
export function measuresBetween(prev: SlaState | null, next: SlaState, t: SlaTargets): Partial<SlaMeasures> {
  const out: Partial<SlaMeasures> = {};
  const sameCycle = prev !== null && prev.cycle === next.cycle;
  if (prev !== null && !sameCycle) {
    out.slaDecisionMs = null;
    out.slaDecisionMet = null;
  }
  if (sameCycle && prev.firstRespondedAt === null && next.firstRespondedAt !== null) {
    out.slaResponseMs = elapsedWorking(next, next.firstRespondedAt, t, 'response');
    out.slaResponseMet = out.slaResponseMs <= t.firstResponseMs;
  }
  if (sameCycle && prev.decidedAt === null && next.decidedAt !== null) {
    out.slaDecisionMs = elapsedWorking(next, next.decidedAt, t, 'decision');
    out.slaDecisionMet = out.slaDecisionMs <= t.decisionMs;
  }
  return out;
}
