import fc from 'fast-check';
import { niceTicks } from './nice-ticks.util.js';

describe('niceTicks', () => {
  it.each([
    [10, 5, [0, 2, 4, 6, 8, 10]],
    [12, 5, [0, 5, 10, 15]],
    [98, 5, [0, 20, 40, 60, 80, 100]],
    [100, 5, [0, 20, 40, 60, 80, 100]],
    [101, 5, [0, 50, 100, 150]],
    [7, 5, [0, 2, 4, 6, 8]],
    [1, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0.3, 3, [0, 0.1, 0.2, 0.3]],
    [1_200_000, 4, [0, 500_000, 1_000_000, 1_500_000]],
  ])('max %p in about %p steps → %p', (max, count, expected) => {
    expect(niceTicks(max, count)).toEqual(expected);
  });

  it('gives the axis 0..1 for a max of 0, a negative max or no number', () => {
    expect(niceTicks(0, 5, 1)).toEqual([0, 1]);
    expect(niceTicks(-3, 5, 1)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN, 5, 1)).toEqual([0, 1]);
    expect(niceTicks(0, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('keeps count axes in whole numbers with minStep 1', () => {
    expect(niceTicks(2, 5)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceTicks(2, 5, 1)).toEqual([0, 1, 2]);
    expect(niceTicks(40, 5, 1)).toEqual([0, 10, 20, 30, 40]);
  });

  it('stays finite for the largest and smallest numbers and absurd counts', () => {
    for (const ticks of [niceTicks(Number.MAX_VALUE), niceTicks(Infinity), niceTicks(1e-250), niceTicks(5, 1e9), niceTicks(5, 0)]) {
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.every(Number.isFinite)).toBe(true);
    }
  });

  it('always starts at 0, covers max, and steps evenly by 1, 2 or 5 × 10^n', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), fc.integer({ min: 1, max: 20 }), (max, count) => {
        const ticks = niceTicks(max, count);
        const step = ticks[1] - ticks[0];
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect(ticks[0]).toBe(0);
        expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max * (1 - 1e-9));
        expect(ticks.at(-2)!).toBeLessThan(max);
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
        expect(ticks.length - 1).toBeLessThanOrEqual(count * 2.5 + 1);
      }),
    );
  });
});
