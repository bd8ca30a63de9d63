/**
 * The directory's own shares of the facts a guesser would have to guess: accounts with a second factor
 * and with unused recovery codes. The answer weights are computed from them (answer-weights.ts), so the
 * same rules fit an index where 45% of accounts have 2FA and one that requires it. Every assessment
 * keeps the version of the shares it was scored with, so an old score can still be explained.
 */
import type { SecondFactorCounts } from './account-record.js';

export interface DirectoryShares {
  /** `prior` for the configured shares, else `d<accounts>-2fa<‰>-rc<‰>`: the same counts give the same version. */
  version: string;
  /** Accounts counted (0 for the prior). */
  accounts: number;
  /** Share of accounts with a second factor (TOTP or a security key). */
  secondFactor: number;
  /** Share of all accounts with unused recovery codes. */
  recoveryCodes: number;
}

/** Fewer accounts than this and the directory's shares say too little: the prior is used instead. */
export const MIN_ACCOUNTS_FOR_SHARES = 50;

const perMille = (share: number) => Math.round(1000 * share);

/** The prior shares (the config's `guessBaseRates`), for a directory too small to have its own. */
export function priorShares(rates: { secondFactor: number; recoveryCodesWithSecondFactor: number }): DirectoryShares {
  return { version: 'prior', accounts: 0, secondFactor: rates.secondFactor, recoveryCodes: rates.secondFactor * rates.recoveryCodesWithSecondFactor };
}

/**
 * The shares of a directory's counts, rounded to a tenth of a percent (the version names them), or the
 * prior when it has fewer than MIN_ACCOUNTS_FOR_SHARES accounts.
 */
export function sharesOf(counts: SecondFactorCounts, prior: DirectoryShares): DirectoryShares {
  if (counts.accounts < MIN_ACCOUNTS_FOR_SHARES) return prior;
  const secondFactor = perMille(counts.withSecondFactor / counts.accounts);
  const recoveryCodes = perMille(counts.withRecoveryCodes / counts.accounts);
  return {
    version: `d${counts.accounts}-2fa${secondFactor}-rc${recoveryCodes}`,
    accounts: counts.accounts,
    secondFactor: secondFactor / 1000,
    recoveryCodes: recoveryCodes / 1000,
  };
}

/** One line for people: "68.0% with 2FA, 37.4% with unused recovery codes, of 1,000 accounts". */
export function describeShares(shares: DirectoryShares): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const basis = shares.version === 'prior' ? 'the configured prior' : `${shares.accounts.toLocaleString('en-US')} accounts`;
  return `${pct(shares.secondFactor)} with 2FA, ${pct(shares.recoveryCodes)} with unused recovery codes (${basis})`;
}
