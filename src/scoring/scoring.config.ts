import type { ProjectRole } from './account-record.js';
import { blindGain, type OwnerAnswerPriors, secondFactorAnswerWeights } from './answer-weights.js';
import { type DirectoryShares, priorShares } from './directory-shares.js';

/**
 * Weights and thresholds of the evidence scorer (docs/evidence.md, "The rules"). Every assessment stores `ruleVersion`:
 * bump it whenever a weight, a threshold or a rule changes, so that old assessments stay explainable.
 *
 * Principles (docs/evidence.md; docs/security.md #3–#6):
 * - Public facts (username, project names and roles, join date, addresses marked public, the linked
 *   identity) are worth nothing: anyone can read them, and an impostor who read the profile knows
 *   them better than an owner who remembers. They are still listed, so the moderator sees them.
 * - Knowing non-public facts (a verified address never shown publicly, a removed one, the 2FA and
 *   recovery-code states) counts more, but knowledge alone can never reach the approval threshold
 *   (`knowledgeOnlyCap`). One non-public address is the secret most often leaked (breach lists, old
 *   commits, mail archives), so alone it counts no more than the commonest right answer (2FA "yes");
 *   two or more that agree rarely leak together and count much more.
 * - Proven control (an e-mail code typed back, a token pushed to a project's repository, a sign-in to the
 *   linked GitHub account) counts most; two proofs through one channel (one GitHub account) count once.
 * - Contradictions count against, and the penalty grows faster than the number of wrong claims, so many
 *   wrong guesses weigh more than a few missing answers (a missing answer costs nothing). One costs
 *   little: owners misremember about one claim in ten.
 * - A guess must not pay. A yes/no answer earns its log-likelihood ratio (answer-weights.ts): how much
 *   likelier an owner is to give it, right or wrong, than a guesser, whose answer matches as often as
 *   the directory's share says. The shares come from the directory being scored (directory-shares.ts);
 *   only the owners' accuracy is a prior (`ownerAnswerPriors`). Every blind guess then loses on average,
 *   at any shares; saying nothing is an impostor's best move, and an owner, who knows, gains.
 * - The score starts at `neutralScore`, not 0, so that evidence against stays visible in it.
 */
export type { AnswerWeights } from './answer-weights.js';

/** The scorer's weights and thresholds, under the principles above. */
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
    /**
     * The contact address is a current verified address on file (public or not): every mail goes there,
     * so naming it helps only someone who reads it. Not proof: the code sent there is.
     */
    contactOnFile: number;
    /** Once (outside the cap), for knowing two or more verified non-public addresses: they rarely leak together. */
    corroboratedEmails: number;
    /** Taken off when the contact address is on a disposable-mail domain (a `risk` signal). */
    disposableContact: number;
    /** Code sent to a verified, current, non-expired address on file and typed back. */
    emailChallengePassed: number;
    /** Token pushed to the repository of one of the account's projects released before the request. */
    repoChallengePassed: number;
    /**
     * Signed in (OAuth device flow) to the GitHub account whose numeric id the directory links to the
     * account. As much as a repository token: both show control of an outside account the owner set up,
     * and less than an e-mail code, because the index sends its own resets to the addresses on file, and
     * a GitHub account is recovered through its own (often the same) address. Not added to a github.com
     * repository proof: one GitHub account can give both (rules/linked-identity-proof.rule.ts).
     */
    linkedGithubProven: number;
    /** Each other claim contradicting the directory (an address, a project, a join date far off). */
    contradiction: number;
    /** Extra penalty per pair of contradictions: n wrong claims cost n·contradiction + n(n−1)/2·this. */
    contradictionEscalation: number;
  };
  /**
   * Points per natural-log unit of likelihood ratio: the scale on which the yes/no answers are weighed
   * (a ratio of e ≈ 2.7 earns this many points).
   */
  pointsPerNat: number;
  /**
   * How often an owner who answers is right: about the 2FA state (a request to recover a lost second
   * factor claims "yes"), and about unused recovery codes, which owners asking for help often believe
   * they no longer have. Priors, not fitted (docs/evidence.md, "Answers weighed by the directory").
   */
  ownerAnswerPriors: OwnerAnswerPriors;
  /** Where every score starts (a ticket with no evidence either way); contradictions take it towards 0. */
  neutralScore: number;
  /** Lowest score of each band; anything below `weak` is `insufficient`. */
  bands: { strong: number; moderate: number; weak: number };
  recommendation: {
    /** Approve at or above this score, and only with proven control. */
    approveAt: number;
    /** Without proven control the score is capped here (always kept below `approveAt`). */
    knowledgeOnlyCap: number;
    /**
     * Deny when the unclamped score is at or below this: the evidence against outweighs all that was
     * known by `neutralScore` − this (12 points: a wrong 2FA "yes", or three wrong claims).
     */
    denyAtOrBelow: number;
  };
  /**
   * The shares assumed until a directory has its own (fewer than 50 accounts): of accounts with a second
   * factor, and of those with unused recovery codes. The directory's own shares replace them.
   */
  guessBaseRates: { secondFactor: number; recoveryCodesWithSecondFactor: number };
  /** An account in one of `highValueRoles` on a project with at least this many monthly downloads is a high-value account. */
  highValueMonthlyDownloads: number;
  /**
   * The roles on such a project that make the account high-value. A maintainer can publish a release as
   * an owner can, so taking over either reaches the project's users.
   */
  highValueRoles: readonly ProjectRole[];
  /** A primary address added (or a primary removed) within this many days raises a flag. */
  primaryChangeWindowDays: number;
  /** A claimed `YYYY` / `YYYY-MM` this many months away from the real join month is neutral, further is wrong. */
  joinDateToleranceMonths: number;
  /** Domains known expired or in redemption: addresses on them are no evidence (docs/security.md #6). */
  expiredDomains: readonly string[];
  /** Disposable-mail domains (subdomains match too). */
  disposableDomains: readonly string[];
}

export const DISPOSABLE_DOMAINS: readonly string[] = [
  '10minutemail.com',
  '20minutemail.com',
  'discard.email',
  'dispostable.com',
  'fakeinbox.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'mailinator.com',
  'maildrop.cc',
  'mintemail.com',
  'mohmal.com',
  'sharklasers.com',
  'temp-mail.org',
  'tempmail.com',
  'tempmail.net',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
  'emailondeck.com',
  'spamgourmet.com',
];

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  ruleVersion: '2026.12.4',
  weights: {
    projectKnown: 0,
    projectKnownCap: 0,
    joinDateKnown: 0,
    linkedIdentityKnown: 0,
    publicEmailKnown: 0,
    publicEmailCap: 0,
    privateEmailKnown: 6,
    removedEmailKnown: 4,
    unverifiedEmailKnown: 4,
    privateEmailCap: 30,
    corroboratedEmails: 30,
    contactOnFile: 24,
    disposableContact: 20,
    emailChallengePassed: 48,
    repoChallengePassed: 40,
    linkedGithubProven: 40,
    contradiction: 4,
    contradictionEscalation: 2,
  },
  pointsPerNat: 16,
  ownerAnswerPriors: { secondFactor: 0.85, recoveryCodes: 0.75 },
  neutralScore: 20,
  bands: { strong: 75, moderate: 50, weak: 30 },
  recommendation: { approveAt: 75, knowledgeOnlyCap: 65, denyAtOrBelow: 8 },
  guessBaseRates: { secondFactor: 0.68, recoveryCodesWithSecondFactor: 0.55 },
  highValueMonthlyDownloads: 1_000_000,
  highValueRoles: ['Owner', 'Maintainer'],
  primaryChangeWindowDays: 30,
  joinDateToleranceMonths: 12,
  expiredDomains: [],
  disposableDomains: DISPOSABLE_DOMAINS,
};

/** The shares the rules assume when a directory has none of its own. */
export function configuredShares(config: ScoringConfig): DirectoryShares {
  return priorShares(config.guessBaseRates);
}

/** The answer weights at a directory's shares (the configured prior when none are given). */
export function answerWeightsAt(config: ScoringConfig, shares: DirectoryShares = configuredShares(config)) {
  return secondFactorAnswerWeights(shares, config.ownerAnswerPriors, config.pointsPerNat);
}

/**
 * What a blind guess earns on average at a directory's shares, for each answer an outsider could give
 * without knowing: "yes" or "no" to 2FA, and "yes" or "no" to recovery codes. The weights are
 * log-likelihood ratios at those same shares, so every value is at most 0 (answer-weights.ts).
 */
export function blindGuessGains(config: ScoringConfig, shares: DirectoryShares = configuredShares(config)): Record<string, number> {
  const w = answerWeightsAt(config, shares);
  const twoFactor = blindGain(w.twoFactor, shares.secondFactor);
  const codes = blindGain(w.recoveryCodes, shares.recoveryCodes);
  return {
    '2FA "yes"': twoFactor.yes,
    '2FA "no"': twoFactor.no,
    'recovery codes "yes"': codes.yes,
    'recovery codes "no"': codes.no,
  };
}
