// The SLA state of one ticket as plain data and pure transitions: callers pass the current time and persist
// the returned state, so the same rules run in request handlers, timers and reports.
import type { Calendar } from './calendar.js';

export type SlaLevel = 'on_time' | 'warning' | 'breached';
export type SlaClock = 'response' | 'decision';

export interface SlaTargets {
  firstResponseMs: number;
  decisionMs: number;
  /** Share of a budget after which the clock warns, 0 < warnAt < 1. */
  warnAt: number;
  calendar: Calendar;
}

export interface SlaPause {
  from: Date;
  to: Date;
}

/** What is stored on the ticket (all instants as Date, null where not applicable). */
export interface SlaState {
  /** 1 for a new ticket; +1 on reopen. */
  cycle: number;
  cycleStartedAt: Date;
  /** The first response; the response clock is not measured again afterwards. */
  firstRespondedAt: Date | null;
  /** The cycle's decision: both clocks stopped for good in this cycle. */
  decidedAt: Date | null;
  /** Open pause (waiting on the requester). */
  pausedSince: Date | null;
  /** Closed pauses of this cycle, in order. */
  pauses: SlaPause[];
  /** Null when met, paused or not running. */
  responseWarnAt: Date | null;
  responseDueAt: Date | null;
  decisionWarnAt: Date | null;
  decisionDueAt: Date | null;
  responseLevel: SlaLevel;
  decisionLevel: SlaLevel;
  /** Earliest upcoming instant among the four above whose level is not yet reached; null if none. */
  nextAt: Date | null;
}

export type SlaMark = { clock: SlaClock; level: 'warning' | 'breached' };

const RANK: Record<SlaLevel, number> = { on_time: 0, warning: 1, breached: 2 };

const higher = (a: SlaLevel, b: SlaLevel): SlaLevel => (RANK[b] > RANK[a] ? b : a);
const later = (a: Date, b: Date): Date => (b.getTime() > a.getTime() ? b : a);
const earlier = (a: Date, b: Date): Date => (b.getTime() < a.getTime() ? b : a);

/**
 * The instant at which `ms` working milliseconds have elapsed since `start`, not counting working time
 * inside `pauses` (ordered, non-overlapping). A deadline reached before a pause begins is not moved by it.
 */
export function instantAfterWorking(start: Date, ms: number, pauses: readonly SlaPause[], calendar: Calendar): Date {
  let cursor = start;
  let remaining = ms;
  for (const pause of pauses) {
    if (pause.to.getTime() <= cursor.getTime()) continue;
    const candidate = calendar.addWorking(cursor, remaining);
    if (candidate.getTime() <= pause.from.getTime()) return candidate;
    remaining -= calendar.workingBetween(cursor, pause.from);
    cursor = later(cursor, pause.to);
  }
  return calendar.addWorking(cursor, remaining);
}

function budgetOf(clock: SlaClock, t: SlaTargets): number {
  return clock === 'response' ? t.firstResponseMs : t.decisionMs;
}

/** Whether the clock still counts towards a deadline: not met, not decided (a pause only suspends it). */
function isRunning(s: SlaState, clock: SlaClock): boolean {
  if (s.decidedAt !== null) return false;
  return clock === 'decision' || s.firstRespondedAt === null;
}

function deadlines(s: SlaState, clock: SlaClock, t: SlaTargets): { warnAt: Date | null; dueAt: Date | null } {
  // While paused the clock is stopped, so there is no instant at which it will next fire.
  if (!isRunning(s, clock) || s.pausedSince !== null) return { warnAt: null, dueAt: null };
  const budget = budgetOf(clock, t);
  return {
    warnAt: instantAfterWorking(s.cycleStartedAt, Math.round(budget * t.warnAt), s.pauses, t.calendar),
    dueAt: instantAfterWorking(s.cycleStartedAt, budget, s.pauses, t.calendar),
  };
}

/** Upcoming instants per clock, each with the level it would mark. */
function pending(s: SlaState): Array<{ clock: SlaClock; level: 'warning' | 'breached'; at: Date }> {
  const out: Array<{ clock: SlaClock; level: 'warning' | 'breached'; at: Date }> = [];
  const add = (clock: SlaClock, current: SlaLevel, warnAt: Date | null, dueAt: Date | null) => {
    if (warnAt && current === 'on_time') out.push({ clock, level: 'warning', at: warnAt });
    if (dueAt && current !== 'breached') out.push({ clock, level: 'breached', at: dueAt });
  };
  add('response', s.responseLevel, s.responseWarnAt, s.responseDueAt);
  add('decision', s.decisionLevel, s.decisionWarnAt, s.decisionDueAt);
  return out;
}

/** Recomputes every derived field from the stored facts. */
function recompute(s: SlaState, t: SlaTargets): SlaState {
  const response = deadlines(s, 'response', t);
  const decision = deadlines(s, 'decision', t);
  const next: SlaState = {
    ...s,
    responseWarnAt: response.warnAt,
    responseDueAt: response.dueAt,
    decisionWarnAt: decision.warnAt,
    decisionDueAt: decision.dueAt,
  };
  const upcoming = pending(next).map((p) => p.at);
  next.nextAt = upcoming.length > 0 ? upcoming.reduce(earlier) : null;
  return next;
}

export function startSla(createdAt: Date, t: SlaTargets): SlaState {
  return recompute(
    {
      cycle: 1,
      cycleStartedAt: createdAt,
      firstRespondedAt: null,
      decidedAt: null,
      pausedSince: null,
      pauses: [],
      responseWarnAt: null,
      responseDueAt: null,
      decisionWarnAt: null,
      decisionDueAt: null,
      responseLevel: 'on_time',
      decisionLevel: 'on_time',
      nextAt: null,
    },
    t,
  );
}

/** No-op if already paused or decided. */
export function pauseSla(s: SlaState, now: Date, t: SlaTargets): SlaState {
  if (s.pausedSince !== null || s.decidedAt !== null) return s;
  // Never before the cycle or the previous pause, so pauses stay ordered and disjoint.
  const lastPause = s.pauses.at(-1);
  const from = later(lastPause ? later(s.cycleStartedAt, lastPause.to) : s.cycleStartedAt, now);
  return recompute({ ...s, pausedSince: from }, t);
}

function closePause(s: SlaState, now: Date): SlaState {
  if (s.pausedSince === null) return s;
  const pause = { from: s.pausedSince, to: later(s.pausedSince, now) };
  return { ...s, pausedSince: null, pauses: [...s.pauses, pause] };
}

/** Closes the open pause; no-op if not paused. */
export function resumeSla(s: SlaState, now: Date, t: SlaTargets): SlaState {
  if (s.pausedSince === null) return s;
  return recompute(closePause(s, now), t);
}

/** Records the first response once; the response clock stops for good (its level is kept for reports). */
export function respondSla(s: SlaState, now: Date, t: SlaTargets): SlaState {
  if (s.firstRespondedAt !== null) return s;
  return recompute({ ...s, firstRespondedAt: now }, t);
}

/**
 * The cycle's decision (or close): both clocks stop and every deadline is cleared; an open pause is closed.
 * It does not count as a first response: the caller records that separately if the decision was sent.
 */
export function decideSla(s: SlaState, now: Date, t: SlaTargets): SlaState {
  if (s.decidedAt !== null) return s;
  return recompute({ ...closePause(s, now), decidedAt: now }, t);
}

/**
 * Starts a new cycle for a reopened ticket: the decision clock starts again from `now`.
 *
 * The first response is NOT measured again: it is a promise about how soon someone first looks at a
 * ticket, and a reopened ticket has been looked at. `firstRespondedAt` is therefore kept, and if the
 * ticket was closed without one it is set to `now`, as otherwise the response clock would restart
 * from the new cycle (an SLA the ticket never had) or from the old one (breached on arrival). The
 * response level is kept too, as the record of how the first response went.
 */
export function reopenSla(s: SlaState, now: Date, t: SlaTargets): SlaState {
  return recompute(
    {
      ...s,
      cycle: s.cycle + 1,
      cycleStartedAt: now,
      firstRespondedAt: s.firstRespondedAt ?? now,
      decidedAt: null,
      pausedSince: null,
      pauses: [],
      decisionLevel: 'on_time',
    },
    t,
  );
}

/**
 * Levels reached at `now` that are not yet recorded: what a fired timer must mark. Only the highest
 * per clock is returned, so a late timer reports a breach without a stale warning before it.
 */
export function dueMarks(s: SlaState, now: Date): SlaMark[] {
  const reached = pending(s).filter((p) => p.at.getTime() <= now.getTime());
  const marks: SlaMark[] = [];
  for (const clock of ['response', 'decision'] as const) {
    const levels = reached.filter((p) => p.clock === clock).map((p) => p.level);
    if (levels.includes('breached')) marks.push({ clock, level: 'breached' });
    else if (levels.includes('warning')) marks.push({ clock, level: 'warning' });
  }
  return marks;
}

/** Records marks (levels only go up within a cycle) and recomputes nextAt. */
export function applyMarks(s: SlaState, marks: readonly SlaMark[], t: SlaTargets): SlaState {
  let { responseLevel, decisionLevel } = s;
  for (const mark of marks) {
    if (mark.clock === 'response') responseLevel = higher(responseLevel, mark.level);
    else decisionLevel = higher(decisionLevel, mark.level);
  }
  return recompute({ ...s, responseLevel, decisionLevel }, t);
}

/** Over the clocks still running (not met/decided, paused included); on_time if none. */
export function worstLevel(s: SlaState): SlaLevel {
  let worst: SlaLevel = 'on_time';
  if (isRunning(s, 'response')) worst = higher(worst, s.responseLevel);
  if (isRunning(s, 'decision')) worst = higher(worst, s.decisionLevel);
  return worst;
}

/**
 * Working time still left before a clock's due instant (negative when overdue), for "time left" badges;
 * null if not running. A paused clock gives the time left when it was paused, which it keeps until resumed.
 */
export function timeLeft(s: SlaState, clock: SlaClock, now: Date, t: SlaTargets): number | null {
  if (!isRunning(s, clock)) return null;
  return budgetOf(clock, t) - elapsedWorking(s, now, t, clock);
}

/**
 * Working time counted so far on a clock in this cycle, pauses excluded (for reports). The response
 * clock counts up to the first response, the decision clock up to the decision.
 */
export function elapsedWorking(s: SlaState, until: Date, t: SlaTargets, clock: SlaClock = 'decision'): number {
  const stop = clock === 'response' ? (s.firstRespondedAt ?? s.decidedAt) : s.decidedAt;
  const end = stop ? earlier(stop, until) : until;
  const { calendar } = t;
  let total = calendar.workingBetween(s.cycleStartedAt, end);
  const pauses = s.pausedSince ? [...s.pauses, { from: s.pausedSince, to: end }] : s.pauses;
  for (const pause of pauses) {
    total -= calendar.workingBetween(later(pause.from, s.cycleStartedAt), earlier(pause.to, end));
  }
  return total;
}
