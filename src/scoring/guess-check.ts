import type { AccountRecord, SecondFactorCounts } from './account-record.js';
import { hasSecondFactor } from './rules/second-factor.rule.js';
import { blindGuessGains, type ScoringConfig } from './scoring.config.js';

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
  /** The directory's own shares (null for an empty directory). */
  shares: ScoringConfig['guessBaseRates'] | null;
  /** Each blind guess that earns points on average at those shares. */
  paying: { guess: string; gain: number }[];
  /** What to tell the operator, one line each. */
  lines: string[];
}

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

/**
 * Whether the answer weights still make every blind yes/no guess lose at a directory's own shares of
 * 2FA and unused recovery codes: they were set for `config.guessBaseRates`, and a directory with other
 * shares can turn a guess into a gain (an impostor would then do better by answering at random).
 */
export function checkGuessing(counts: SecondFactorCounts, config: ScoringConfig): GuessCheck {
  if (counts.accounts === 0) {
    return { shares: null, paying: [], lines: ['The directory is empty: no 2FA or recovery-code shares to check the answer weights against.'] };
  }
  const shares = {
    secondFactor: counts.withSecondFactor / counts.accounts,
    recoveryCodesWithSecondFactor: counts.withSecondFactor === 0 ? 0 : counts.withRecoveryCodes / counts.withSecondFactor,
  };
  const paying = Object.entries(blindGuessGains({ ...config, guessBaseRates: shares }))
    .filter(([, gain]) => gain >= 0)
    .map(([guess, gain]) => ({ guess, gain }));
  const assumed = config.guessBaseRates;
  const lines = [
    `Directory: ${percent(shares.secondFactor)} of ${counts.accounts.toLocaleString('en-US')} accounts have 2FA ` +
      `(the evidence rules assume ${percent(assumed.secondFactor)}); ${percent(shares.recoveryCodesWithSecondFactor)} of those have ` +
      `unused recovery codes (assumed ${percent(assumed.recoveryCodesWithSecondFactor)}).`,
  ];
  lines.push(
    paying.length
      ? `Warning: at these shares a blind guess earns points on average (${paying.map((p) => `${p.guess} +${p.gain.toFixed(2)}`).join(', ')}). ` +
          'Set guessBaseRates and the answer weights in src/evidence/scoring.config.ts for this directory (README, "Evidence").'
      : 'At these shares every blind yes/no guess loses points on average, as the evidence rules intend.',
  );
  return { shares, paying, lines };
}
