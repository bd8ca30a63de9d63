import { slaColumns, type SlaColumns } from '../../src/sla/sla-columns.js';
import { applyMarks, decideSla, dueMarks, pauseSla, reopenSla, respondSla, resumeSla, startSla } from '../../src/sla/sla-clock.js';
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy } from '../../src/sla/sla-policy.js';
import type { RequestType } from '../../src/tickets/ticket.entity.js';

const POLICY = parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default');
const STEPS = { respond: respondSla, pause: pauseSla, resume: resumeSla, decide: decideSla, reopen: reopenSla } as const;

/** One step of a ticket's SLA clock and when it happened (an ISO instant). */
export type ClockStep = [step: keyof typeof STEPS, at: string];

/**
 * The SLA clock columns a ticket would have after these steps under the default policy, with every
 * warning and breach marked when it fell due (as the timers do), up to `until` for a ticket still open:
 * stored tickets built this way leave no timer anything to do.
 */
export function clockAfter(createdAt: Date, type: RequestType, steps: ClockStep[], until: Date | null): SlaColumns {
  const t = POLICY.targetsFor(type);
  let s = startSla(createdAt, t);
  for (const [step, iso] of steps) {
    const at = new Date(iso);
    s = applyMarks(s, dueMarks(s, at), t);
    s = STEPS[step](s, at, t);
  }
  if (until) s = applyMarks(s, dueMarks(s, until), t);
  return slaColumns(s);
}
