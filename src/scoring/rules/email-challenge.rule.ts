import type { RiskFlag } from '../scoring.types.js';
import { findEmail, isExpired } from './helpers.js';
import type { RuleInput, RuleResult } from './rule.types.js';
import { maskEmail } from '../../common/normalize.js';

const RULE = 'email_challenge';

/** Whether a passed e-mail challenge proves control of the account: see `emailChallengeRule`. */
export function emailChallengeCounts({ ticket, account, config }: RuleInput): boolean {
  const passed = ticket.emailChallengePassed;
  if (!passed) return false;
  const row = findEmail(account, passed.address);
  return !!row && row.verified && row.removedAt === null && !isExpired(passed.address, config);
}

/**
 * A code sent to an address and typed back. It is proof only when the address is on file, verified,
 * not removed (a removed address may have changed hands) and not on an expired domain.
 */
export function emailChallengeRule(input: RuleInput): RuleResult {
  const { ticket, account, config } = input;
  const passed = ticket.emailChallengePassed;
  if (!passed) return { signals: [] };
  const masked = maskEmail(passed.address);
  if (emailChallengeCounts(input)) {
    return {
      signals: [
        { rule: RULE, effect: config.weights.emailChallengePassed, kind: 'proof', reason: `code sent to verified address ${masked} on file was typed back` },
      ],
    };
  }
  const riskFlags: RiskFlag[] = [];
  const row = findEmail(account, passed.address);
  let why: string;
  if (isExpired(passed.address, config)) {
    riskFlags.push('expired_domain');
    why = 'its domain has expired';
  } else if (!row) why = 'it is not on file';
  else if (row.removedAt !== null) why = 'it was removed from the account';
  else why = 'it is not verified';
  return { signals: [{ rule: RULE, effect: 0, kind: 'info', reason: `challenge passed at ${masked} does not count: ${why}` }], riskFlags };
}
