import { seededRandom } from '../common/random.js';
import { arrivalTimes, arrivalWeight } from './arrivals.js';

const DAY = 86_400_000;
const END = Date.parse('2026-11-30T12:34:56Z');

describe('arrivalTimes', () => {
  it('gives exactly the count asked for, ascending, inside [start, end)', () => {
    for (const count of [1, 7, 1_000, 25_000]) {
      const times = [...arrivalTimes(count, END - 30 * DAY, END, seededRandom(3))];
      expect(times).toHaveLength(count);
      expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(END - 30 * DAY);
      expect(Math.max(...times)).toBeLessThan(END);
    }
  });

  it('is the same for the same seed, and differs for another', () => {
    const run = (seed: number) => [...arrivalTimes(500, END - 7 * DAY, END, seededRandom(seed))];
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  it('follows the weekly rhythm and grows over the period', () => {
    const times = [...arrivalTimes(70_000, END - 364 * DAY, END, seededRandom(1))];
    const byWeekday = Array.from({ length: 7 }, () => 0);
    for (const t of times) byWeekday[new Date(t).getUTCDay()] += 1;
    // Tuesday is the busiest day, Sunday the quietest (weights 1.1 and 0.55).
    expect(byWeekday[2] / byWeekday[0]).toBeGreaterThan(1.8);
    const firstHalf = times.filter((t) => t < END - 182 * DAY).length;
    expect(times.length - firstHalf).toBeGreaterThan(firstHalf);
  });

  it('weighs afternoons (UTC) above nights', () => {
    expect(arrivalWeight(Date.parse('2026-11-24T14:00:00Z'), 1)).toBeGreaterThan(3 * arrivalWeight(Date.parse('2026-11-24T03:00:00Z'), 1));
  });

  it('gives nothing for an empty period or count', () => {
    expect([...arrivalTimes(0, END - DAY, END, seededRandom(1))]).toEqual([]);
    expect([...arrivalTimes(5, END, END, seededRandom(1))]).toEqual([]);
  });
});
