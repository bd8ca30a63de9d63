// When the SLA clock starts, pauses, resumes and stops: decided by the move a ticket makes, in one
// place. The arithmetic of each step is the pure clock's (src/sla/sla-clock.ts).
import { decideSla, pauseSla, reopenSla, respondSla, resumeSla, type SlaState, type SlaTargets, startSla } from '../sla/sla-clock.js';
import { isOpen, TicketState } from './ticket-state.js';
import { type FromState, NEW } from './ticket-transitions.js';

export type SlaStep = 'start' | 'pause' | 'resume' | 'respond' | 'decide' | 'reopen';

/** States in which the desk has decided (or the ticket has closed): both clocks stop for good in this cycle. */
const DECIDED: readonly TicketState[] = [
  TicketState.Approved,
  TicketState.CoolingOff,
  TicketState.ResetIssued,
  TicketState.Completed,
  TicketState.Denied,
  TicketState.Withdrawn,
  TicketState.ClosedNoResponse,
  TicketState.Cancelled,
];

/**
 * The clock's steps for a move from `from` to `to`, in order:
 * - a new ticket starts its clock (the reconciler starts one for a ticket from before the SLA);
 * - waiting on the requester pauses it: paused time is never counted;
 * - the requester's answer (or contest) puts the ticket back in the queue and resumes it;
 * - the first claim is the first response (the response clock stops; the decision clock runs on);
 * - a decision or a closing stops both clocks;
 * - a reopening starts a new decision cycle with the full budget.
 */
export function slaSteps(from: FromState, to: TicketState, clockStarted: boolean): SlaStep[] {
  if (from !== NEW && !isOpen(from) && isOpen(to)) return ['reopen'];
  const steps: SlaStep[] = [];
  if (from === NEW || (!clockStarted && isOpen(to))) steps.push('start');
  if (to === TicketState.AwaitingRequester && from !== TicketState.AwaitingRequester) steps.push('pause');
  if (from === TicketState.AwaitingRequester && to === TicketState.AwaitingReview) steps.push('resume');
  if (to === TicketState.InReview) steps.push('respond');
  if (DECIDED.includes(to)) steps.push('decide');
  return steps;
}

const STEP: Record<Exclude<SlaStep, 'start'>, (s: SlaState, now: Date, t: SlaTargets) => SlaState> = {
  pause: pauseSla,
  resume: resumeSla,
  respond: respondSla,
  decide: decideSla,
  reopen: reopenSla,
};

/**
 * The clock after the steps. A clock never started (a ticket from before the SLA) starts at the
 * ticket's arrival, as it would have, before any step; `start` on a running clock changes nothing.
 */
export function stepClock(clock: SlaState | null, steps: readonly SlaStep[], createdAt: Date, now: Date, t: SlaTargets): SlaState | null {
  if (steps.length === 0) return clock;
  let state = clock ?? startSla(createdAt, t);
  for (const step of steps) if (step !== 'start') state = STEP[step](state, now, t);
  return state;
}
