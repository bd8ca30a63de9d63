// Small pure figures for reports. Percentiles use the nearest-rank method: the value at rank
// ceil(p/100 × n) of the sorted values. It always returns a value that occurred (no interpolated
// "3.7 days" nobody waited), and the tests can state it exactly.

const DAY = 86_400_000;

/** Nearest-rank percentile of ascending-sorted values; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export function percentilesOf(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  return { p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99) };
}

/** A share in percent with one decimal; null when nothing was measured. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** Age buckets of the backlog and of the time-to-decision distribution, in days: [from, to). */
export const AGE_BUCKETS = [
  { key: 'd0_1', label: '0–1 d', from: 0, to: 1 },
  { key: 'd1_3', label: '1–3 d', from: 1, to: 3 },
  { key: 'd3_7', label: '3–7 d', from: 3, to: 7 },
  { key: 'd7_14', label: '7–14 d', from: 7, to: 14 },
  { key: 'd14_30', label: '14–30 d', from: 14, to: 30 },
  { key: 'd30_plus', label: '> 30 d', from: 30, to: Infinity },
] as const;

export type AgeBucketKey = (typeof AGE_BUCKETS)[number]['key'];

/** Index into AGE_BUCKETS of a duration (an age of exactly 1 day is in 1–3 d). */
export function ageBucketOf(ms: number): number {
  const days = ms / DAY;
  const index = AGE_BUCKETS.findIndex((b) => days < b.to);
  return index === -1 ? AGE_BUCKETS.length - 1 : Math.max(0, index);
}

/** A duration as people read it: "45 min", "3 h 20 min", "2 d 4 h" (rounded down to the shown unit). */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "66.7 %" or "–" when nothing was measured. */
export function formatShare(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)} %`;
}
