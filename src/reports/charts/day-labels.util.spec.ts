import { dayLabel, labelIndexes } from './day-labels.util.js';

describe('dayLabel', () => {
  it('splits a day into day-month and year', () => {
    expect(dayLabel('2026-11-03')).toEqual({ dayMonth: '3 Nov', year: '2026' });
    expect(dayLabel('2027-01-31')).toEqual({ dayMonth: '31 Jan', year: '2027' });
  });

  it('shows anything that is not a YYYY-MM-DD day as given', () => {
    expect(dayLabel('week 45')).toEqual({ dayMonth: 'week 45', year: undefined });
    expect(dayLabel('2026-13-01')).toEqual({ dayMonth: '2026-13-01', year: undefined });
  });
});

describe('labelIndexes', () => {
  it('labels every category when there are few', () => {
    expect(labelIndexes(5)).toEqual([0, 1, 2, 3, 4]);
    expect(labelIndexes(12)).toHaveLength(12);
  });

  it('thins out to at most 12 evenly spaced labels, starting with the first', () => {
    for (const length of [13, 30, 31, 90, 365, 1000]) {
      const indexes = labelIndexes(length);
      expect(indexes.length).toBeLessThanOrEqual(12);
      expect(indexes.length).toBeGreaterThanOrEqual(6);
      expect(indexes[0]).toBe(0);
      const gaps = new Set(indexes.slice(1).map((v, i) => v - indexes[i]));
      expect(gaps.size).toBe(1);
    }
  });

  it('labels nothing on an empty axis', () => {
    expect(labelIndexes(0)).toEqual([]);
  });
});
