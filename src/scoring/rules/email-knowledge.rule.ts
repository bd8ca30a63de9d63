import { emailKey, maskEmail } from '../../common/normalize.js';
import type { RiskFlag, Signal } from '../scoring.types.js';
import { emailChallengeCounts } from './email-challenge.rule.js';
import { everPublic, findEmail, isExpired, mentionedAddresses } from './helpers.js';
import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'email_knowledge';

/**
 * What the requester knows about the account's addresses (claimed previous addresses and the contact
 * address). A public address is worth next to nothing; a verified never-public one counts; a removed
 * one counts a little less; a claimed address the account never had is a contradiction. A contact
 * address that is a current verified address on file counts more (`contactOnFile`), public or not:
 * every mail about the request goes there, so only someone who reads it gains by naming it. It is still
 * not proof of control (the code sent there is), and a contact address not on file is no contradiction
 * (a new channel is normal). Addresses on an expired domain are excluded and flagged.
 */
export function emailKnowledgeRule(input: RuleInput): RuleResult {
  const { ticket, account, config } = input;
  const w = config.weights;
  // Control of an address proven by a code subsumes knowing it: the same fact is not counted twice.
  const proven = emailChallengeCounts(input) ? emailKey(ticket.emailChallengePassed!.address) : null;
  const signals: Signal[] = [];
  const riskFlags: RiskFlag[] = [];
  let publicPoints = 0;
  let privatePoints = 0;
  let verifiedSecrets = 0;

  for (const { address, contact } of mentionedAddresses(ticket.contactEmail, ticket.claims.previousEmails)) {
    const what = contact ? 'contact address' : 'claimed address';
    const masked = maskEmail(address);
    if (emailKey(address) === proven) {
      signals.push({ rule: RULE, effect: 0, kind: 'info', reason: `${what} ${masked}: control proven by a code (counted there, not twice)` });
      continue;
    }
    const row = findEmail(account, address);
    if (isExpired(address, config)) {
      riskFlags.push('expired_domain');
      signals.push({ rule: RULE, effect: 0, kind: 'info', reason: `${what} ${masked} is on an expired domain: excluded` });
      continue;
    }
    if (!row) {
      if (!contact) {
        signals.push({ rule: RULE, effect: -w.contradiction, kind: 'contradiction', reason: `${what} ${masked} was never on the account` });
      }
      continue;
    }
    if (contact && row.verified && row.removedAt === null && w.contactOnFile > 0) {
      // Every mail about the request goes to the contact address: an impostor who names the owner's
      // address there alerts the owner and cannot pass its code, so owners are far likelier to do it.
      if (!everPublic(account, address)) verifiedSecrets++;
      signals.push({
        rule: RULE,
        effect: w.contactOnFile,
        kind: 'private',
        reason: `${what} ${masked} is a current verified address on file: mail goes to it (not proof of control)`,
      });
      continue;
    }
    if (everPublic(account, address)) {
      const effect = Math.max(0, Math.min(w.publicEmailKnown, w.publicEmailCap - publicPoints));
      publicPoints += effect;
      signals.push({ rule: RULE, effect, kind: 'public', reason: `${what} ${masked} is on file but public` });
      continue;
    }
    let base: number;
    let reason: string;
    if (!row.verified) {
      base = w.unverifiedEmailKnown;
      reason = `${what} ${masked} is on file, not public, but unverified`;
    } else if (row.removedAt !== null) {
      base = w.removedEmailKnown;
      reason = `${what} ${masked} was a verified non-public address, since removed`;
    } else {
      base = w.privateEmailKnown;
      reason = `${what} ${masked} is a verified non-public address on file${contact ? ' (knowledge, not proof of control)' : ''}`;
    }
    if (row.verified) verifiedSecrets++;
    const effect = Math.max(0, Math.min(base, w.privateEmailCap - privatePoints));
    privatePoints += effect;
    signals.push({ rule: RULE, effect, kind: 'private', reason: effect < base ? `${reason} (capped)` : reason });
  }
  if (verifiedSecrets >= 2 && w.corroboratedEmails > 0) {
    signals.push({
      rule: RULE,
      effect: w.corroboratedEmails,
      kind: 'private',
      reason: `${verifiedSecrets} verified non-public addresses known: one may leak, several together rarely do`,
    });
  }
  return { signals, riskFlags };
}
