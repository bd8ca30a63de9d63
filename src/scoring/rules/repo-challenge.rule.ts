import { projectKey } from '../../common/normalize.js';
import type { RuleInput, RuleResult } from './rule.types.js';

const RULE = 'repo_challenge';

/**
 * Whether a passed repository challenge proves control: the project is the account's and was first
 * released before the request (a project created for the occasion proves nothing).
 */
export function repoChallengeCounts({ ticket, account, now }: RuleInput): boolean {
  const passed = ticket.repoChallengePassed;
  if (!passed) return false;
  const key = projectKey(passed.project);
  const before = (ticket.submittedAt ?? now).getTime();
  return account.projects.some((p) => projectKey(p.name) === key && p.firstReleaseAt !== null && p.firstReleaseAt.getTime() < before);
}

export function repoChallengeRule(input: RuleInput): RuleResult {
  const passed = input.ticket.repoChallengePassed;
  if (!passed) return { signals: [] };
  const key = projectKey(passed.project);
  if (repoChallengeCounts(input)) {
    return {
      signals: [
        {
          rule: RULE,
          effect: input.config.weights.repoChallengePassed,
          kind: 'proof',
          reason:
            passed.via === 'trusted_publisher'
              ? `a GitHub Actions token from the trusted publisher of ${key} carried the check's nonce; ${key} was released before the request`
              : `token found in the repository of ${key}, released before the request`,
        },
      ],
    };
  }
  const owned = input.account.projects.some((p) => projectKey(p.name) === key);
  const why = owned ? 'it was not released before the request' : "it is not the account's project";
  const what = passed.via === 'trusted_publisher' ? 'trusted-publisher check' : 'repository challenge';
  return { signals: [{ rule: RULE, effect: 0, kind: 'info', reason: `${what} on ${key} does not count: ${why}` }] };
}
