import { TicketState } from '../tickets/ticket-state.js';
import {
  brierScore,
  buildCalibration,
  CALIBRATION_POLICY,
  calibrationError,
  enoughOutcomes,
  fitLogistic,
  formatPOwner,
  type LabelledScore,
  OUTCOME_LABELS,
  pOwner,
  priorCurve,
  reliabilityBins,
  rocAuc,
} from './calibration.js';
import { DEFAULT_SCORING_CONFIG } from './scoring.config.js';

/** A small PRNG so the synthetic outcomes are the same on every run. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Scores 0..100 (integers, so many ties) labelled by a known curve: P(owner) = σ(a + b·(score − 20)). */
function synthetic(n: number, a: number, b: number, seed = 7): LabelledScore[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const score = Math.round(random() * 100);
    const p = 1 / (1 + Math.exp(-(a + b * (score - 20))));
    return { score, owner: random() < p };
  });
}

const config = DEFAULT_SCORING_CONFIG;

describe('priorCurve', () => {
  it('reads the score as log-odds: even at neutral, e times likelier per pointsPerNat', () => {
    const prior = priorCurve(config);
    expect(prior.method).toBe('prior');
    expect(pOwner(prior, config.neutralScore)).toBeCloseTo(0.5, 10);
    const odds = (p: number) => p / (1 - p);
    expect(odds(pOwner(prior, config.neutralScore + config.pointsPerNat))).toBeCloseTo(Math.E, 10);
    expect(pOwner(prior, 0)).toBeLessThan(0.5);
    expect(pOwner(prior, 100)).toBeGreaterThan(0.99);
  });
});

describe('fitLogistic', () => {
  it('recovers a known curve from 5,000 synthetic outcomes', () => {
    const curve = fitLogistic(synthetic(5000, -0.5, 0.08), 20, 16);
    expect(curve.method).toBe('logistic');
    expect(curve.intercept).toBeCloseTo(-0.5, 0);
    expect(curve.slope).toBeGreaterThan(0.065);
    expect(curve.slope).toBeLessThan(0.095);
  });

  it('is calibrated on held-out synthetic data: each populated tenth within 0.06 of what was observed', () => {
    const curve = fitLogistic(synthetic(4000, 0.3, 0.06, 1), 20, 16);
    const held = synthetic(20000, 0.3, 0.06, 2);
    const bins = reliabilityBins(held.map((p) => ({ predicted: pOwner(curve, p.score), owner: p.owner })));
    for (const bin of bins.filter((b) => b.tickets >= 500)) expect(Math.abs(bin.meanPredicted! - bin.observed!)).toBeLessThan(0.06);
    expect(calibrationError(bins)).toBeLessThan(0.03);
    // The prior, whose slope is a third too steep here, is off by more.
    const prior = priorCurve(config);
    expect(calibrationError(reliabilityBins(held.map((p) => ({ predicted: pOwner(prior, p.score), owner: p.owner }))))).toBeGreaterThan(
      calibrationError(bins)!,
    );
  });

  it('is monotone: never decreasing in the score, even when the outcomes run the other way', () => {
    const reversed = synthetic(2000, 0, -0.05, 3);
    const curve = fitLogistic(reversed, 20, 16);
    expect(curve.slope).toBe(0);
    const share = reversed.filter((p) => p.owner).length / reversed.length;
    expect(pOwner(curve, 0)).toBeCloseTo(share, 2);
    expect(pOwner(curve, 100)).toBe(pOwner(curve, 0));
    const rising = fitLogistic(synthetic(2000, 0, 0.05, 4), 20, 16);
    for (let s = 0; s < 100; s++) expect(pOwner(rising, s + 1)).toBeGreaterThanOrEqual(pOwner(rising, s));
  });

  it('gives a finite, moderate curve when owners and impostors are cleanly separated (smoothed targets)', () => {
    const points = [...Array.from({ length: 50 }, () => ({ score: 80, owner: true })), ...Array.from({ length: 50 }, () => ({ score: 10, owner: false }))];
    const curve = fitLogistic(points, 20, 16);
    expect(Number.isFinite(curve.slope)).toBe(true);
    expect(pOwner(curve, 80)).toBeLessThan(1);
    expect(pOwner(curve, 80)).toBeCloseTo(51 / 52, 2);
    expect(pOwner(curve, 10)).toBeCloseTo(1 / 52, 2);
  });

  it('handles ties: every score the same gives the (smoothed) observed share, slope 0', () => {
    const points = [...Array.from({ length: 30 }, () => ({ score: 40, owner: true })), ...Array.from({ length: 10 }, () => ({ score: 40, owner: false }))];
    const curve = fitLogistic(points, 20, 16);
    expect(curve.slope).toBe(0);
    expect(pOwner(curve, 40)).toBeCloseTo((30 * (31 / 32) + 10 * (1 / 12)) / 40, 6);
  });

  it('handles tiny n: one outcome, or two, gives a finite curve strictly between 0 and 1', () => {
    for (const points of [
      [{ score: 50, owner: true }],
      [{ score: 5, owner: false }],
      [
        { score: 50, owner: true },
        { score: 5, owner: false },
      ],
    ]) {
      const curve = fitLogistic(points, 20, 16);
      for (const s of [0, 50, 100]) {
        expect(pOwner(curve, s)).toBeGreaterThan(0);
        expect(pOwner(curve, s)).toBeLessThan(1);
      }
    }
    expect(() => fitLogistic([], 20, 16)).toThrow('at least one outcome');
  });
});

describe('buildCalibration', () => {
  it('keeps the prior until there are enough outcomes of both labels', () => {
    const few = synthetic(150, 0, 0.08);
    expect(buildCalibration('r1', few, config).curve.method).toBe('prior');
    const onlyOwners = Array.from({ length: 400 }, (_, i) => ({ score: i % 100, owner: i % 40 !== 0 }));
    expect(onlyOwners.filter((p) => !p.owner).length).toBeLessThan(CALIBRATION_POLICY.minEachLabel);
    expect(buildCalibration('r1', onlyOwners, config).curve.method).toBe('prior');
    const enough = buildCalibration('r1', synthetic(600, 0, 0.08), config);
    expect(enough.curve.method).toBe('logistic');
    expect(enough.outcomes).toBe(600);
    expect(enough.owners + enough.notOwners).toBe(600);
    expect(enough.ruleVersion).toBe('r1');
  });

  it('counts the minimum at its edges', () => {
    expect(enoughOutcomes(170, 30)).toBe(true);
    expect(enoughOutcomes(170, 29)).toBe(false);
    expect(enoughOutcomes(169, 30)).toBe(false);
  });
});

describe('reliabilityBins', () => {
  it('puts each prediction in its tenth (1 in the last), counts owners, and keeps empty tenths', () => {
    const bins = reliabilityBins([
      { predicted: 0, owner: false },
      { predicted: 0.05, owner: true },
      { predicted: 0.1, owner: true },
      { predicted: 0.95, owner: true },
      { predicted: 1, owner: false },
    ]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ tickets: 2, owners: 1, observed: 0.5 });
    expect(bins[0].meanPredicted).toBeCloseTo(0.025);
    expect(bins[1]).toMatchObject({ tickets: 1, owners: 1, observed: 1 });
    expect(bins[5]).toMatchObject({ tickets: 0, meanPredicted: null, observed: null });
    expect(bins[9]).toMatchObject({ tickets: 2, owners: 1 });
  });

  it('gives the calibration error and Brier score, null without rows', () => {
    expect(calibrationError(reliabilityBins([]))).toBeNull();
    expect(brierScore([])).toBeNull();
    expect(brierScore([{ predicted: 0.5, owner: true }])).toBe(0.25);
  });
});

describe('rocAuc', () => {
  it('counts ties as half and is null without both sides', () => {
    expect(rocAuc([2, 3], [1])).toBe(1);
    expect(rocAuc([1], [1])).toBe(0.5);
    expect(rocAuc([1, 3], [2])).toBe(0.5);
    expect(rocAuc([], [1])).toBeNull();
  });
});

describe('OUTCOME_LABELS', () => {
  it('names ticket states: completed is the owner, denied and a stopped (cancelled) recovery are not', () => {
    for (const state of Object.keys(OUTCOME_LABELS)) expect(Object.values(TicketState)).toContain(state);
    expect(OUTCOME_LABELS[TicketState.Completed]).toBe(true);
    expect(OUTCOME_LABELS[TicketState.Denied]).toBe(false);
    expect(OUTCOME_LABELS[TicketState.Cancelled]).toBe(false);
    expect(OUTCOME_LABELS[TicketState.Withdrawn]).toBeUndefined();
  });
});

describe('formatPOwner', () => {
  it('never prints certainty', () => {
    expect(formatPOwner(0.834)).toBe('0.83');
    expect(formatPOwner(0.9999)).toBe('0.99');
    expect(formatPOwner(0)).toBe('0.01');
  });
});
