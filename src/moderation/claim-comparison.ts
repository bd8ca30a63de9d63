/**
 * The requester's claims side by side with the directory record, for the moderator's ticket page.
 * Pure (no I/O): it reads the same normalisation and rule helpers as the scorer, so a row and the
 * signal the scorer drew from the same fact never disagree.
 */
import { emailKey, projectKey, usernameKey } from '../common/normalize.js';
import type { TicketClaims, TriState } from '../tickets/ticket.types.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { everPublic, findEmail, isDisposable, isExpired, mentionedAddresses } from '../scoring/rules/helpers.js';
import { joinDateDistance } from '../scoring/rules/join-date.rule.js';
import { namesHandle } from '../scoring/rules/linked-identity.rule.js';
import { hasSecondFactor } from '../scoring/rules/second-factor.rule.js';
import type { AccountEmailRecord, AccountRecord } from '../scoring/account-record.js';

export type Verdict = 'matches' | 'contradicts' | 'not_on_file';

export const VERDICT_TEXT: Record<Verdict, string> = { matches: 'matches', contradicts: 'contradicts', not_on_file: 'not on file' };

export interface ClaimRow {
  label: string;
  /** What the requester said, as given: requester text, to be shown escaped. */
  claimed: string;
  /** What the directory holds, in words; null when there is nothing to compare with. */
  onFile: string | null;
  verdict: Verdict;
  /** The fact is public (profile, package metadata): knowing it proves next to nothing. */
  isPublic: boolean;
  note?: string;
}

export interface ClaimComparisonInput {
  claims: TicketClaims;
  contactEmail: string;
  username: string;
  /** Null when no account has this username. */
  account: AccountRecord | null;
  config: ScoringConfig;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const notes = (...parts: Array<string | false | null | undefined>) => {
  const text = parts.filter(Boolean).join('; ');
  return text ? { note: text } : {};
};

/** Every claim the requester made, in a fixed order: username, addresses, projects, join date, second factors, linked identity. */
export function compareClaims(input: ClaimComparisonInput): ClaimRow[] {
  const { claims, account } = input;
  return [
    usernameRow(input.username, account),
    ...addressRows(input),
    ...projectRows(claims.projects, account),
    ...joinDateRows(claims.joinedApprox, account, input.config),
    ...triStateRows('Two-factor authentication', claims.has2fa, account, (a) => [hasSecondFactor(a), secondFactorText(a)]),
    ...triStateRows('Unused recovery codes', claims.hasRecoveryCodes, account, (a) => [
      a.recoveryCodesUnused > 0,
      a.recoveryCodesUnused > 0 ? `yes (${a.recoveryCodesUnused} unused)` : 'no unused codes',
    ]),
    ...linkedIdentityRows(claims.details, account),
  ];
}

/** How many rows have each verdict. */
export function countVerdicts(rows: readonly ClaimRow[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { matches: 0, contradicts: 0, not_on_file: 0 };
  for (const row of rows) counts[row.verdict]++;
  return counts;
}

function usernameRow(username: string, account: AccountRecord | null): ClaimRow {
  if (!account) return { label: 'Username', claimed: username, onFile: null, verdict: 'not_on_file', isPublic: false, note: 'no account with this username' };
  const sameCase = account.username === username.trim();
  return {
    label: 'Username',
    claimed: username,
    onFile: account.username,
    verdict: usernameKey(account.username) === usernameKey(username) ? 'matches' : 'contradicts',
    isPublic: true,
    ...notes(!sameCase && 'usernames compare case-insensitively'),
  };
}

function addressRows({ claims, contactEmail, account, config }: ClaimComparisonInput): ClaimRow[] {
  // Tickets older than `emailsStillRead` have only `previousEmails`; newer ones list still-read addresses in both.
  const stillRead = new Set((claims.emailsStillRead ?? []).map(emailKey));
  return mentionedAddresses(contactEmail, [...claims.previousEmails, ...(claims.emailsStillRead ?? [])]).map(({ address, contact }) => {
    const label = contact ? 'Contact address' : stillRead.has(emailKey(address)) ? 'Address still read' : 'Previous address';
    const expired = isExpired(address, config);
    const domain = [expired && 'on an expired domain: no evidence either way', isDisposable(address, config) && 'on a disposable-mail domain'];
    if (!account) return { label, claimed: address, onFile: null, verdict: 'not_on_file', isPublic: false, ...notes(...domain) };
    const row = findEmail(account, address);
    if (!row) {
      return contact
        ? {
            label,
            claimed: address,
            onFile: null,
            verdict: 'not_on_file',
            isPublic: false,
            ...notes('a new contact address is normal: not counted against', ...domain),
          }
        : { label, claimed: address, onFile: 'never on the account', verdict: 'contradicts', isPublic: false, ...notes(...domain) };
    }
    const isPublic = everPublic(account, address);
    const mayProve = row.verified && row.removedAt === null && !expired;
    return {
      label,
      claimed: address,
      onFile: addressFacts(row, isPublic, expired),
      verdict: 'matches',
      isPublic,
      ...notes(contact && !isPublic && 'knowledge of the address, not proof of control', !mayProve && 'cannot receive a one-time code', ...domain),
    };
  });
}

/** "verified, primary, current, never public": what the directory says of one address. */
function addressFacts(row: AccountEmailRecord, isPublic: boolean, expired: boolean): string {
  return [
    row.verified ? 'verified' : 'unverified',
    row.primary ? (row.removedAt ? 'was primary' : 'primary') : null,
    row.removedAt ? `removed ${day(row.removedAt)}` : 'current',
    isPublic ? 'public' : 'never public',
    expired ? 'expired domain' : null,
  ]
    .filter(Boolean)
    .join(', ');
}

function projectRows(projects: readonly string[], account: AccountRecord | null): ClaimRow[] {
  const seen = new Set<string>();
  const rows: ClaimRow[] = [];
  for (const name of projects) {
    const key = projectKey(name);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    if (!account) {
      rows.push({ label: 'Project', claimed: name, onFile: null, verdict: 'not_on_file', isPublic: false });
      continue;
    }
    const owned = account.projects.find((p) => projectKey(p.name) === key);
    rows.push(
      owned
        ? {
            label: 'Project',
            claimed: name,
            onFile: `${owned.name} (${owned.role})`,
            verdict: 'matches',
            isPublic: true,
            ...notes(owned.name !== name.trim() && `same name after PEP 503 normalisation (${key})`),
          }
        : { label: 'Project', claimed: name, onFile: "not one of the account's projects", verdict: 'contradicts', isPublic: true },
    );
  }
  return rows;
}

function joinDateRows(claimed: string | null, account: AccountRecord | null, config: ScoringConfig): ClaimRow[] {
  const claim = claimed?.trim();
  if (!claim) return [];
  const label = 'Joined';
  if (!account) return [{ label, claimed: claim, onFile: null, verdict: 'not_on_file', isPublic: false }];
  const onFile = day(account.joinedAt);
  const distance = joinDateDistance(claim, account.joinedAt);
  if (distance === null) return [{ label, claimed: claim, onFile, verdict: 'not_on_file', isPublic: true, note: 'not a YYYY or YYYY-MM date: not compared' }];
  if (distance === 0) return [{ label, claimed: claim, onFile, verdict: 'matches', isPublic: true }];
  if (distance <= config.joinDateToleranceMonths) {
    return [
      {
        label,
        claimed: claim,
        onFile,
        verdict: 'matches',
        isPublic: true,
        note: `close, not exact: ${distance} months off (within ${config.joinDateToleranceMonths}, not counted)`,
      },
    ];
  }
  return [{ label, claimed: claim, onFile, verdict: 'contradicts', isPublic: true, note: `${distance} months off` }];
}

function triStateRows(label: string, claim: TriState, account: AccountRecord | null, fact: (a: AccountRecord) => [boolean, string]): ClaimRow[] {
  if (claim === 'unknown') return [];
  if (!account) return [{ label, claimed: claim, onFile: null, verdict: 'not_on_file', isPublic: false }];
  const [actual, onFile] = fact(account);
  return [{ label, claimed: claim, onFile, verdict: (claim === 'yes') === actual ? 'matches' : 'contradicts', isPublic: false }];
}

/** `yes (TOTP, 2 security keys)` or `no`. */
export function secondFactorText(account: AccountRecord): string {
  const kinds = [
    account.totp ? 'TOTP' : null,
    account.webauthnKeys > 0 ? `${account.webauthnKeys} security key${account.webauthnKeys === 1 ? '' : 's'}` : null,
  ].filter(Boolean);
  return kinds.length ? `yes (${kinds.join(', ')})` : 'no';
}

/** Only when the details name the linked GitHub handle: the scorer's linked-identity rule reads the same words. */
function linkedIdentityRows(details: string, account: AccountRecord | null): ClaimRow[] {
  if (!account?.linkedGithub || !namesHandle(details, account.linkedGithub)) return [];
  return [{ label: 'Linked GitHub', claimed: 'named in the details', onFile: account.linkedGithub, verdict: 'matches', isPublic: true }];
}
