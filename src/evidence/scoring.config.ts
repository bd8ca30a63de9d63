/**
 * Weights and thresholds of the evidence scorer (issue 3). Every assessment stores `ruleVersion`:
 * bump it whenever a weight, a threshold or a rule changes, so that old assessments stay explainable.
 *
 * Principles (../shared/DESIGN.md, "Evidence"; ../shared/SECURITY.md rows 3–6):
 * - Public facts (username, project names and roles, join date, addresses marked public, the linked
 *   identity) are worth nothing: anyone can read them, and an impostor who read the profile knows
 *   them better than an owner who remembers. They are still listed, so the moderator sees them.
 * - Knowing non-public facts (a verified address never shown publicly, a removed one, the 2FA state)
 *   counts more, but knowledge alone can never reach the approval threshold (`knowledgeOnlyCap`).
 *   One non-public address is the secret most often leaked (breach lists, old commits, mail archives),
 *   so alone it counts moderately; two or more that agree rarely leak together and count more.
 * - Proven control (an e-mail code typed back, a token pushed to a project's repository) counts most.
 * - Contradictions count against, and the penalty grows faster than the number of wrong claims, so many
 *   wrong guesses weigh more than a few missing answers (a missing answer costs nothing).
 * - A guess must not pay: a yes/no fact an outsider guesses right about two times in three (most
 *   maintainers have 2FA) costs more than twice as much when wrong as it earns when right, so a blind
 *   guess loses points on average while an owner, who knows the answer, gains.
 * - The score starts at `neutralScore`, not 0, so that evidence against stays visible in it.
 */
export interface ScoringConfig {
  ruleVersion: string;
  weights: {
    /** Each claimed project the account really has (public: package metadata). 0: a reader knows them all. */
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
    /** Once (outside the cap), for knowing two or more verified non-public addresses: they rarely leak together. */
    corroboratedEmails: number;
    /** Taken off when the contact address is on a disposable-mail domain (a `risk` signal). */
    disposableContact: number;
    /** Claimed 2FA state matches; a request to recover a lost second factor claims 'yes'. Easy to guess. */
    twoFactorStateKnown: number;
    /** Claimed recovery-code state matches (likewise easy to guess). */
    recoveryCodeStateKnown: number;
    /** A wrong 2FA state (a contradiction): over twice `twoFactorStateKnown`, so guessing does not pay. */
    twoFactorStateWrong: number;
    /** A wrong recovery-code state (a contradiction), likewise. */
    recoveryCodeStateWrong: number;
    /** Code sent to a verified, current, non-expired address on file and typed back. */
    emailChallengePassed: number;
    /** Token pushed to the repository of one of the account's projects released before the request. */
    repoChallengePassed: number;
    /** Each other claim contradicting the directory (an address, a project, a join date far off). */
    contradiction: number;
    /** Extra penalty per pair of contradictions: n wrong claims cost n·contradiction + n(n−1)/2·this. */
    contradictionEscalation: number;
  };
  /** Where every score starts (a ticket with no evidence either way); contradictions take it towards 0. */
  neutralScore: number;
  /** Lowest score of each band; anything below `weak` is `insufficient`. */
  bands: { strong: number; moderate: number; weak: number };
  recommendation: {
    /** Approve at or above this score, and only with proven control. */
    approveAt: number;
    /** Without proven control the score is capped here (always kept below `approveAt`). */
    knowledgeOnlyCap: number;
    /** Deny when the unclamped score is at or below this: contradictions outweigh everything else. */
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
  ruleVersion: '2026.11.3',
  weights: {
    projectKnown: 0,
    projectKnownCap: 0,
    joinDateKnown: 0,
    linkedIdentityKnown: 0,
    publicEmailKnown: 0,
    publicEmailCap: 0,
    privateEmailKnown: 12,
    removedEmailKnown: 8,
    unverifiedEmailKnown: 4,
    privateEmailCap: 30,
    corroboratedEmails: 12,
    disposableContact: 5,
    twoFactorStateKnown: 4,
    recoveryCodeStateKnown: 3,
    twoFactorStateWrong: 18,
    recoveryCodeStateWrong: 8,
    emailChallengePassed: 60,
    repoChallengePassed: 50,
    contradiction: 6,
    contradictionEscalation: 3,
  },
  neutralScore: 10,
  bands: { strong: 75, moderate: 50, weak: 30 },
  recommendation: { approveAt: 75, knowledgeOnlyCap: 65, denyAtOrBelow: 0 },
  highValueMonthlyDownloads: 1_000_000,
  primaryChangeWindowDays: 30,
  joinDateToleranceMonths: 12,
  expiredDomains: [],
  disposableDomains: DISPOSABLE_DOMAINS,
};
