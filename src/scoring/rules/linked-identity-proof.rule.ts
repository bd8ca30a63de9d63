import { projectKey } from '../../common/normalize.js';
import { repoChallengeCounts } from './repo-challenge.rule.js';
import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'linked_identity_proof';

/**
 * Whether the GitHub account the requester signed in to (OAuth device flow) is the account's linked one:
 * the numeric user ids must be equal. Never the login: a login can be renamed and then registered by
 * someone else, who would match it (docs/security.md, linked GitHub identity).
 */
export function linkedIdentityProven({ ticket, account }: RuleInput): boolean {
  const proven = ticket.linkedGithubProven;
  const linked = account.linkedGithubId;
  return !!proven && typeof linked === 'number' && Number.isSafeInteger(linked) && linked > 0 && proven.githubId === linked;
}

/** The passed repository challenge is on github.com: the same GitHub sign-in can give both proofs. */
function githubRepositoryProofCounts(input: RuleInput): boolean {
  const passed = input.ticket.repoChallengePassed;
  if (!passed || !repoChallengeCounts(input)) return false;
  const key = projectKey(passed.project);
  return input.account.projects.some((p) => projectKey(p.name) === key && (p.repositoryKey ?? '').startsWith('github.com/'));
}

/**
 * Proven control of the linked GitHub account: a proof of control worth as much as a repository token
 * (`linkedGithubProven`). It does not add to a token found in a github.com repository: one GitHub
 * account (its password, session or token) can give both, and two proofs through one channel must not
 * approve together what one would not.
 */
export function linkedIdentityProofRule(input: RuleInput): RuleResult {
  const proven = input.ticket.linkedGithubProven;
  if (!proven) return { signals: [] };
  if (!linkedIdentityProven(input)) {
    const why = typeof input.account.linkedGithubId === 'number' ? 'its numeric id is not the linked one' : 'the directory names no linked GitHub id';
    return { signals: [{ rule: RULE, effect: 0, kind: 'info', reason: `signed in to GitHub user id ${proven.githubId}, which does not count: ${why}` }] };
  }
  if (githubRepositoryProofCounts(input)) {
    return {
      signals: [
        {
          rule: RULE,
          effect: 0,
          kind: 'info',
          reason: 'controls the linked GitHub account (id matches), not counted again: the github.com repository proof comes through the same GitHub account',
        },
      ],
    };
  }
  return {
    signals: [
      {
        rule: RULE,
        effect: input.config.weights.linkedGithubProven,
        kind: 'proof',
        reason: 'signed in to the linked GitHub account: its numeric user id matches',
      },
    ],
  };
}
