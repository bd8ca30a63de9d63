// Working-time arithmetic for SLA clocks. Only UTC Date methods and Intl with an explicit time zone are
// used, so results never depend on the process time zone.
//
// A local wall time t on day d (a window's start or end) maps to one instant:
// - t exists once: that instant;
// - t is repeated by a fall-back: its earlier occurrence (as RFC 5545 and Temporal's 'compatible' do), so a
//   window inside the repeated hour runs once, in the first pass, and one spanning it counts both passes;
// - t is skipped by a spring-forward: the instant of the change (Berlin 2026-03-29 02:30 -> 01:00Z, which
//   reads 03:00 CEST), so a window loses only the time that does not exist and one inside the gap is empty.
// Put together: t maps to the earliest instant at which the local clock reads t or later.
import { isValidTimeZone } from '../config/time-zone.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Indexed like Date#getUTCDay (0 = Sunday). */
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export interface BusinessHours {
  days: Weekday[];
  /** Local 'HH:MM'. */
  start: string;
  /** Local 'HH:MM' after `start`; '24:00' means up to midnight. */
  end: string;
  /** IANA zone name. */
  timeZone: string;
  /** Local dates 'YYYY-MM-DD' without working time. */
  holidays: string[];
}

export interface Calendar {
  /** Working milliseconds in [from, to) (0 when to <= from). */
  workingBetween(from: Date, to: Date): number;
  /** The instant at which `ms` working milliseconds have passed since `from` (ms >= 0). If ms === 0, the result is `from` itself. */
  addWorking(from: Date, ms: number): Date;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
/** A calendar where a whole year can pass without working time is a configuration mistake, not a long wait. */
const MAX_IDLE_DAYS = 400;

export const ALWAYS: Calendar = {
  workingBetween: (from, to) => Math.max(0, to.getTime() - from.getTime()),
  addWorking: (from, ms) => new Date(from.getTime() + checkedMs(ms)),
};

function checkedMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working time must be a finite number >= 0, got ${ms}`);
  return ms;
}

/** Minutes since local midnight for 'HH:MM' (00:00 to 24:00); null when malformed. */
export function parseClock(text: string): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return null;
  return hours * 60 + minutes;
}

/** Days since 1970-01-01 for a valid 'YYYY-MM-DD'; null otherwise (including dates such as 2023-02-30). */
export function parseLocalDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY;
}

// Creating a DateTimeFormat costs far more than using one; calendars are built from a handful of zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const EN_US = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;

/** Local wall-clock time at `instant`, read as if it were UTC. */
function wallClock(timeZone: string, instant: number): number {
  const formatter = formatterFor(timeZone);
  // format() and a regex are several times faster than formatToParts(), which stays as the fallback.
  const match = EN_US.exec(formatter.format(instant));
  if (match) {
    const [, month, day, year, hour, minute, second] = match.map(Number);
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** UTC offset in ms at `instant` (sub-second precision is irrelevant to zone offsets). */
function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClock(timeZone, whole) - whole;
}

/**
 * The instant of a local wall-clock time (given as if it were UTC), by the rule at the top of this file:
 * the earliest instant at which the local clock reads `wall` or later. Offsets a day either side bracket
 * any transition.
 */
export function wallToInstant(timeZone: string, wall: number): number {
  const before = offsetAt(timeZone, wall - DAY);
  const after = offsetAt(timeZone, wall + DAY);
  if (before === after) return wall - before;
  const candidates = [wall - before, wall - after];
  const valid = candidates.filter((t) => t + offsetAt(timeZone, t) === wall);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: wall - after is an instant before the change and wall - before one at or after it.
  return changeBetween(timeZone, Math.min(...candidates), Math.max(...candidates));
}

/** The first instant in (lo, hi] whose offset differs from the offset at lo; zone changes fall on whole seconds. */
function changeBetween(timeZone: string, lo: number, hi: number): number {
  const old = offsetAt(timeZone, lo);
  let low = Math.floor(lo / 1000);
  let high = Math.ceil(hi / 1000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(timeZone, mid * 1000) === old) low = mid;
    else high = mid;
  }
  return high * 1000;
}

/** Days since 1970-01-01 of the local date at `instant` in the zone. */
export function localDayOf(timeZone: string, instant: number): number {
  return Math.floor((instant + offsetAt(timeZone, instant)) / DAY);
}

type Window = readonly [start: number, end: number];

export function businessHours(spec: BusinessHours): Calendar {
  const rules = compile(spec);
  const windows = new Map<number, Window | null>();

  const windowOf = (day: number): Window | null => {
    let window = windows.get(day);
    if (window === undefined) {
      // Bounded so a long-running process does not accumulate every day it ever looked at.
      if (windows.size >= 4096) windows.clear();
      window = computeWindow(rules, day);
      windows.set(day, window);
    }
    return window;
  };

  return {
    workingBetween: (from, to) => workingBetween(rules.timeZone, windowOf, from.getTime(), to.getTime()),
    addWorking: (from, ms) => new Date(addWorking(rules.timeZone, windowOf, from.getTime(), checkedMs(ms))),
  };
}

interface Rules {
  timeZone: string;
  days: ReadonlySet<number>;
  holidays: ReadonlySet<number>;
  startMinute: number;
  endMinute: number;
}

function compile(spec: BusinessHours): Rules {
  const startMinute = parseClock(spec.start);
  const endMinute = parseClock(spec.end);
  if (startMinute === null || endMinute === null || endMinute <= startMinute) {
    throw new Error(`business hours need 'HH:MM' start and end with start < end, got ${spec.start}-${spec.end}`);
  }
  if (!isValidTimeZone(spec.timeZone)) throw new Error(`unknown time zone: ${spec.timeZone}`);
  const days = new Set(spec.days.map((d) => WEEKDAYS.indexOf(d)));
  if (days.size === 0 || days.has(-1)) throw new Error(`business days must be a non-empty list of ${WEEKDAYS.join(', ')}`);
  const holidays = new Set<number>();
  for (const text of spec.holidays) {
    const day = parseLocalDate(text);
    if (day === null) throw new Error(`holiday is not a valid 'YYYY-MM-DD' date: ${text}`);
    holidays.add(day);
  }
  return { timeZone: spec.timeZone, days, holidays, startMinute, endMinute };
}

function computeWindow(rules: Rules, day: number): Window | null {
  // Day 0 (1970-01-01) was a Thursday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  if (!rules.days.has(weekday) || rules.holidays.has(day)) return null;
  const start = wallToInstant(rules.timeZone, day * DAY + rules.startMinute * MINUTE);
  const end = wallToInstant(rules.timeZone, day * DAY + rules.endMinute * MINUTE);
  return end > start ? [start, end] : null;
}

type WindowOf = (day: number) => Window | null;

function workingBetween(timeZone: string, windowOf: WindowOf, from: number, to: number): number {
  if (!(to > from)) return 0;
  const lastDay = localDayOf(timeZone, to);
  let total = 0;
  // `cursor` would keep overlapping windows from being counted twice; the rule at the top keeps them disjoint, so it is only a guard.
  let cursor = from;
  for (let day = localDayOf(timeZone, from); day <= lastDay; day++) {
    const window = windowOf(day);
    if (!window) continue;
    const start = Math.max(window[0], cursor);
    const end = Math.min(window[1], to);
    if (end > start) total += end - start;
    cursor = Math.max(cursor, window[1]);
  }
  return total;
}

function addWorking(timeZone: string, windowOf: WindowOf, from: number, ms: number): number {
  if (ms === 0) return from;
  let remaining = ms;
  let cursor = from;
  let idleDays = 0;
  for (let day = localDayOf(timeZone, from); ; day++) {
    const window = windowOf(day);
    const start = window ? Math.max(window[0], cursor) : 0;
    if (!window || window[1] <= start) {
      if (++idleDays > MAX_IDLE_DAYS) {
        throw new Error(`no working time within ${MAX_IDLE_DAYS} days after ${new Date(cursor).toISOString()}: check the calendar's days and holidays`);
      }
      continue;
    }
    idleDays = 0;
    if (remaining <= window[1] - start) return start + remaining;
    remaining -= window[1] - start;
    cursor = window[1];
  }
}
