import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'linked_identity';

/** Whether the free text names the GitHub handle as a whole word (case-insensitive). */
export function namesHandle(details: string, handle: string | null): boolean {
  const h = handle?.trim().toLowerCase();
  return (
    !!h &&
    details
      .toLowerCase()
      .split(/[^a-z0-9-]+/)
      .includes(h)
  );
}

/** Naming the linked GitHub account in the details: public, so worth (by default) nothing. */
export function linkedIdentityRule({ ticket, account, config }: RuleInput): RuleResult {
  if (!namesHandle(ticket.claims.details, account.linkedGithub)) return { signals: [] };
  return {
    signals: [{ rule: RULE, effect: config.weights.linkedIdentityKnown, kind: 'public', reason: 'names the linked GitHub identity (public knowledge)' }],
  };
}
