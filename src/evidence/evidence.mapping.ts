/**
 * From the TypeORM entities to the scorer's plain inputs. Type-only imports: the scorer itself never
 * loads TypeORM.
 */
import { parseRepository } from '../common/normalize.js';
import type { Account } from '../directory/account.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import type { AccountRecord, TicketEvidence } from './evidence.types.js';

/**
 * The account with its `emails` and `projects` relations loaded. Missing relations are an error, not
 * an empty list: scoring without them would call every claimed address a contradiction.
 */
export function toAccountRecord(account: Account): AccountRecord {
  if (!account.emails || !account.projects) {
    throw new Error('toAccountRecord needs the emails and projects relations loaded');
  }
  return {
    username: account.username,
    joinedAt: account.joinedAt,
    totp: account.totpEnabled,
    webauthnKeys: account.webauthnKeys,
    recoveryCodesUnused: account.recoveryCodesUnused,
    linkedGithub: account.linkedGithub,
    emails: account.emails.map((e) => ({
      address: e.address, verified: e.verified, primary: e.primary, public: e.public, addedAt: e.addedAt, removedAt: e.removedAt,
    })),
    projects: account.projects.map((p) => ({
      name: p.name, role: p.role, monthlyDownloads: Number(p.monthlyDownloads), firstReleaseAt: p.firstReleaseAt,
      repositoryKey: p.repositoryUrl ? parseRepository(p.repositoryUrl)?.key ?? null : null,
    })),
  };
}

/** Passed challenges come from the challenge store (`EvidenceService`), hence the optional `proofs`. */
export function toTicketEvidence(
  ticket: Ticket,
  proofs: Pick<TicketEvidence, 'emailChallengePassed' | 'repoChallengePassed'> = {},
): TicketEvidence {
  return {
    contactEmail: ticket.contactEmail,
    requestType: ticket.requestType,
    claims: ticket.claims,
    competingRequests: ticket.competing,
    submittedAt: ticket.createdAt,
    ...(proofs.emailChallengePassed ? { emailChallengePassed: proofs.emailChallengePassed } : {}),
    ...(proofs.repoChallengePassed ? { repoChallengePassed: proofs.repoChallengePassed } : {}),
  };
}
