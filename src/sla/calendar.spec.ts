import { ALWAYS, businessHours, parseClock, parseLocalDate } from './calendar.js';
import type { BusinessHours, Calendar } from './calendar.js';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
const WEEKDAYS_ONLY: BusinessHours['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const EVERY_DAY: BusinessHours['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const office = (overrides: Partial<BusinessHours> = {}): Calendar =>
  businessHours({ days: WEEKDAYS_ONLY, start: '09:00', end: '17:00', timeZone: 'UTC', holidays: [], ...overrides });

/** Deterministic, so a failing case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('ALWAYS (24×7)', () => {
  it('counts every millisecond', () => {
    expect(ALWAYS.workingBetween(at('2024-03-01T18:00:00Z'), at('2024-03-04T10:00:00Z'))).toBe(64 * H);
    expect(ALWAYS.addWorking(at('2024-03-01T18:00:00Z'), 72 * H)).toEqual(at('2024-03-04T18:00:00Z'));
  });

  it('gives 0 for an empty or reversed interval', () => {
    expect(ALWAYS.workingBetween(at('2024-03-01T18:00:00Z'), at('2024-03-01T18:00:00Z'))).toBe(0);
    expect(ALWAYS.workingBetween(at('2024-03-01T18:00:00Z'), at('2024-03-01T17:00:00Z'))).toBe(0);
  });

  it('refuses a negative amount of working time', () => {
    expect(() => ALWAYS.addWorking(at('2024-03-01T18:00:00Z'), -1)).toThrow(RangeError);
  });
});

describe('businessHours', () => {
  describe('where the start falls', () => {
    const cal = office();

    it('inside the window: counts on from the start', () => {
      expect(cal.addWorking(at('2024-03-06T12:00:00Z'), 2 * H)).toEqual(at('2024-03-06T14:00:00Z'));
    });

    it('before the window: waits for it to open', () => {
      expect(cal.addWorking(at('2024-03-06T07:00:00Z'), 2 * H)).toEqual(at('2024-03-06T11:00:00Z'));
      expect(cal.workingBetween(at('2024-03-06T07:00:00Z'), at('2024-03-06T11:00:00Z'))).toBe(2 * H);
    });

    it('after the window: carries over to the next working day', () => {
      expect(cal.addWorking(at('2024-03-06T18:00:00Z'), 2 * H)).toEqual(at('2024-03-07T11:00:00Z'));
      expect(cal.workingBetween(at('2024-03-06T18:00:00Z'), at('2024-03-07T11:00:00Z'))).toBe(2 * H);
    });

    it('ends at the close rather than the next opening when the time fits exactly', () => {
      expect(cal.addWorking(at('2024-03-06T12:00:00Z'), 5 * H)).toEqual(at('2024-03-06T17:00:00Z'));
    });

    it('returns the start itself for zero working time, even outside the window', () => {
      expect(cal.addWorking(at('2024-03-06T20:00:00Z'), 0)).toEqual(at('2024-03-06T20:00:00Z'));
    });

    it('counts nothing outside the window', () => {
      expect(cal.workingBetween(at('2024-03-06T17:00:00Z'), at('2024-03-07T09:00:00Z'))).toBe(0);
      expect(cal.workingBetween(at('2024-03-06T10:00:00Z'), at('2024-03-06T10:00:00Z'))).toBe(0);
      expect(cal.workingBetween(at('2024-03-06T12:00:00Z'), at('2024-03-06T10:00:00Z'))).toBe(0);
    });
  });

  it('rolls a Friday-evening start over the weekend to Monday', () => {
    const cal = office();
    const fridayEvening = at('2024-03-01T18:00:00Z');
    expect(cal.addWorking(fridayEvening, 1 * H)).toEqual(at('2024-03-04T10:00:00Z'));
    expect(cal.workingBetween(at('2024-03-01T16:00:00Z'), at('2024-03-04T10:00:00Z'))).toBe(2 * H);
    expect(cal.workingBetween(fridayEvening, at('2024-03-04T09:00:00Z'))).toBe(0);
  });

  it('adds a whole working week as five working days', () => {
    expect(office().addWorking(at('2024-03-04T09:00:00Z'), 40 * H)).toEqual(at('2024-03-08T17:00:00Z'));
  });

  it('skips holidays', () => {
    const cal = office({ holidays: ['2024-03-04', '2024-03-05'] });
    expect(cal.addWorking(at('2024-03-01T16:00:00Z'), 2 * H)).toEqual(at('2024-03-06T10:00:00Z'));
    expect(cal.workingBetween(at('2024-03-01T00:00:00Z'), at('2024-03-07T00:00:00Z'))).toBe(16 * H);
  });

  describe('America/New_York across DST changes', () => {
    const cal = office({ timeZone: 'America/New_York' });

    it('keeps 09:00-17:00 local in March (EST → EDT on Sunday 2024-03-10)', () => {
      // Friday 16:00 EST = 21:00Z; Monday 10:00 EDT = 14:00Z.
      expect(cal.addWorking(at('2024-03-08T21:00:00Z'), 2 * H)).toEqual(at('2024-03-11T14:00:00Z'));
      expect(cal.workingBetween(at('2024-03-08T21:00:00Z'), at('2024-03-11T14:00:00Z'))).toBe(2 * H);
    });

    it('keeps 09:00-17:00 local in November (EDT → EST on Sunday 2024-11-03)', () => {
      // Friday 16:00 EDT = 20:00Z; Monday 10:00 EST = 15:00Z.
      expect(cal.addWorking(at('2024-11-01T20:00:00Z'), 2 * H)).toEqual(at('2024-11-04T15:00:00Z'));
      expect(cal.workingBetween(at('2024-11-01T20:00:00Z'), at('2024-11-04T15:00:00Z'))).toBe(2 * H);
    });

    it('converts each end of a window that spans the change with the offset in force then', () => {
      const night = businessHours({ days: EVERY_DAY, start: '00:00', end: '06:00', timeZone: 'America/New_York', holidays: [] });
      // 23-hour day: 00:00 EST (05:00Z) to 06:00 EDT (10:00Z).
      expect(night.workingBetween(at('2024-03-10T00:00:00Z'), at('2024-03-11T00:00:00Z'))).toBe(5 * H);
      // 25-hour day: 00:00 EDT (04:00Z) to 06:00 EST (11:00Z).
      expect(night.workingBetween(at('2024-11-03T00:00:00Z'), at('2024-11-04T00:00:00Z'))).toBe(7 * H);
      expect(night.addWorking(at('2024-11-03T04:00:00Z'), 7 * H)).toEqual(at('2024-11-03T11:00:00Z'));
    });

    it('opens a window whose start time is skipped by spring-forward at the change', () => {
      const early = businessHours({ days: EVERY_DAY, start: '02:30', end: '04:00', timeZone: 'America/New_York', holidays: [] });
      // 02:30 does not exist on 2024-03-10: the window opens at the change (07:00Z = 03:00 EDT) and closes at 04:00 EDT.
      expect(early.workingBetween(at('2024-03-10T00:00:00Z'), at('2024-03-11T00:00:00Z'))).toBe(H);
      expect(early.addWorking(at('2024-03-10T00:00:00Z'), 1)).toEqual(at('2024-03-10T07:00:00.001Z'));
    });
  });

  it('follows Europe/Berlin (CET → CEST on 2024-03-31)', () => {
    const cal = office({ timeZone: 'Europe/Berlin' });
    // Friday 16:00 CET = 15:00Z; Monday 10:00 CEST = 08:00Z.
    expect(cal.addWorking(at('2024-03-29T15:00:00Z'), 2 * H)).toEqual(at('2024-04-01T08:00:00Z'));
    // Winter: 09:00 CET = 08:00Z.
    expect(cal.addWorking(at('2024-01-10T00:00:00Z'), 1 * H)).toEqual(at('2024-01-10T09:00:00Z'));
  });

  it('follows Asia/Kolkata (+05:30, no DST)', () => {
    const cal = office({ timeZone: 'Asia/Kolkata' });
    // 09:00 IST = 03:30Z, 17:00 IST = 11:30Z.
    expect(cal.addWorking(at('2024-05-15T02:00:00Z'), 1 * H)).toEqual(at('2024-05-15T04:30:00Z'));
    expect(cal.addWorking(at('2024-05-15T11:00:00Z'), 1 * H)).toEqual(at('2024-05-16T04:00:00Z'));
    expect(cal.workingBetween(at('2024-05-15T00:00:00Z'), at('2024-05-16T00:00:00Z'))).toBe(8 * H);
  });

  it('gives the same results for instants however they were written', () => {
    const cal = office({ timeZone: 'Asia/Tokyo' });
    const fromUtcFields = new Date(Date.UTC(2024, 2, 8, 7, 0));
    const fromIsoOffset = new Date('2024-03-08T16:00:00+09:00');
    const expected = new Date(Date.UTC(2024, 2, 11, 1, 0));
    expect(cal.addWorking(fromUtcFields, 2 * H)).toEqual(expected);
    expect(cal.addWorking(fromIsoOffset, 2 * H)).toEqual(expected);
  });

  describe('addWorking and workingBetween are inverse', () => {
    const calendars: Array<[string, Calendar]> = [
      ['UTC office', office()],
      ['New York office', office({ timeZone: 'America/New_York', holidays: ['2024-11-28', '2025-07-04'] })],
      ['New York nights', businessHours({ days: EVERY_DAY, start: '00:00', end: '06:00', timeZone: 'America/New_York', holidays: [] })],
      ['Berlin office', office({ timeZone: 'Europe/Berlin', start: '08:30', end: '24:00' })],
      ['Kolkata office', office({ timeZone: 'Asia/Kolkata', days: ['mon', 'wed', 'sat'] })],
      ['Chatham (+12:45/+13:45)', office({ timeZone: 'Pacific/Chatham', start: '01:15', end: '03:50' })],
    ];

    it.each(calendars)('%s', (_name, cal) => {
      const random = seededRandom(20240310);
      const first = Date.UTC(2023, 9, 1);
      const span = Date.UTC(2026, 0, 1) - first;
      for (let i = 0; i < 500; i++) {
        const from = new Date(first + Math.floor(random() * span));
        const ms = Math.floor(random() * 14 * 8 * H) + (i % 10 === 0 ? 0 : 1);
        const until = cal.addWorking(from, ms);
        expect(cal.workingBetween(from, until)).toBe(ms);
        if (ms > 0) {
          // The earliest such instant, not merely one of them.
          expect(cal.workingBetween(from, new Date(until.getTime() - 1))).toBe(ms - 1);
        }
      }
    });
  });

  it('says so when no working day comes within 400 days', () => {
    const mondays: string[] = [];
    for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2026, 0, 1); day += 7 * 24 * H) {
      mondays.push(new Date(day).toISOString().slice(0, 10));
    }
    const cal = office({ days: ['mon'], holidays: mondays });
    expect(() => cal.addWorking(at('2024-01-01T00:00:00Z'), H)).toThrow(/no working time within 400 days/);
  });

  it.each<[string, Partial<BusinessHours>, RegExp]>([
    ['end before start', { start: '17:00', end: '09:00' }, /start < end/],
    ['malformed hours', { start: '9:00' }, /HH:MM/],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, /unknown time zone/],
    ['no days', { days: [] }, /non-empty/],
    ['a bad holiday', { holidays: ['2024-02-30'] }, /holiday/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => office(overrides)).toThrow(message);
  });
});

describe('parseClock', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 570],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('reads %s', (text, minutes) => {
    expect(parseClock(text)).toBe(minutes);
  });

  it.each([['9:00'], ['24:01'], ['25:00'], ['12:60'], ['12:00 '], ['']])('refuses %j', (text) => {
    expect(parseClock(text)).toBeNull();
  });
});

describe('parseLocalDate', () => {
  it('reads valid dates as days since 1970-01-01', () => {
    expect(parseLocalDate('1970-01-02')).toBe(1);
    expect(parseLocalDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / (24 * H));
  });

  it.each([['2023-02-29'], ['2024-13-01'], ['2024-1-01'], ['24-01-01'], ['2024-01-01T00:00']])('refuses %j', (text) => {
    expect(parseLocalDate(text)).toBeNull();
  });
});
