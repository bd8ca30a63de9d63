import type { TicketClaims } from './ticket.types.js';

const union = (a: readonly string[] = [], b: readonly string[] = []): string[] => [...new Set([...a, ...b])];

/**
 * A follow-up's claims folded into the ticket's: lists are joined, a known answer replaces "unknown",
 * and a later answer replaces an earlier one (the follow-up event keeps what was said each time).
 * Details are appended, so nothing the requester wrote is lost.
 */
export function mergeClaims(current: TicketClaims, later: TicketClaims): TicketClaims {
  return {
    previousEmails: union(current.previousEmails, later.previousEmails),
    emailsStillRead: union(current.emailsStillRead, later.emailsStillRead),
    projects: union(current.projects, later.projects),
    joinedApprox: later.joinedApprox ?? current.joinedApprox,
    has2fa: later.has2fa === 'unknown' ? current.has2fa : later.has2fa,
    hasRecoveryCodes: later.hasRecoveryCodes === 'unknown' ? current.hasRecoveryCodes : later.hasRecoveryCodes,
    details: [current.details, later.details].filter((d) => d.trim() !== '' ).join('\n\n---\n\n').slice(0, 20_000),
  };
}
