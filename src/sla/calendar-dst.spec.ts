import fc from 'fast-check';

import { businessHours, wallToInstant, WEEKDAYS } from './calendar.js';
import type { BusinessHours, Calendar, Weekday } from './calendar.js';

// Window edges at local times that a DST change skips or repeats. The convention under test (top of
// calendar.ts): a skipped time maps to the instant of the change, a repeated time to its earlier occurrence.

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const at = (iso: string) => new Date(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** UTC offset in minutes read from Intl's offset name, a different path from calendar.ts's wall-clock fields. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function offsetMinutes(timeZone: string, instant: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  // '29/03/2026, GMT+02:00'; format() is several times faster than formatToParts() for the oracle's walk.
  const text = format.format(instant);
  const match = /GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(text);
  if (!match) throw new Error(`unexpected offset name in ${text}`);
  return match[1] ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

interface Change {
  zone: string;
  /** Local date of the change (a Sunday in every case below). */
  date: string;
  /** The instant of the change, and the offsets (minutes) in force just before and from it. */
  instant: string;
  before: number;
  after: number;
}

const CHANGES: Change[] = [
  { zone: 'Europe/Berlin', date: '2026-03-29', instant: '2026-03-29T01:00:00Z', before: 60, after: 120 },
  { zone: 'Europe/Berlin', date: '2026-10-25', instant: '2026-10-25T01:00:00Z', before: 120, after: 60 },
  { zone: 'America/New_York', date: '2026-03-08', instant: '2026-03-08T07:00:00Z', before: -300, after: -240 },
  { zone: 'America/New_York', date: '2026-11-01', instant: '2026-11-01T06:00:00Z', before: -240, after: -300 },
  // A 30-minute shift: 02:00 -> 01:30 in April, 02:00 -> 02:30 in October.
  { zone: 'Australia/Lord_Howe', date: '2026-04-05', instant: '2026-04-04T15:00:00Z', before: 660, after: 630 },
  { zone: 'Australia/Lord_Howe', date: '2026-10-04', instant: '2026-10-03T15:30:00Z', before: 630, after: 660 },
];

describe('the DST changes these tests rely on (checked against Intl)', () => {
  it.each(CHANGES)('$zone changes from $before to $after minutes at $instant', (c) => {
    const change = at(c.instant).getTime();
    expect([offsetMinutes(c.zone, change - 1), offsetMinutes(c.zone, change)]).toEqual([c.before, c.after]);
    // The same offsets two days either side, so the oracle's five days hold no other change.
    expect([offsetMinutes(c.zone, change - 2 * DAY), offsetMinutes(c.zone, change + 2 * DAY)]).toEqual([c.before, c.after]);
  });
});

/** A calendar open only on Sundays, so the change day's window is the only one within three days of it. */
const sundays = (timeZone: string, start: string, end: string): Calendar => businessHours({ days: ['sun'], start, end, timeZone, holidays: [] });

/** The window on the Sunday `date`, read through the public API: [opens, closes] in UTC, or null when empty. */
function windowOn(cal: Calendar, date: string): { working: number; opens: string | null; closes: string | null } {
  const from = at(`${date}T00:00:00Z`).getTime() - 3 * DAY;
  const to = from + 6 * DAY;
  const working = cal.workingBetween(new Date(from), new Date(to));
  if (working === 0) return { working, opens: null, closes: null };
  return {
    working,
    opens: iso(cal.addWorking(new Date(from), 1).getTime() - 1),
    closes: iso(cal.addWorking(new Date(from), working).getTime()),
  };
}

type EdgeCase = [what: string, zone: string, date: string, start: string, end: string, opens: string | null, closes: string | null];

const EDGE_CASES: EdgeCase[] = [
  // Berlin, 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00Z; 02:00-02:59 does not exist.
  ['start in the gap', 'Europe/Berlin', '2026-03-29', '02:30', '04:00', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z'],
  ['end in the gap', 'Europe/Berlin', '2026-03-29', '01:00', '02:30', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z'],
  ['both in the gap', 'Europe/Berlin', '2026-03-29', '02:15', '02:45', null, null],
  ['start at the first skipped minute, end at the first one after', 'Europe/Berlin', '2026-03-29', '02:00', '03:00', null, null],
  ['spanning the gap', 'Europe/Berlin', '2026-03-29', '01:30', '03:30', '2026-03-29T00:30:00.000Z', '2026-03-29T01:30:00.000Z'],
  ['the whole 23-hour day', 'Europe/Berlin', '2026-03-29', '00:00', '24:00', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
  // Berlin, 2026-10-25: 03:00 CEST -> 02:00 CET at 01:00Z; 02:00-02:59 happens twice.
  ['inside the repeated hour (first pass only)', 'Europe/Berlin', '2026-10-25', '02:15', '02:45', '2026-10-25T00:15:00.000Z', '2026-10-25T00:45:00.000Z'],
  ['start in the repeated hour', 'Europe/Berlin', '2026-10-25', '02:30', '04:00', '2026-10-25T00:30:00.000Z', '2026-10-25T03:00:00.000Z'],
  ['end in the repeated hour', 'Europe/Berlin', '2026-10-25', '01:00', '02:30', '2026-10-24T23:00:00.000Z', '2026-10-25T00:30:00.000Z'],
  ['exactly the repeated hour (both passes)', 'Europe/Berlin', '2026-10-25', '02:00', '03:00', '2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z'],
  ['the whole 25-hour day', 'Europe/Berlin', '2026-10-25', '00:00', '24:00', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
  // New York, 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z.
  ['both in the gap (an empty day)', 'America/New_York', '2026-03-08', '02:00', '02:30', null, null],
  ['end in the gap', 'America/New_York', '2026-03-08', '01:30', '02:30', '2026-03-08T06:30:00.000Z', '2026-03-08T07:00:00.000Z'],
  ['start in the gap', 'America/New_York', '2026-03-08', '02:30', '04:00', '2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z'],
  ['spanning the gap', 'America/New_York', '2026-03-08', '01:00', '03:30', '2026-03-08T06:00:00.000Z', '2026-03-08T07:30:00.000Z'],
  // New York, 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00Z; 01:00-01:59 happens twice.
  ['inside the repeated hour (first pass only)', 'America/New_York', '2026-11-01', '01:00', '01:30', '2026-11-01T05:00:00.000Z', '2026-11-01T05:30:00.000Z'],
  ['start in the repeated hour', 'America/New_York', '2026-11-01', '01:30', '02:00', '2026-11-01T05:30:00.000Z', '2026-11-01T07:00:00.000Z'],
  ['end in the repeated hour', 'America/New_York', '2026-11-01', '00:30', '01:30', '2026-11-01T04:30:00.000Z', '2026-11-01T05:30:00.000Z'],
  ['spanning the repeated hour', 'America/New_York', '2026-11-01', '01:15', '03:00', '2026-11-01T05:15:00.000Z', '2026-11-01T08:00:00.000Z'],
  // Lord Howe, 2026-10-04: 02:00 (+10:30) -> 02:30 (+11:00) at 15:30Z the day before; 02:00-02:29 does not exist.
  ['start in the 30-minute gap', 'Australia/Lord_Howe', '2026-10-04', '02:15', '03:00', '2026-10-03T15:30:00.000Z', '2026-10-03T16:00:00.000Z'],
  ['end in the 30-minute gap', 'Australia/Lord_Howe', '2026-10-04', '01:30', '02:15', '2026-10-03T15:00:00.000Z', '2026-10-03T15:30:00.000Z'],
  ['both in the 30-minute gap', 'Australia/Lord_Howe', '2026-10-04', '02:05', '02:25', null, null],
  ['spanning the 30-minute gap', 'Australia/Lord_Howe', '2026-10-04', '01:45', '02:45', '2026-10-03T15:15:00.000Z', '2026-10-03T15:45:00.000Z'],
  // Lord Howe, 2026-04-05: 02:00 (+11:00) -> 01:30 (+10:30) at 15:00Z the day before; 01:30-01:59 happens twice.
  [
    'inside the repeated half hour (first pass only)',
    'Australia/Lord_Howe',
    '2026-04-05',
    '01:35',
    '01:55',
    '2026-04-04T14:35:00.000Z',
    '2026-04-04T14:55:00.000Z',
  ],
  ['start in the repeated half hour', 'Australia/Lord_Howe', '2026-04-05', '01:45', '03:00', '2026-04-04T14:45:00.000Z', '2026-04-04T16:30:00.000Z'],
  ['end in the repeated half hour', 'Australia/Lord_Howe', '2026-04-05', '01:00', '01:45', '2026-04-04T14:00:00.000Z', '2026-04-04T14:45:00.000Z'],
  ['spanning the repeated half hour', 'Australia/Lord_Howe', '2026-04-05', '01:00', '02:00', '2026-04-04T14:00:00.000Z', '2026-04-04T15:30:00.000Z'],
];

describe('window edges on DST change days', () => {
  it.each(EDGE_CASES)('%s: %s %s %s-%s', (_what, zone, date, start, end, opens, closes) => {
    const working = opens && closes ? at(closes).getTime() - at(opens).getTime() : 0;
    expect(windowOn(sundays(zone, start, end), date)).toEqual({ working, opens, closes });
  });

  it('maps a wall time in the gap to the instant of the change, and a repeated one to its first pass', () => {
    const wall = (text: string) => at(`${text}Z`).getTime();
    expect(iso(wallToInstant('Europe/Berlin', wall('2026-03-29T02:30')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(wallToInstant('Australia/Lord_Howe', wall('2026-10-04T02:00')))).toBe('2026-10-03T15:30:00.000Z');
    expect(iso(wallToInstant('America/New_York', wall('2026-11-01T01:59')))).toBe('2026-11-01T05:59:00.000Z');
    // A whole local date skipped (Samoa moved across the date line): its start and end are the same instant.
    expect(iso(wallToInstant('Pacific/Apia', wall('2011-12-30T00:00')))).toBe('2011-12-30T10:00:00.000Z');
    expect(iso(wallToInstant('Pacific/Apia', wall('2011-12-31T00:00')))).toBe('2011-12-30T10:00:00.000Z');
  });

  it('gives a local date skipped altogether no working time (Samoa, 2011-12-30)', () => {
    const cal = businessHours({ days: [...WEEKDAYS], start: '09:00', end: '17:00', timeZone: 'Pacific/Apia', holidays: [] });
    // 2011-12-29 00:00 (-10:00) to 2012-01-01 00:00 (+14:00): the 29th and the 31st count, the 30th never happened.
    expect(cal.workingBetween(at('2011-12-29T10:00:00Z'), at('2011-12-31T10:00:00Z'))).toBe(16 * H);
    // Thursday's close (17:00 -10:00) is followed by Saturday's opening (09:00 +14:00).
    expect(cal.addWorking(at('2011-12-30T03:00:00Z'), 1)).toEqual(at('2011-12-30T19:00:00.001Z'));
  });

  it.each(EDGE_CASES)('addWorking undoes workingBetween through the change day: %s %s %s %s-%s', (_what, zone, date, start, end, opens, closes) => {
    const cal = sundays(zone, start, end);
    const from = at(`${date}T00:00:00Z`).getTime() - 2 * DAY;
    const wrong: string[] = [];
    // Every 5 minutes over the two UTC days that hold the change day's window.
    for (let to = from + DAY; to <= from + 3 * DAY; to += 5 * MIN) {
      const working = cal.workingBetween(new Date(from), new Date(to));
      const landed = cal.addWorking(new Date(from), working).getTime();
      const insideWindow = opens !== null && closes !== null && to > at(opens).getTime() && to <= at(closes).getTime();
      // At `to` itself when it falls in working time; otherwise at the close of the last stretch before it (or at `from`).
      const expected = insideWindow ? to : working > 0 ? at(closes!).getTime() : from;
      if (landed !== expected || cal.workingBetween(new Date(landed), new Date(to)) !== 0) {
        wrong.push(`to ${iso(to)}: landed at ${iso(landed)}, expected ${iso(expected)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/**
 * An independent reference: it reads the local clock every minute over five days around the change (via
 * the offset name) and applies the convention literally: a wall time seen once or twice maps to the first
 * minute that shows it; one never shown maps to the first minute after the clock jumped past it.
 */
class MinuteOracle {
  readonly first: number;
  private readonly walls: number[] = [];
  private readonly firstShowing = new Map<number, number>();

  constructor(
    readonly zone: string,
    readonly changeDay: number,
  ) {
    this.first = (changeDay - 2) * DAY;
    for (let i = 0; i < 5 * 1440; i++) {
      const instant = this.first + i * MIN;
      const wall = instant + offsetMinutes(zone, instant) * MIN;
      this.walls.push(wall);
      if (!this.firstShowing.has(wall)) this.firstShowing.set(wall, instant);
    }
  }

  instantOf(wall: number): number {
    const shown = this.firstShowing.get(wall);
    if (shown !== undefined) return shown;
    for (let i = 1; i < this.walls.length; i++) {
      if (this.walls[i - 1] < wall && this.walls[i] > wall) return this.first + i * MIN;
    }
    throw new Error(`wall time ${iso(wall)} is outside the oracle's five days`);
  }

  /** Working windows [start, end) of the local days before, of and after the change. */
  windows(spec: BusinessHours): Array<[number, number]> {
    const [startH, startM] = spec.start.split(':').map(Number);
    const [endH, endM] = spec.end.split(':').map(Number);
    const result: Array<[number, number]> = [];
    for (let day = this.changeDay - 1; day <= this.changeDay + 1; day++) {
      const weekday = WEEKDAYS[new Date(day * DAY).getUTCDay()];
      if (!spec.days.includes(weekday) || spec.holidays.includes(new Date(day * DAY).toISOString().slice(0, 10))) continue;
      result.push([this.instantOf(day * DAY + (startH * 60 + startM) * MIN), this.instantOf(day * DAY + (endH * 60 + endM) * MIN)]);
    }
    return result;
  }
}

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

describe('window edges agree with a minute-by-minute oracle around DST changes', () => {
  // Window edges mostly near the changes (01:00-04:00 local), sometimes anywhere in the day.
  const edgeMinute = fc.oneof({ arbitrary: fc.integer({ min: 60, max: 240 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 1440 }), weight: 1 });
  const hours = fc
    .tuple(edgeMinute, edgeMinute)
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
  const days = fc.oneof(fc.constant<Weekday[]>([...WEEKDAYS]), fc.subarray([...WEEKDAYS], { minLength: 1 }));
  // Minutes from 12:00Z the day before the change to 12:00Z the day after: local days before, of and after it only.
  const span = fc.tuple(fc.integer({ min: 0, max: 2 * 1440 }), fc.integer({ min: 0, max: 2 * 1440 }));

  it('workingBetween counts the minutes the oracle counts, and addWorking finds the minute it finds', () => {
    const oracles = CHANGES.map((c) => new MinuteOracle(c.zone, at(`${c.date}T00:00:00Z`).getTime() / DAY));
    fc.assert(
      fc.property(
        fc.nat(oracles.length - 1),
        hours,
        days,
        fc.subarray([-1, 0, 1]),
        span,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (which, [startMinute, endMinute], weekdays, holidayOffsets, [a, b], fraction) => {
          const oracle = oracles[which];
          const spec: BusinessHours = {
            days: weekdays,
            start: clock(startMinute),
            end: clock(endMinute),
            timeZone: oracle.zone,
            holidays: holidayOffsets.map((d) => new Date((oracle.changeDay + d) * DAY).toISOString().slice(0, 10)),
          };
          const windows = oracle.windows(spec);
          const working = (m: number) => windows.some(([s, e]) => m >= s && m < e);
          const base = (oracle.changeDay - 1) * DAY + 12 * H;
          const from = base + a * MIN;
          const to = base + b * MIN;

          // Walk the minutes: count the working ones, and note where each one ends.
          const ends: number[] = [];
          for (let m = from; m < to; m += MIN) if (working(m)) ends.push(m + MIN);
          const cal = businessHours(spec);
          expect(cal.workingBetween(new Date(from), new Date(to))).toBe(ends.length * MIN);

          const k = Math.round(fraction * ends.length);
          expect(iso(cal.addWorking(new Date(from), k * MIN).getTime())).toBe(iso(k === 0 ? from : ends[k - 1]));
        },
      ),
      { numRuns: 300 },
    );
  });
});
