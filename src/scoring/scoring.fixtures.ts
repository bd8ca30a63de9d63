/** Builders for the scorer's unit tests: a realistic account and an empty ticket. */
import type { TicketEvidence } from './scoring.types.js';
import type { AccountEmailRecord, AccountProjectRecord, AccountRecord } from './account-record.js';

export const NOW = new Date('2026-11-25T12:00:00Z');

export function email(address: string, over: Partial<AccountEmailRecord> = {}): AccountEmailRecord {
  return { address, verified: true, primary: false, public: false, addedAt: new Date('2019-03-01T00:00:00Z'), removedAt: null, ...over };
}

export function project(name: string, over: Partial<AccountProjectRecord> = {}): AccountProjectRecord {
  return { name, role: 'Owner', monthlyDownloads: 1_200, firstReleaseAt: new Date('2020-05-01T00:00:00Z'), ...over };
}

/** Alice: a public address, a private verified primary, a removed private one; TOTP, no recovery codes. */
export function account(over: Partial<AccountRecord> = {}): AccountRecord {
  return {
    username: 'alice',
    joinedAt: new Date('2018-06-15T10:00:00Z'),
    totp: true,
    webauthnKeys: 0,
    recoveryCodesUnused: 0,
    linkedGithub: 'alice-gh',
    emails: [
      email('alice@public.example', { public: true }),
      email('alice.private@mail.example', { primary: true }),
      email('old-alice@work.example', { removedAt: new Date('2022-01-01T00:00:00Z') }),
    ],
    projects: [project('Fancy_Lib'), project('other-tool', { role: 'Maintainer' })],
    ...over,
  };
}

export type TicketOverrides = Omit<Partial<TicketEvidence>, 'claims'> & { claims?: Partial<TicketEvidence['claims']> };

export function ticket(over: TicketOverrides = {}): TicketEvidence {
  const { claims, ...rest } = over;
  return {
    contactEmail: 'new-address@fresh.example',
    requestType: 'lost_2fa',
    competingRequests: false,
    ...rest,
    claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '', ...claims },
  };
}
