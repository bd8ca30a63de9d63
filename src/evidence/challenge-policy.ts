import { emailKey } from '../common/normalize.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { findEmail, isExpired } from '../scoring/rules/helpers.js';
import type { AccountRecord } from '../scoring/account-record.js';

/** At most this many automatic codes per ticket: the contact address and up to five still read. */
export const MAX_AUTOMATIC_CODES = 6;

/**
 * Whether a code may go to this address: it must be on file, verified, current (a removed address may
 * have changed hands) and not on an expired domain (docs/security.md #6). Anything else gets a decoy.
 */
export function mayReceiveCode(account: AccountRecord | null, address: string, config: Pick<ScoringConfig, 'expiredDomains'>): boolean {
  if (!account) return false;
  const row = findEmail(account, address);
  return !!row && row.verified && row.removedAt === null && !isExpired(address, config);
}

/** The addresses the requester reads: the contact address first, then those named as still read, deduplicated. */
export function addressesStillRead(contactEmail: string, stillRead: readonly string[] = []): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const address of [contactEmail, ...stillRead]) {
    const key = emailKey(address);
    if (key && !seen.has(key)) {
      seen.add(key);
      out.push(key);
    }
  }
  return out;
}

/**
 * The account's project whose repository this is (`host/owner/name`, lower case), if any. Whether it
 * was released before the request is the scorer's business (`repoChallengeRule`), so it stays explainable.
 */
export function projectForRepository(account: AccountRecord | null, repositoryKey: string): string | null {
  return account?.projects.find((p) => p.repositoryKey === repositoryKey)?.name ?? null;
}
