// Which approvals a recovery needs and how long it cools off (docs/security.md #3, #12, #13). Pure: the
// caller passes the ticket's flags, the account and what was proven.
import { emailKey } from '../common/normalize.js';
import { mayReceiveCode } from '../evidence/challenge-policy.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { isExpired } from '../scoring/rules/helpers.js';
import type { AccountRecord } from '../scoring/account-record.js';

/**
 * Who may approve. The first approval comes from the moderator holding the ticket (any role that decides:
 * the dashboard's routes admit moderator, senior and admin). The second approval of a four-eyes recovery,
 * and the denial of a ticket waiting for it, come from a senior moderator other than the first approver
 * (the database's CHECK refuses the same name too).
 */
export const SECOND_APPROVER_ROLES: readonly string[] = ['senior'];

export function maySecondApprove(role: string): boolean {
  return SECOND_APPROVER_ROLES.includes(role);
}

export interface ApprovalFacts {
  /** The ticket's risk flags (from its latest assessment). */
  riskFlags: readonly string[];
  account: AccountRecord;
  /** Where the moderator wants the reset link to go. */
  resetAddress: string;
  /** The ticket's contact address and the addresses the requester says they read. */
  requesterAddresses: readonly string[];
  /** Addresses whose one-time code the requester typed back (always addresses on file). */
  emailProofs: readonly string[];
  /** A repository challenge passed. */
  repositoryProof: boolean;
  /** The requester said they lost access to the address(es) on file (request type `lost_email_access`). */
  lostAccessToFile: boolean;
}

/** The requests whose requester says they lost access to the address(es) on file. */
export function saysAddressesOnFileLost(requestType: string): boolean {
  return requestType === 'lost_email_access';
}

/**
 * Whether an address on file is one the requester said they cannot read any more. A link there would
 * reach nobody, or whoever took the address over; it may go there only if they proved control of it
 * since (a code typed back) or say they still read it.
 */
export function saidLost(address: string, facts: Pick<ApprovalFacts, 'lostAccessToFile' | 'emailProofs' | 'requesterAddresses'>): boolean {
  const key = emailKey(address);
  return facts.lostAccessToFile && !facts.emailProofs.some((a) => emailKey(a) === key) && !facts.requesterAddresses.some((a) => emailKey(a) === key);
}

export interface ApprovalDurations {
  coolingOffMs: number;
  coolingOffLongMs: number;
}

export type ApprovalPolicy =
  | { ok: true; needsSecond: boolean; coolingOffMs: number; longCoolingOff: boolean; newChannel: boolean; reasons: string[] }
  | { ok: false; field: 'reset_address'; reason: string };

/**
 * The reset link may go to a trusted address on file (one that may receive a one-time code: verified,
 * current, not on an expired domain), or to an address the requester reads (a new channel). A new channel is allowed only with a second senior moderator and the long cooling-off,
 * because knowledge alone never proves ownership (docs/security.md #3). High-value or competing tickets
 * (the assessment's `second_moderator_required`) need the second approval as well. The long
 * cooling-off applies to high-value accounts and whenever no control of an address on file (or of a
 * project's repository) was proven.
 */
export function approvalPolicy(facts: ApprovalFacts, durations: ApprovalDurations, config: Pick<ScoringConfig, 'expiredDomains'>): ApprovalPolicy {
  const target = emailKey(facts.resetAddress);
  const onFile = mayReceiveCode(facts.account, target, config);
  const requesters = facts.requesterAddresses.map(emailKey);
  if (!onFile && !requesters.includes(target)) {
    return { ok: false, field: 'reset_address', reason: 'reset_address must be a verified address on file or an address the requester gave' };
  }
  if (onFile && saidLost(target, facts)) {
    return {
      ok: false,
      field: 'reset_address',
      reason:
        'reset_address is on file, but the requester said they lost access to the addresses on file: send the link to an address they proved or still read',
    };
  }
  if (isExpired(target, config)) {
    return { ok: false, field: 'reset_address', reason: 'reset_address is on an expired domain: whoever holds the domain now would get the link' };
  }
  const reasons: string[] = [];
  const flags = new Set(facts.riskFlags);
  const provenOnFile = facts.emailProofs.some((a) => mayReceiveCode(facts.account, a, config)) || facts.repositoryProof;
  const newChannel = !onFile;
  if (flags.has('second_moderator_required'))
    reasons.push('the assessment asks for a second moderator (high-value, competing, coordinated or recently changed account)');
  if (newChannel) reasons.push('the reset link goes to an address that is not on file');
  const needsSecond = reasons.length > 0;
  const longReasons: string[] = [];
  if (flags.has('high_value_account')) longReasons.push('high-value account');
  if (!provenOnFile) longReasons.push('no control of an address on file or of a repository was proven');
  if (newChannel) longReasons.push('new channel');
  const longCoolingOff = longReasons.length > 0;
  if (longCoolingOff) reasons.push(`long cooling-off: ${longReasons.join(', ')}`);
  return {
    ok: true,
    needsSecond,
    newChannel,
    longCoolingOff,
    reasons,
    coolingOffMs: longCoolingOff ? durations.coolingOffLongMs : durations.coolingOffMs,
  };
}

/** Every address to tell about a recovery: current addresses on file, except on expired domains, and the extra ones given. */
export function addressesToNotify(account: AccountRecord, config: Pick<ScoringConfig, 'expiredDomains'>, extra: readonly string[] = []): string[] {
  const out = new Map<string, string>();
  for (const e of account.emails) {
    if (e.removedAt === null && !isExpired(e.address, config)) out.set(emailKey(e.address), e.address);
  }
  for (const a of extra) if (!isExpired(a, config) && !out.has(emailKey(a))) out.set(emailKey(a), a);
  return [...out.values()];
}
