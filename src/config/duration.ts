const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses durations written like `90s`, `15m`, `72h`, `14d` (or `250ms`) into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]];
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** A duration in words for people (`15 minutes`, `8 hours`, `1 hour 30 minutes`), to the second. */
export function describeDuration(ms: number): string {
  const parts: string[] = [];
  let seconds = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}
