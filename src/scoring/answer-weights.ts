/**
 * What a yes/no answer about the account is worth, as a log-likelihood ratio: how much likelier an
 * owner is to give that answer, and be right or wrong with it, than someone guessing (docs/evidence.md,
 * "Answers weighed by the directory").
 *
 * A guesser's answer does not depend on the account, so the chance that it matches is the directory's
 * share of accounts for which it is true. An owner's answer is right with the `accuracy` of the
 * documented prior. Conditioning on what was claimed (the requester picks the claim, so its own odds
 * say nothing), the weight of a match is ln(q / s) and of a mismatch ln((1 − q) / (1 − s)), where s is
 * the share and q the chance that an owner who gave this answer is right. Their mean under guessing is
 * −KL(s‖q) ≤ 0: at any directory's shares, no blind answer gains on average, and none of these weights is
 * set by hand.
 */
import type { DirectoryShares } from './directory-shares.js';

/** Points for a yes/no answer, by what was claimed and whether the directory agrees. */
export interface AnswerWeights {
  /** Claimed "yes", and the account agrees. */
  rightYes: number;
  /** Claimed "no", and the account agrees. */
  rightNo: number;
  /** Claimed "yes", and the account says no (a contradiction; a positive number, taken off). */
  wrongYes: number;
  /** Claimed "no", and the account says yes (a contradiction; a positive number, taken off). */
  wrongNo: number;
}

/** The owner-side priors: how often an owner who answers is right (docs/evidence.md lists the sources). */
export interface OwnerAnswerPriors {
  secondFactor: number;
  recoveryCodes: number;
}

/** Shares so close to 0 or 1 would make one answer infinitely strong; a directory is never that certain. */
const SHARE_FLOOR = 0.01;
const clampShare = (share: number) => Math.min(1 - SHARE_FLOOR, Math.max(SHARE_FLOOR, share));

/** The log-likelihood ratios (natural log) of each outcome of a yes/no answer: see the file comment. */
export function answerLogRatios(share: number, accuracy: number): AnswerWeights {
  const s = clampShare(share);
  const a = Math.min(0.99, Math.max(0.5, accuracy));
  // An owner who says "yes" is right when the account has the thing: P(has | owner says yes).
  const qYes = (a * s) / (a * s + (1 - a) * (1 - s));
  // An owner who says "no" is right when it has not: P(has not | owner says no).
  const qNo = (a * (1 - s)) / (a * (1 - s) + (1 - a) * s);
  // Where (nearly) every account has the thing, or none has, the common answer is what anyone would
  // say: matching it is no evidence at all.
  return {
    rightYes: share >= 1 - SHARE_FLOOR ? 0 : Math.log(qYes / s),
    wrongYes: -Math.log((1 - qYes) / (1 - s)),
    rightNo: share <= SHARE_FLOOR ? 0 : Math.log(qNo / (1 - s)),
    wrongNo: -Math.log((1 - qNo) / s),
  };
}

/** The same in points (`pointsPerNat` points per natural-log unit), rounded to a tenth. */
export function answerWeights(share: number, accuracy: number, pointsPerNat: number): AnswerWeights {
  const r = answerLogRatios(share, accuracy);
  const points = (x: number) => Math.round(10 * pointsPerNat * x) / 10;
  return { rightYes: points(r.rightYes), rightNo: points(r.rightNo), wrongYes: points(r.wrongYes), wrongNo: points(r.wrongNo) };
}

/** Both answers' weights at a directory's shares. */
export function secondFactorAnswerWeights(
  shares: Pick<DirectoryShares, 'secondFactor' | 'recoveryCodes'>,
  priors: OwnerAnswerPriors,
  pointsPerNat: number,
): { twoFactor: AnswerWeights; recoveryCodes: AnswerWeights } {
  return {
    twoFactor: answerWeights(shares.secondFactor, priors.secondFactor, pointsPerNat),
    recoveryCodes: answerWeights(shares.recoveryCodes, priors.recoveryCodes, pointsPerNat),
  };
}

/** What a blind answer earns on average when it is right with probability `pYes` (for "yes"). */
export function blindGain(w: AnswerWeights, pYes: number): { yes: number; no: number } {
  return { yes: pYes * w.rightYes - (1 - pYes) * w.wrongYes, no: (1 - pYes) * w.rightNo - pYes * w.wrongNo };
}
