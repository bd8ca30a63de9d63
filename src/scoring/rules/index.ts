import { emailChallengeRule } from './email-challenge.rule.js';
import { emailKnowledgeRule } from './email-knowledge.rule.js';
import { joinDateRule } from './join-date.rule.js';
import { linkedIdentityRule } from './linked-identity.rule.js';
import { linkedIdentityProofRule } from './linked-identity-proof.rule.js';
import { projectsRule } from './projects.rule.js';
import { repoChallengeRule } from './repo-challenge.rule.js';
import { riskFlagsRule } from './risk-flags.rule.js';
import type { Rule } from './rule.types.js';
import { secondFactorRule } from './second-factor.rule.js';

export { emailChallengeCounts } from './email-challenge.rule.js';
export { repoChallengeCounts } from './repo-challenge.rule.js';
export { linkedIdentityProven } from './linked-identity-proof.rule.js';
export type { Rule, RuleInput, RuleResult } from './rule.types.js';

/** Every rule, in the order their signals are shown. */
export const RULES: readonly Rule[] = [
  emailChallengeRule,
  repoChallengeRule,
  linkedIdentityProofRule,
  emailKnowledgeRule,
  secondFactorRule,
  projectsRule,
  joinDateRule,
  linkedIdentityRule,
  riskFlagsRule,
];
