import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'linked_identity';

/** Naming the linked GitHub account in the details: public, so worth (by default) nothing. */
export function linkedIdentityRule({ ticket, account, config }: RuleInput): RuleResult {
  const handle = account.linkedGithub?.trim().toLowerCase();
  if (!handle) return { signals: [] };
  const words = ticket.claims.details.toLowerCase().split(/[^a-z0-9-]+/);
  if (!words.includes(handle)) return { signals: [] };
  return { signals: [{ rule: RULE, effect: config.weights.linkedIdentityKnown, kind: 'public', reason: 'names the linked GitHub identity (public knowledge)' }] };
}
