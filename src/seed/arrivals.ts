// When generated tickets arrive: exactly `count` instants in [start, end), oldest first, spread by hour
// with a weekly and a daily rhythm and a slow growth over the period. Pure: the caller passes the PRNG.

const HOUR = 3_600_000;

/** Requests by UTC weekday (Sunday first): fewer at the weekend. */
const WEEKDAY_WEIGHT = [0.55, 1.05, 1.1, 1.05, 1.0, 0.95, 0.6];

/** Requests by UTC hour: quiet at night in Europe and the Americas, busiest in their shared afternoon. */
const HOUR_WEIGHT = [0.55, 0.45, 0.4, 0.35, 0.35, 0.4, 0.55, 0.75, 0.95, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5, 1.5, 1.45, 1.35, 1.2, 1.05, 0.95, 0.85, 0.75, 0.65];

/** The share of the latest hour's rate at which the period starts (the desk gets busier over time). */
const GROWTH_FROM = 0.7;

/** The relative arrival rate in the hour starting at `at` (ms), `progress` (0–1) through the period. */
export function arrivalWeight(at: number, progress: number): number {
  const date = new Date(at);
  return WEEKDAY_WEIGHT[date.getUTCDay()] * HOUR_WEIGHT[date.getUTCHours()] * (GROWTH_FROM + (1 - GROWTH_FROM) * progress);
}

/**
 * `count` arrival instants (ms) in [start, end), ascending. Each hour gets its share of `count` by
 * weight, rounded on the running total so the shares add up to `count` exactly; within an hour the
 * instants are uniform. Only the hour being emitted is held in memory.
 */
export function* arrivalTimes(count: number, start: number, end: number, random: () => number): Generator<number> {
  if (count <= 0 || end <= start) return;
  const slots = Math.ceil((end - start) / HOUR);
  const weights = new Float64Array(slots);
  let total = 0;
  for (let i = 0; i < slots; i++) {
    const from = start + i * HOUR;
    // The last slot may be a partial hour ending at `end`.
    const length = Math.min(HOUR, end - from) / HOUR;
    weights[i] = arrivalWeight(from, slots === 1 ? 1 : i / (slots - 1)) * length;
    total += weights[i];
  }
  let cumulative = 0;
  let emitted = 0;
  for (let i = 0; i < slots; i++) {
    cumulative += weights[i];
    const upTo = i === slots - 1 ? count : Math.min(count, Math.round((count * cumulative) / total));
    const n = upTo - emitted;
    if (n <= 0) continue;
    const from = start + i * HOUR;
    const span = Math.min(HOUR, end - from);
    const times = new Float64Array(n);
    for (let j = 0; j < n; j++) times[j] = from + Math.floor(random() * span);
    times.sort();
    for (const t of times) yield t;
    emitted = upTo;
  }
}
