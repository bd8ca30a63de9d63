/**
 * P(owner) from a score (docs/evidence.md, "Calibrated odds"): a logistic curve over the score, fitted
 * to decided tickets (Platt scaling), or a documented prior until there are enough of them.
 *
 * Why logistic and not isotonic: with a few hundred outcomes a two-parameter curve is steady, where
 * pool-adjacent-violators makes a staircase that jumps with every new ticket and says 0 or 1 at the
 * ends (a moderator would read "P(owner) 1.00" as certainty). The score is already a sum of
 * log-likelihood ratios (`pointsPerNat` points per nat), so a straight line in log-odds is the shape
 * the rules mean; the fit only corrects its slope and offset. Pure: no I/O.
 */
import type { ScoringConfig } from './scoring.config.js';

/** When the fitted curve replaces the prior, and what the prior is. */
export interface CalibrationPolicy {
  /** Decided tickets (of the rule version) needed before a fit is used. */
  minOutcomes: number;
  /** And at least this many of each label: a fit without denials knows nothing about impostors. */
  minEachLabel: number;
  /** The prior's log-odds of an owner at `neutralScore` (0: even odds for a ticket with no evidence either way). */
  priorLogOddsAtNeutral: number;
}

export const CALIBRATION_POLICY: CalibrationPolicy = { minOutcomes: 200, minEachLabel: 30, priorLogOddsAtNeutral: 0 };

/**
 * How a closed ticket's final state labels it (docs/evidence.md, "Calibrated odds"): a completed
 * recovery was the owner's; a denial was not; a recovery stopped from an address on file during the
 * cooling-off or before the link was used is a confirmed impostor. Withdrawn and unanswered tickets
 * say nothing and are left out. The keys are ticket states (src/tickets/ticket-state.ts; a test checks).
 */
export const OUTCOME_LABELS: Readonly<Record<string, boolean>> = { completed: true, denied: false, cancelled: false };

/** A decided ticket: its score under one rule version and whether it was the owner. */
export interface LabelledScore {
  score: number;
  owner: boolean;
}

/** P(owner) = sigmoid(intercept + slope · (score − center)). */
export interface CalibrationCurve {
  method: 'prior' | 'logistic';
  intercept: number;
  slope: number;
  center: number;
}

export interface Calibration {
  ruleVersion: string;
  curve: CalibrationCurve;
  outcomes: number;
  owners: number;
  notOwners: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** P(owner) of a score under a curve, in [0, 1]. */
export function pOwner(curve: CalibrationCurve, score: number): number {
  return sigmoid(curve.intercept + curve.slope * (score - curve.center));
}

/**
 * The prior: the rules' own scale read as log-odds. A score `pointsPerNat` above neutral is e times
 * likelier to be the owner's; at neutral the odds are `priorLogOddsAtNeutral`.
 */
export function priorCurve(config: Pick<ScoringConfig, 'pointsPerNat' | 'neutralScore'>, policy: CalibrationPolicy = CALIBRATION_POLICY): CalibrationCurve {
  return { method: 'prior', intercept: policy.priorLogOddsAtNeutral, slope: 1 / config.pointsPerNat, center: config.neutralScore };
}

/** Whether there are enough outcomes for a fit to replace the prior. */
export function enoughOutcomes(owners: number, notOwners: number, policy: CalibrationPolicy = CALIBRATION_POLICY): boolean {
  return owners + notOwners >= policy.minOutcomes && owners >= policy.minEachLabel && notOwners >= policy.minEachLabel;
}

/**
 * Platt scaling: the logistic curve of greatest likelihood, against Platt's smoothed targets
 * ((n₊+1)/(n₊+2) for an owner, 1/(n₋+2) for not) so that cleanly separated outcomes still give a
 * finite slope, by Newton's method with a step halved until the likelihood improves. The score is
 * divided by `scale` inside, so the numbers stay near 1. A slope below 0 (higher scores meaning
 * fewer owners) is not kept: the curve is then flat at the observed share, never decreasing.
 * Any n ≥ 1 gives a curve; whether to use it is `enoughOutcomes`'s question.
 */
export function fitLogistic(points: readonly LabelledScore[], center: number, scale: number): CalibrationCurve {
  if (points.length === 0) throw new Error('fitLogistic needs at least one outcome');
  const owners = points.filter((p) => p.owner).length;
  const hi = (owners + 1) / (owners + 2);
  const lo = 1 / (points.length - owners + 2);
  const xs = points.map((p) => (p.score - center) / scale);
  const ts = points.map((p) => (p.owner ? hi : lo));
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) {
      const z = a + b * xs[i];
      // −[t·log σ(z) + (1−t)·log(1−σ(z))], written to stay finite for large |z|.
      sum += Math.max(z, 0) - ts[i] * z + Math.log1p(Math.exp(-Math.abs(z)));
    }
    return sum;
  };
  const flatIntercept = () => {
    const mean = ts.reduce((s, t) => s + t, 0) / ts.length;
    return Math.log(mean / (1 - mean));
  };
  let a = flatIntercept();
  let b = 0;
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < xs.length; i++) {
      const p = sigmoid(a + b * xs[i]);
      const d = p - ts[i];
      const w = p * (1 - p);
      ga += d;
      gb += d * xs[i];
      haa += w;
      hab += w * xs[i];
      hbb += w * xs[i] * xs[i];
    }
    const det = haa * hbb - hab * hab;
    // All scores equal: the slope is not identifiable; only the intercept moves.
    const [da, db] = det > 1e-12 ? [(hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det] : [ga / haa, 0];
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-8) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (improved < 1e-12 && Math.abs(step * da) + Math.abs(step * db) < 1e-10) break;
  }
  if (b < 0) return { method: 'logistic', intercept: flatIntercept(), slope: 0, center };
  return { method: 'logistic', intercept: a, slope: b / scale, center };
}

/** The calibration for one rule version: fitted when there are enough outcomes, the prior otherwise. */
export function buildCalibration(
  ruleVersion: string,
  points: readonly LabelledScore[],
  config: Pick<ScoringConfig, 'pointsPerNat' | 'neutralScore'>,
  policy: CalibrationPolicy = CALIBRATION_POLICY,
): Calibration {
  const owners = points.filter((p) => p.owner).length;
  const notOwners = points.length - owners;
  const curve = enoughOutcomes(owners, notOwners, policy) ? fitLogistic(points, config.neutralScore, config.pointsPerNat) : priorCurve(config, policy);
  return { ruleVersion, curve, outcomes: points.length, owners, notOwners };
}

/** One tenth of P(owner): how many tickets were predicted in it, the mean prediction and the share that were owners. */
export interface ReliabilityBin {
  /** Lower edge: 0, 0.1, … 0.9 (the last bin includes 1). */
  from: number;
  to: number;
  tickets: number;
  owners: number;
  /** Null when the bin is empty. */
  meanPredicted: number | null;
  observed: number | null;
}

/** Predicted against observed, by tenth of P(owner): all ten bins, empty ones included. */
export function reliabilityBins(rows: ReadonlyArray<{ predicted: number; owner: boolean }>): ReliabilityBin[] {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, tickets: 0, owners: 0, sum: 0 }));
  for (const row of rows) {
    const bin = bins[Math.min(9, Math.max(0, Math.floor(row.predicted * 10)))];
    bin.tickets++;
    bin.sum += row.predicted;
    if (row.owner) bin.owners++;
  }
  return bins.map(({ sum, ...b }) => ({
    ...b,
    meanPredicted: b.tickets ? sum / b.tickets : null,
    observed: b.tickets ? b.owners / b.tickets : null,
  }));
}

/** Expected calibration error over the tenths: the tickets-weighted mean |predicted − observed|. Null without tickets. */
export function calibrationError(bins: readonly ReliabilityBin[]): number | null {
  const total = bins.reduce((s, b) => s + b.tickets, 0);
  if (!total) return null;
  return bins.reduce((s, b) => s + (b.tickets ? (b.tickets / total) * Math.abs(b.meanPredicted! - b.observed!) : 0), 0);
}

/** The Brier score: mean squared difference between P(owner) and the outcome (0 perfect, 0.25 a coin). Null without rows. */
export function brierScore(rows: ReadonlyArray<{ predicted: number; owner: boolean }>): number | null {
  if (!rows.length) return null;
  return rows.reduce((s, r) => s + (r.predicted - (r.owner ? 1 : 0)) ** 2, 0) / rows.length;
}

/**
 * ROC AUC exactly: the chance that a random positive scores above a random negative, ties counting
 * half (the Mann–Whitney U statistic over nP·nN). Null when either side is empty.
 */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number | null {
  if (!positives.length || !negatives.length) return null;
  const all = [...positives.map((score) => ({ score, positive: true })), ...negatives.map((score) => ({ score, positive: false }))].sort(
    (a, b) => a.score - b.score,
  );
  let wins = 0;
  let negativesBelow = 0;
  for (let i = 0; i < all.length;) {
    let pos = 0;
    let neg = 0;
    const score = all[i].score;
    for (; i < all.length && all[i].score === score; i++) {
      if (all[i].positive) pos++;
      else neg++;
    }
    wins += pos * negativesBelow + 0.5 * pos * neg;
    negativesBelow += neg;
  }
  return wins / (positives.length * negatives.length);
}

/** "P(owner) 0.83": two decimals, never "1.00" or "0.00", which would read as certainty. */
export function formatPOwner(p: number): string {
  return Math.min(0.99, Math.max(0.01, p)).toFixed(2);
}
