const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface DayLabel {
  /** "3 Nov" */
  dayMonth: string;
  /** "2026", or undefined when the string is not a YYYY-MM-DD day. */
  year: string | undefined;
}

/** Splits "2026-11-03" into "3 Nov" and "2026" without Date, so no time zone can shift the day. */
export function dayLabel(day: string): DayLabel {
  const match = DAY_PATTERN.exec(day);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  if (!match || !month) return { dayMonth: day, year: undefined };
  return { dayMonth: `${Number(match[3])} ${month}`, year: match[1] };
}

/** Indexes to label on an axis of `length` categories: every k-th one, at most `maxLabels` of them. */
export function labelIndexes(length: number, maxLabels = 12): number[] {
  if (length <= 0) return [];
  const every = Math.max(1, Math.ceil(length / Math.max(1, Math.floor(maxLabels))));
  const indexes: number[] = [];
  for (let i = 0; i < length; i += every) indexes.push(i);
  return indexes;
}
