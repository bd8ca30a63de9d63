// When an approval goes against the evidence, and what it then takes. Pure: the workflow's `approve`
// applies it to the ticket's latest assessment, so no page or caller can skip it.
import type { TicketRow } from './ticket.types.js';

/** Roles that may approve against the recommendation (the second approval is then another senior's). */
export const OVERRIDE_ROLES: readonly string[] = ['senior'];

/** The written reason an override needs, kept in the audit entry; shorter is not a reason. */
export const MIN_OVERRIDE_REASON = 20;

/**
 * Why approving this ticket goes against its assessment, or null when it does not. A `deny`
 * recommendation, and a `request_info` one whose score sits in the `weak` or `insufficient` band (the
 * evidence points away from the requester), are overrides. In the `moderate` band and above the
 * moderator's own judgement approves, with the long cooling-off and four-eyes the approval policy adds.
 */
export function againstRecommendation(ticket: Pick<TicketRow, 'recommendation' | 'band' | 'score'>): string | null {
  if (ticket.recommendation === 'deny') return `the assessment recommends deny (score ${ticket.score ?? 0})`;
  if (ticket.recommendation === 'request_info' && (ticket.band === 'weak' || ticket.band === 'insufficient')) {
    return `the assessment asks for more information and the score (${ticket.score ?? 0}) is in the ${ticket.band} band`;
  }
  return null;
}

export type OverrideCheck = { ok: true; against: string | null } | { ok: false; message: string };

/**
 * The approval's guard: the ticket must have been assessed, and an override needs a senior and a reason
 * of at least MIN_OVERRIDE_REASON characters (its second approval by another senior is the workflow's).
 */
export function checkOverride(ticket: Pick<TicketRow, 'recommendation' | 'band' | 'score' | 'assessedAt'>, role: string, reason: string | null): OverrideCheck {
  if (!ticket.assessedAt || !ticket.recommendation) {
    return { ok: false, message: 'The evidence has not been assessed yet: approval waits for the assessment.' };
  }
  const against = againstRecommendation(ticket);
  if (!against) return { ok: true, against: null };
  if (!OVERRIDE_ROLES.includes(role)) {
    return { ok: false, message: `Approving against the recommendation (${against}) takes a senior moderator: escalate the ticket instead.` };
  }
  if ((reason ?? '').trim().length < MIN_OVERRIDE_REASON) {
    return { ok: false, message: `Approving against the recommendation (${against}) needs a written reason of at least ${MIN_OVERRIDE_REASON} characters.` };
  }
  return { ok: true, against };
}
