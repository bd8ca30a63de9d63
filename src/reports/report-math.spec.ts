import { ageBucketOf, formatDuration, formatShare, percentile, percentilesOf, share } from './report-math.js';

describe('report figures', () => {
  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 99)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(hundred, 50), percentile(hundred, 90), percentile(hundred, 99)]).toEqual([50, 90, 99]);
    // Unsorted input with duplicates; numbers are sorted as numbers, not as text.
    expect(percentilesOf([1000, 9, 100, 9])).toEqual({ p50: 9, p90: 1000, p99: 1000 });
  });

  it('gives shares with one decimal, none when nothing was measured', () => {
    expect(share(2, 3)).toBe(66.7);
    expect(share(0, 0)).toBeNull();
    expect(formatShare(100)).toBe('100.0 %');
    expect(formatShare(null)).toBe('–');
  });

  it('puts an age of exactly one day in 1–3 d, and anything past 30 days in the last bucket', () => {
    const D = 86_400_000;
    expect([0, D - 1, D, 3 * D, 7 * D - 1, 14 * D, 30 * D, 400 * D].map(ageBucketOf)).toEqual([0, 0, 1, 2, 2, 4, 5, 5]);
  });

  it('writes durations as people read them', () => {
    const M = 60_000;
    expect([null, 59_999, 45 * M, 60 * M, 200 * M, 24 * 60 * M, 87 * 60 * M].map(formatDuration)).toEqual([
      '–',
      '0 min',
      '45 min',
      '1 h',
      '3 h 20 min',
      '1 d',
      '3 d 15 h',
    ]);
  });
});
