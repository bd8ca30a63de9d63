import { emailDomain, emailKey } from '../../common/normalize.js';
import type { ScoringConfig } from '../scoring.config.js';
import type { AccountEmailRecord, AccountRecord } from '../account-record.js';

function domainIn(domain: string, list: readonly string[]): boolean {
  return list.some((entry) => {
    const d = entry.trim().toLowerCase();
    return d !== '' && (domain === d || domain.endsWith(`.${d}`));
  });
}

export function isDisposable(address: string, config: ScoringConfig): boolean {
  return domainIn(emailDomain(emailKey(address)), config.disposableDomains);
}

export function isExpired(address: string, config: Pick<ScoringConfig, 'expiredDomains'>): boolean {
  return domainIn(emailDomain(emailKey(address)), config.expiredDomains);
}

/**
 * The account's record of an address; when it appears more than once (removed and added again) the
 * current row wins over removed ones.
 */
export function findEmail(account: AccountRecord, address: string): AccountEmailRecord | undefined {
  const key = emailKey(address);
  const rows = account.emails.filter((e) => emailKey(e.address) === key);
  return rows.find((e) => e.removedAt === null) ?? rows[0];
}

/** Ever public: any row of the address marked public. */
export function everPublic(account: AccountRecord, address: string): boolean {
  const key = emailKey(address);
  return account.emails.some((e) => emailKey(e.address) === key && e.public);
}

/** Addresses the requester brought up, contact first, deduplicated by key. */
export function mentionedAddresses(contact: string, claimed: readonly string[]): { address: string; contact: boolean }[] {
  const seen = new Set<string>();
  const out: { address: string; contact: boolean }[] = [];
  for (const [address, contactFlag] of [[contact, true], ...claimed.map((c) => [c, false])] as [string, boolean][]) {
    const key = emailKey(address);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push({ address, contact: contactFlag });
  }
  return out;
}

export const DAY_MS = 86_400_000;
