import type { FieldError } from '../common/domain.exception.js';
import type { TicketClaims } from './ticket.types.js';

/**
 * What one request may claim, and so what a ticket may hold however many follow-ups it takes: the intake
 * form and API check one request against these, and a follow-up is checked against them merged with
 * the ticket's claims (`mergeOverflow`). Addresses still read also count among the previous addresses,
 * so `previous_emails` counts the claimed addresses that are not among those still read.
 */
export const CLAIM_LIMITS = { previous_emails: 20, emails_still_read: 5, projects: 100, details: 20_000 } as const;

const DETAILS_SEPARATOR = '\n\n---\n\n';

const union = (a: readonly string[] = [], b: readonly string[] = []): string[] => [...new Set([...a, ...b])];
const joinDetails = (a: string, b: string): string => [a, b].filter((d) => d.trim() !== '').join(DETAILS_SEPARATOR);

/**
 * A follow-up's claims folded into the ticket's: lists are joined, a known answer replaces "unknown",
 * and a later answer replaces an earlier one (the follow-up event keeps what was said each time).
 * Details are appended, so nothing the requester wrote is lost.
 *
 * Intake refuses a follow-up that would take the merged claims past CLAIM_LIMITS (`mergeOverflow`), so
 * nothing is dropped silently; the lists are still cut at the limits here, so that no other caller can
 * grow a ticket's claims, and with them its assessment and pages, without bound.
 */
export function mergeClaims(current: TicketClaims, later: TicketClaims): TicketClaims {
  const emailsStillRead = union(current.emailsStillRead, later.emailsStillRead).slice(0, CLAIM_LIMITS.emails_still_read);
  let others = 0;
  return {
    previousEmails: union(current.previousEmails, later.previousEmails).filter((e) => emailsStillRead.includes(e) || others++ < CLAIM_LIMITS.previous_emails),
    emailsStillRead,
    projects: union(current.projects, later.projects).slice(0, CLAIM_LIMITS.projects),
    joinedApprox: later.joinedApprox ?? current.joinedApprox,
    has2fa: later.has2fa === 'unknown' ? current.has2fa : later.has2fa,
    hasRecoveryCodes: later.hasRecoveryCodes === 'unknown' ? current.hasRecoveryCodes : later.hasRecoveryCodes,
    details: joinDetails(current.details, later.details).slice(0, CLAIM_LIMITS.details),
  };
}

/**
 * Each field whose merged claims would go past CLAIM_LIMITS, named as the request names it, with a
 * reason the requester can act on; empty when the follow-up fits.
 */
export function mergeOverflow(current: TicketClaims, later: TicketClaims): FieldError[] {
  const stillRead = union(current.emailsStillRead, later.emailsStillRead);
  const counts = {
    previous_emails: union(current.previousEmails, later.previousEmails).filter((e) => !stillRead.includes(e)).length,
    emails_still_read: stillRead.length,
    projects: union(current.projects, later.projects).length,
  };
  const had = {
    previous_emails: (current.previousEmails ?? []).filter((e) => !(current.emailsStillRead ?? []).includes(e)).length,
    emails_still_read: (current.emailsStillRead ?? []).length,
    projects: current.projects.length,
  };
  const errors: FieldError[] = [];
  const noun = { previous_emails: 'addresses', emails_still_read: 'addresses', projects: 'projects' } as const;
  for (const field of ['previous_emails', 'emails_still_read', 'projects'] as const) {
    if (counts[field] <= CLAIM_LIMITS[field]) continue;
    errors.push({
      field,
      reasons: [
        `${field} would make ${counts[field]} ${noun[field]} on your open request, which already lists ${had[field]}; ` +
          `one request holds at most ${CLAIM_LIMITS[field]}`,
      ],
    });
  }
  const details = joinDetails(current.details, later.details).length;
  if (details > CLAIM_LIMITS.details) {
    errors.push({
      field: 'details',
      reasons: [
        `details would make ${details.toLocaleString('en')} characters on your open request, which already holds ` +
          `${current.details.length.toLocaleString('en')}; one request holds at most ${CLAIM_LIMITS.details.toLocaleString('en')}`,
      ],
    });
  }
  return errors;
}
