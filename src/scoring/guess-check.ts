import type { AccountRecord, SecondFactorCounts } from './account-record.js';
import { hasSecondFactor } from './rules/second-factor.rule.js';
import { blindGuessGains, configuredShares, type ScoringConfig } from './scoring.config.js';
import { type DirectoryShares, describeShares, sharesOf } from './directory-shares.js';

/** The counts of a directory held in memory (the evaluation's, the demo data); the database counts its own. */
export function countSecondFactors(accounts: readonly AccountRecord[]): SecondFactorCounts {
  const withSecondFactor = accounts.filter(hasSecondFactor);
  return {
    accounts: accounts.length,
    withSecondFactor: withSecondFactor.length,
    withRecoveryCodes: withSecondFactor.filter((a) => a.recoveryCodesUnused > 0).length,
  };
}

export interface GuessCheck {
  /** The shares the answers are weighed against: the directory's own, or the prior for a small one. */
  shares: DirectoryShares;
  /** Each blind guess that earns points on average at those shares (none, unless the weights are broken). */
  paying: { guess: string; gain: number }[];
  /** What to tell the operator, one line each. */
  lines: string[];
}

/**
 * The directory's shares of 2FA and unused recovery codes, which the yes/no answers are weighed against
 * (answer-weights.ts), and a check that no blind yes/no guess earns points on average at them: the
 * weights are log-likelihood ratios at those shares, so none should.
 */
export function checkGuessing(counts: SecondFactorCounts, config: ScoringConfig): GuessCheck {
  const shares = sharesOf(counts, configuredShares(config));
  const paying = Object.entries(blindGuessGains(config, shares))
    .filter(([, gain]) => gain > 1e-9)
    .map(([guess, gain]) => ({ guess, gain }));
  const lines = [
    shares.version === 'prior'
      ? `Directory: ${counts.accounts.toLocaleString('en-US')} accounts, too few for shares of its own: the answers are weighed against ${describeShares(shares)}.`
      : `Directory: ${describeShares(shares)}; the yes/no answers are weighed against these shares (version ${shares.version}).`,
  ];
  lines.push(
    paying.length
      ? `Warning: at these shares a blind guess earns points on average (${paying.map((p) => `${p.guess} +${p.gain.toFixed(2)}`).join(', ')}): the answer weights are broken.`
      : 'At these shares every blind yes/no guess loses points on average, as the evidence rules intend.',
  );
  return { shares, paying, lines };
}
