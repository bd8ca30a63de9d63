import type { RiskFlag, Signal } from '../scoring.types.js';
import { DAY_MS, isDisposable, isExpired, mentionedAddresses } from './helpers.js';
import type { RuleInput, RuleResult } from './rule.types.js';
import { maskEmail } from '../../common/normalize.js';

const RULE = 'risk';

/**
 * Risk flags: competing requests, a recent primary-address change, a high-value account (an owner or
 * maintainer, as `highValueRoles` says, of a big project; these need a second moderator), disposable or expired domains among the contact and claimed addresses, and unused
 * recovery codes (the owner can sign in with one; only the verified addresses on file are told so, never
 * the requester: docs/security.md #1). Only a disposable contact address moves the score.
 */
export function riskFlagsRule({ ticket, account, config, now }: RuleInput): RuleResult {
  const flags: RiskFlag[] = [];
  const signals: Signal[] = [];
  const info = (reason: string) => signals.push({ rule: RULE, effect: 0, kind: 'info', reason });

  if (ticket.competingRequests) {
    flags.push('competing_requests');
    info('another open request for this account came from a different contact address');
  }
  if (ticket.coordinatedRequests) {
    flags.push('coordinated_requests');
    info('part of a cluster of requests for different accounts that share how they were made (see the cluster)');
  }

  const since = now.getTime() - config.primaryChangeWindowDays * DAY_MS;
  const recentPrimaryAdded =
    account.emails.some((e) => e.primary && e.removedAt === null && e.addedAt.getTime() > since) && account.joinedAt.getTime() <= since;
  const recentPrimaryRemoved = account.emails.some((e) => e.primary && e.removedAt !== null && e.removedAt.getTime() > since);
  if (recentPrimaryAdded || recentPrimaryRemoved) {
    flags.push('primary_email_changed_recently');
    info(`primary address changed in the last ${config.primaryChangeWindowDays} days`);
  }

  const big = account.projects.find((p) => config.highValueRoles.includes(p.role) && p.monthlyDownloads >= config.highValueMonthlyDownloads);
  if (big) {
    flags.push('high_value_account');
    info(`${big.role.toLowerCase()} of a project with ≥ ${config.highValueMonthlyDownloads} monthly downloads`);
  }

  for (const { address, contact } of mentionedAddresses(ticket.contactEmail, ticket.claims.previousEmails)) {
    if (isDisposable(address, config) && !flags.includes('disposable_domain')) {
      flags.push('disposable_domain');
      // A throwaway address to be reached at is what someone who does not mean to be found later uses;
      // owners write from an address they keep. A claimed one is only flagged.
      signals.push(
        contact
          ? {
              rule: RULE,
              effect: -config.weights.disposableContact,
              kind: 'risk',
              reason: `contact address ${maskEmail(address)} is on a disposable-mail domain`,
            }
          : { rule: RULE, effect: 0, kind: 'info', reason: `${maskEmail(address)} is on a disposable-mail domain` },
      );
    }
    if (isExpired(address, config) && !flags.includes('expired_domain')) flags.push('expired_domain');
  }
  // Addresses on file on an expired domain can no longer be trusted for notifications either.
  if (account.emails.some((e) => e.removedAt === null && isExpired(e.address, config)) && !flags.includes('expired_domain')) {
    flags.push('expired_domain');
    info('an address on file is on an expired domain');
  }

  if (account.recoveryCodesUnused > 0) {
    flags.push('unused_recovery_codes');
    info('the account still has unused recovery codes: the owner can sign in with one (its verified addresses on file are told); do not tell the requester');
  }
  return { signals, riskFlags: flags };
}
