/**
 * From the TypeORM entities to the scorer's plain inputs. Type-only imports: the scorer itself never
 * loads TypeORM.
 */
import type { Ticket } from '../tickets/ticket.entity.js';
import type { TicketEvidence } from '../scoring/scoring.types.js';

/** Passed challenges come from the challenge store (`EvidenceService`), hence the optional `proofs`. */
export function toTicketEvidence(
  ticket: Ticket,
  proofs: Pick<TicketEvidence, 'emailChallengePassed' | 'repoChallengePassed' | 'linkedGithubProven'> = {},
  coordinatedRequests = false,
): TicketEvidence {
  return {
    contactEmail: ticket.contactEmail,
    requestType: ticket.requestType,
    claims: ticket.claims,
    competingRequests: ticket.competing,
    coordinatedRequests,
    submittedAt: ticket.createdAt,
    ...(proofs.emailChallengePassed ? { emailChallengePassed: proofs.emailChallengePassed } : {}),
    ...(proofs.repoChallengePassed ? { repoChallengePassed: proofs.repoChallengePassed } : {}),
    ...(proofs.linkedGithubProven ? { linkedGithubProven: proofs.linkedGithubProven } : {}),
  };
}
