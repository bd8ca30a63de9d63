/**
 * Weights and thresholds of the evidence scorer (issue 3). Every assessment stores `ruleVersion`:
 * bump it whenever a weight, a threshold or a rule changes, so that old assessments stay explainable.
 *
 * Principles (../shared/DESIGN.md, "Evidence"; ../shared/SECURITY.md rows 3–6):
 * - Public facts (username, project names and roles, join date, addresses marked public, the linked
 *   identity) are worth next to nothing: anyone can read them.
 * - Knowing non-public facts (a verified address never shown publicly, a removed one, the 2FA state)
 *   counts more, but knowledge alone can never reach the approval threshold (`knowledgeOnlyCap`).
 * - Proven control (an e-mail code typed back, a token pushed to a project's repository) counts most.
 * - Contradictions count against, and the penalty grows faster than the number of wrong claims, so many
 *   wrong guesses weigh more than a few missing answers (a missing answer costs nothing).
 */
export interface ScoringConfig {
  ruleVersion: string;
  weights: {
    /** Each claimed project the account really has (public: package metadata). */
    projectKnown: number;
    /** Cap on all `projectKnown` points together. */
    projectKnownCap: number;
    /** Claimed join date matches the account's (public: profile page). */
    joinDateKnown: number;
    /** Naming the linked GitHub identity (public). */
    linkedIdentityKnown: number;
    /** Each address on file that is or was marked public. */
    publicEmailKnown: number;
    /** Cap on all `publicEmailKnown` points together. */
    publicEmailCap: number;
    /** A current, verified address on file that was never public (claimed or used as contact). */
    privateEmailKnown: number;
    /** A removed, verified address that was never public. */
    removedEmailKnown: number;
    /** An unverified, non-public address on file. */
    unverifiedEmailKnown: number;
    /** Cap on all non-public e-mail knowledge together. */
    privateEmailCap: number;
    /** Claimed 2FA state matches (not public, but a coin toss to guess). */
    twoFactorStateKnown: number;
    /** Claimed recovery-code state matches (likewise). */
    recoveryCodeStateKnown: number;
    /** Code sent to a verified, current, non-expired address on file and typed back. */
    emailChallengePassed: number;
    /** Token pushed to the repository of one of the account's projects released before the request. */
    repoChallengePassed: number;
    /** Each claim contradicting the directory. */
    contradiction: number;
    /** Extra penalty per pair of contradictions: n wrong claims cost n·contradiction + n(n−1)/2·this. */
    contradictionEscalation: number;
  };
  /** Lowest score of each band; anything below `weak` is `insufficient`. */
  bands: { strong: number; moderate: number; weak: number };
  recommendation: {
    /** Approve at or above this score, and only with proven control. */
    approveAt: number;
    /** Without proven control the score is capped here (always kept below `approveAt`). */
    knowledgeOnlyCap: number;
    /** Deny when the raw (unclamped) score is at or below this: contradictions outweigh everything else. */
    denyAtOrBelow: number;
  };
  /** Owner of a project with at least this many monthly downloads: a high-value account. */
  highValueMonthlyDownloads: number;
  /** A primary address added (or a primary removed) within this many days raises a flag. */
  primaryChangeWindowDays: number;
  /** A claimed `YYYY` / `YYYY-MM` this many months away from the real join month is neutral, further is wrong. */
  joinDateToleranceMonths: number;
  /** Domains known expired or in redemption: addresses on them are no evidence (SECURITY #6). */
  expiredDomains: readonly string[];
  /** Disposable-mail domains (subdomains match too). */
  disposableDomains: readonly string[];
}

export const DISPOSABLE_DOMAINS: readonly string[] = [
  '10minutemail.com', '20minutemail.com', 'discard.email', 'dispostable.com', 'fakeinbox.com',
  'getnada.com', 'guerrillamail.com', 'guerrillamail.net', 'mailinator.com', 'maildrop.cc',
  'mintemail.com', 'mohmal.com', 'sharklasers.com', 'temp-mail.org', 'tempmail.com', 'tempmail.net',
  'throwawaymail.com', 'trashmail.com', 'yopmail.com', 'emailondeck.com', 'spamgourmet.com',
];

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  ruleVersion: '2026.11.2',
  weights: {
    projectKnown: 1,
    projectKnownCap: 3,
    joinDateKnown: 1,
    linkedIdentityKnown: 0,
    publicEmailKnown: 1,
    publicEmailCap: 2,
    privateEmailKnown: 20,
    removedEmailKnown: 12,
    unverifiedEmailKnown: 5,
    privateEmailCap: 35,
    twoFactorStateKnown: 4,
    recoveryCodeStateKnown: 2,
    emailChallengePassed: 60,
    repoChallengePassed: 50,
    contradiction: 6,
    contradictionEscalation: 3,
  },
  bands: { strong: 70, moderate: 45, weak: 20 },
  recommendation: { approveAt: 70, knowledgeOnlyCap: 60, denyAtOrBelow: -10 },
  highValueMonthlyDownloads: 1_000_000,
  primaryChangeWindowDays: 30,
  joinDateToleranceMonths: 12,
  expiredDomains: [],
  disposableDomains: DISPOSABLE_DOMAINS,
};
