export interface WaitEstimate {
  /** Days until a decision, rounded up; null while there is no recent history to go on. */
  days: number | null;
  text: string;
}

/**
 * How long until a ticket at `position` is decided, from the rate of recent decisions: FIFO means
 * `position` decisions must happen first. Unknown while nothing was decided in the window.
 */
export function estimateWait(position: number, decisionsInWindow: number, windowDays: number): WaitEstimate {
  if (position <= 0) return { days: 0, text: 'being handled now' };
  if (decisionsInWindow <= 0 || windowDays <= 0) return { days: null, text: 'unknown (no recent decisions to estimate from)' };
  const perDay = decisionsInWindow / windowDays;
  const days = Math.max(1, Math.ceil(position / perDay));
  return { days, text: describeDays(days) };
}

function describeDays(days: number): string {
  if (days <= 1) return 'about a day';
  if (days < 14) return `about ${days} days`;
  if (days < 60) return `about ${Math.round(days / 7)} weeks`;
  return `about ${Math.round(days / 30)} months`;
}
