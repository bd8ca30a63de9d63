import { describeDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['15m', 900_000],
    ['72h', 259_200_000],
    ['14d', 1_209_600_000],
    ['0s', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('accepts decimals and rounds to whole milliseconds', () => {
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('0.5s')).toBe(500);
    expect(parseDuration('1.4ms')).toBe(1);
    expect(parseDuration('1.5ms')).toBe(2);
  });

  it('tolerates spaces around the number and the unit', () => {
    expect(parseDuration(' 5s ')).toBe(5000);
    expect(parseDuration('15 m')).toBe(900_000);
  });

  it.each([[''], ['5'], ['s'], ['5x'], ['5 sec'], ['5S'], ['-5s'], ['+5s'], ['1e3s'], ['.5s'], ['5.s'], ['5s5'], ['5m 30s'], ['Infinitys']])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it('refuses a number too large to be finite', () => {
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeNull();
  });
});

describe('describeDuration', () => {
  it.each([
    [15 * 60_000, '15 minutes'],
    [8 * 3_600_000, '8 hours'],
    [3_600_000, '1 hour'],
    [90 * 60_000, '1 hour 30 minutes'],
    [86_400_000 + 1000, '1 day 1 second'],
    [0, '0 seconds'],
  ])('says %d ms as %s', (ms, words) => {
    expect(describeDuration(ms)).toBe(words);
  });
});
