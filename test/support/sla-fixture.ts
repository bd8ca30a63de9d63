import { applyMarks, decideSla, dueMarks, pauseSla, reopenSla, respondSla, resumeSla, type SlaState, startSla } from '../../src/sla/sla-clock.js';
import { measuresBetween, type SlaMeasures } from '../../src/sla/sla-measures.js';
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy } from '../../src/sla/sla-policy.js';
import { REQUEST_TYPES, type RequestType } from '../../src/tickets/ticket.types.js';
import { slaColumns, type SlaColumns } from '../../src/tickets/ticket-sla.js';

const POLICY = parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default', REQUEST_TYPES);
const STEPS = { respond: respondSla, pause: pauseSla, resume: resumeSla, decide: decideSla, reopen: reopenSla } as const;

/** One step of a ticket's SLA clock and when it happened (an ISO instant). */
export type ClockStep = [step: keyof typeof STEPS, at: string];

const NO_MEASURES: SlaMeasures = { slaResponseMs: null, slaResponseMet: null, slaDecisionMs: null, slaDecisionMet: null };

function run(createdAt: Date, type: RequestType, steps: ClockStep[], until: Date | null): { state: SlaState; measures: SlaMeasures } {
  const t = POLICY.targetsFor(type);
  let s = startSla(createdAt, t);
  let measures = NO_MEASURES;
  for (const [step, iso] of steps) {
    const at = new Date(iso);
    s = applyMarks(s, dueMarks(s, at), t);
    const next = STEPS[step](s, at, t);
    measures = { ...measures, ...measuresBetween(s, next, t) };
    s = next;
  }
  if (until) s = applyMarks(s, dueMarks(s, until), t);
  return { state: s, measures };
}

/**
 * The SLA clock columns a ticket would have after these steps under the default policy, with every
 * warning and breach marked when it fell due (as the timers do), up to `until` for a ticket still open:
 * stored tickets built this way leave no timer anything to do.
 */
export function clockAfter(createdAt: Date, type: RequestType, steps: ClockStep[], until: Date | null): SlaColumns {
  return slaColumns(run(createdAt, type, steps, until).state);
}

/**
 * The same columns and the report measures the app fixes as the steps happen (sla-measures.ts):
 * working time to the first response and to the cycle's decision, pauses excluded, and whether each
 * met its target.
 */
export function measuredClockAfter(createdAt: Date, type: RequestType, steps: ClockStep[], until: Date | null): SlaColumns & SlaMeasures {
  const { state, measures } = run(createdAt, type, steps, until);
  return { ...slaColumns(state), ...measures };
}
