// The report's query string as one validated value: a range of whole local days in a time zone, and a
// request type (or all). Pure: the page, the CSV and the JSON read the same parameters the same way.
import { singleParam } from '../common/query-params.js';
import { localDayOf, parseLocalDate, wallToInstant } from '../sla/calendar.js';
import { REQUEST_TYPES, type RequestType } from '../tickets/ticket.types.js';
import { isValidTimeZone } from '../config/time-zone.js';

const DAY = 86_400_000;
/** Default range: the last 30 days, today included. */
export const DEFAULT_RANGE_DAYS = 30;
/** A year and a bit: enough for year-on-year views; longer ranges belong in an export of the raw data. */
export const MAX_RANGE_DAYS = 400;

export interface ReportRange {
  /** Local dates, both included. */
  from: string;
  to: string;
  timeZone: string;
  type: RequestType | 'all';
  /** UTC instants: local midnight starting `from`, and local midnight after `to` (exclusive). */
  start: Date;
  end: Date;
  /** Every local date of the range, in order. */
  days: string[];
}

export type ParsedRange = { ok: true; range: ReportRange } | { ok: false; parameter: string; message: string };

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01). */
export function dayName(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** The UTC instant at which a local day (days since 1970-01-01) begins in the zone. */
export function dayStart(timeZone: string, day: number): Date {
  return new Date(wallToInstant(timeZone, day * DAY));
}

/**
 * Reads `from`, `to`, `type` and `tz`; the first bad one is named. Unknown parameters are ignored, so a
 * bookmarked page keeps working when parameters are added. `now` picks the default range.
 */
export function parseReportRange(query: Record<string, unknown> | undefined, now: Date, defaultTimeZone: string): ParsedRange {
  const bad = (parameter: string, message: string): ParsedRange => ({ ok: false, parameter, message });
  const one = (name: string) => singleParam(query, name);

  // `??` only for a missing value: null (a repeated parameter) must be refused, not defaulted.
  const tzGiven = one('tz');
  const tz = tzGiven === undefined ? defaultTimeZone : tzGiven;
  if (tz === null || tz.length > 64 || !isValidTimeZone(tz)) return bad('tz', 'tz must be an IANA time zone such as UTC or Europe/Berlin');
  const typeGiven = one('type');
  const type = typeGiven === undefined ? 'all' : typeGiven;
  if (type === null || (type !== 'all' && !(REQUEST_TYPES as readonly string[]).includes(type))) {
    return bad('type', `type must be all or one of ${REQUEST_TYPES.join(', ')}`);
  }

  const day = (name: 'from' | 'to'): number | undefined | null => {
    const value = one(name);
    if (value === undefined) return undefined;
    return value === null ? null : parseLocalDate(value);
  };
  const today = localDayOf(tz, now.getTime());
  const toDay = day('to');
  if (toDay === null) return bad('to', 'to must be a date written YYYY-MM-DD');
  const fromDay = day('from');
  if (fromDay === null) return bad('from', 'from must be a date written YYYY-MM-DD');
  const last = toDay ?? (fromDay !== undefined ? Math.max(fromDay, Math.min(today, fromDay + DEFAULT_RANGE_DAYS - 1)) : today);
  const first = fromDay ?? last - DEFAULT_RANGE_DAYS + 1;
  if (first > last) return bad('from', 'from must not be after to');
  if (last - first + 1 > MAX_RANGE_DAYS) return bad('from', `the range may span at most ${MAX_RANGE_DAYS} days`);

  const days: string[] = [];
  for (let d = first; d <= last; d++) days.push(dayName(d));
  return {
    ok: true,
    range: {
      from: dayName(first),
      to: dayName(last),
      timeZone: tz,
      type: type as RequestType | 'all',
      start: dayStart(tz, first),
      end: dayStart(tz, last + 1),
      days,
    },
  };
}

/** The query string that gives the same range (links between the page and its downloads). */
export function rangeQuery(range: ReportRange): string {
  const params = new URLSearchParams({ from: range.from, to: range.to, type: range.type, tz: range.timeZone });
  return `?${params.toString()}`;
}
