import fc from 'fast-check';
import { answerLogRatios, answerWeights, blindGain } from './answer-weights.js';

describe('answerLogRatios', () => {
  it('are the log-likelihood ratios of an owner of the given accuracy against a guesser', () => {
    // 68% with 2FA, owners right 85% of the time: P(has | owner says yes) = .578 / (.578 + .048).
    const r = answerLogRatios(0.68, 0.85);
    const qYes = (0.85 * 0.68) / (0.85 * 0.68 + 0.15 * 0.32);
    expect(r.rightYes).toBeCloseTo(Math.log(qYes / 0.68), 12);
    expect(r.wrongYes).toBeCloseTo(-Math.log((1 - qYes) / 0.32), 12);
    const qNo = (0.85 * 0.32) / (0.85 * 0.32 + 0.15 * 0.68);
    expect(r.rightNo).toBeCloseTo(Math.log(qNo / 0.32), 12);
    expect(r.wrongNo).toBeCloseTo(-Math.log((1 - qNo) / 0.68), 12);
  });

  it('never let a blind answer gain on average, at any share and any owner accuracy (the mean is −KL ≤ 0)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 0.99, noNaN: true }), (share, accuracy) => {
        const gains = blindGain(answerLogRatios(share, accuracy), Math.min(0.99, Math.max(0.01, share)));
        expect(gains.yes).toBeLessThanOrEqual(1e-12);
        expect(gains.no).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('let an owner who answers gain on average whenever they are right more often than not', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.02, max: 0.98, noNaN: true }), fc.double({ min: 0.55, max: 0.99, noNaN: true }), (s, a) => {
        const r = answerLogRatios(s, a);
        // An owner of an account that has the thing says "yes" with probability a; of one that has not, "no".
        const mean = s * (a * r.rightYes - (1 - a) * r.wrongNo) + (1 - s) * (a * r.rightNo - (1 - a) * r.wrongYes);
        expect(mean).toBeGreaterThan(0);
      }),
    );
  });

  it('make the rarer right answer the stronger one', () => {
    const mostHave = answerLogRatios(0.93, 0.85);
    expect(mostHave.rightNo).toBeGreaterThan(mostHave.rightYes);
    const fewHave = answerLogRatios(0.2, 0.85);
    expect(fewHave.rightYes).toBeGreaterThan(fewHave.rightNo);
  });

  it('keep a share of 0 or 1 finite', () => {
    for (const share of [0, 1]) for (const value of Object.values(answerLogRatios(share, 0.85))) expect(Number.isFinite(value)).toBe(true);
  });
});

describe('answerWeights', () => {
  it('scales the ratios to points and rounds them to a tenth', () => {
    const r = answerLogRatios(0.5, 0.8);
    expect(answerWeights(0.5, 0.8, 16)).toEqual({
      rightYes: Math.round(160 * r.rightYes) / 10,
      rightNo: Math.round(160 * r.rightNo) / 10,
      wrongYes: Math.round(160 * r.wrongYes) / 10,
      wrongNo: Math.round(160 * r.wrongNo) / 10,
    });
  });
});
