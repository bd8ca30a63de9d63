// From query rows to the report's tables. Pure: the service runs the queries, this places counts on
// local days and computes shares and percentiles, so each figure can be tested without a database.
import { localDayOf } from '../sla/calendar.js';
import { OPEN_STATES } from '../tickets/ticket-state.js';
import { AGE_BUCKETS, ageBucketOf, percentilesOf, share } from './report-math.js';
import {
  type BacklogRow as BacklogCount,
  type BreachRow as BreachRecord,
  BUCKET_MS,
  type CountRow,
  type DecisionRow,
  type OutcomeCountRow,
  type ResponseRow,
} from './report-queries.js';
import { dayName, type ReportRange } from './report-range.js';
import { REQUEST_TYPES, type RequestType } from '../tickets/ticket.types.js';

/** One row per request type, then `all` (when the report covers every type). Times in milliseconds. */
export interface SlaRow {
  request_type: RequestType | 'all';
  received: number;
  decided: number;
  approved: number;
  denied: number;
  withdrawn: number;
  closed_no_response: number;
  response_measured: number;
  response_met: number;
  response_met_pct: number | null;
  response_p50_ms: number | null;
  response_p90_ms: number | null;
  response_p99_ms: number | null;
  decision_measured: number;
  decision_met: number;
  decision_met_pct: number | null;
  decision_p50_ms: number | null;
  decision_p90_ms: number | null;
  decision_p99_ms: number | null;
}

export interface DayRow {
  day: string;
  received: number;
  decided: number;
  open_at_end: number;
}

export type BacklogRow = { state: string } & Record<(typeof AGE_BUCKETS)[number]['key'], number> & { total: number };

export interface BreachRow {
  reference: string;
  request_type: RequestType;
  received_at: string;
  state: string;
  /** Which clocks missed their target: `response`, `decision` or both. */
  breached: string;
  response_ms: number | null;
  decision_ms: number | null;
  /** Who holds the ticket now, or who decided it. */
  moderator: string | null;
}

export interface ModeratorRow {
  moderator: string;
  decisions: number;
  approved: number;
  denied: number;
  median_handling_ms: number | null;
  decision_measured: number;
  decision_met: number;
  decision_met_pct: number | null;
}

export interface DistributionRow {
  time_to_decision: string;
  decisions: number;
}

/** Local day of a 15-minute bucket, cached: a year has 35,040 buckets, a day's formatter call is slow. */
export function dayOfBucket(range: Pick<ReportRange, 'timeZone'>): (bucket: number) => string {
  const cache = new Map<number, string>();
  return (bucket) => {
    let day = cache.get(bucket);
    if (day === undefined) {
      day = dayName(localDayOf(range.timeZone, bucket * BUCKET_MS));
      cache.set(bucket, day);
    }
    return day;
  };
}

function typesOf(range: ReportRange): Array<RequestType | 'all'> {
  return range.type === 'all' ? [...REQUEST_TYPES, 'all'] : [range.type];
}

const matches = (type: RequestType | 'all', rowType: RequestType) => type === 'all' || type === rowType;

export function slaRows(range: ReportRange, received: CountRow[], outcomes: OutcomeCountRow[], decisions: DecisionRow[], responses: ResponseRow[]): SlaRow[] {
  return typesOf(range).map((type) => {
    const count = (outcome: string) => outcomes.filter((o) => o.outcome === outcome && matches(type, o.type)).reduce((n, o) => n + o.n, 0);
    const rs = responses.filter((r) => matches(type, r.type));
    const ds = decisions.filter((d) => matches(type, d.type) && d.ms !== null);
    const rp = percentilesOf(rs.map((r) => r.ms));
    const dp = percentilesOf(ds.map((d) => d.ms as number));
    const responseMet = rs.filter((r) => r.met).length;
    const decisionMet = ds.filter((d) => d.met === true).length;
    const approved = count('approved');
    const denied = count('denied');
    return {
      request_type: type,
      received: received.filter((r) => matches(type, r.type)).reduce((n, r) => n + r.n, 0),
      decided: approved + denied,
      approved,
      denied,
      withdrawn: count('withdrawn'),
      closed_no_response: count('closed_no_response'),
      response_measured: rs.length,
      response_met: responseMet,
      response_met_pct: share(responseMet, rs.length),
      response_p50_ms: rp.p50,
      response_p90_ms: rp.p90,
      response_p99_ms: rp.p99,
      decision_measured: ds.length,
      decision_met: decisionMet,
      decision_met_pct: share(decisionMet, ds.length),
      decision_p50_ms: dp.p50,
      decision_p90_ms: dp.p90,
      decision_p99_ms: dp.p99,
    };
  });
}

/**
 * Per local day: received, decided, and tickets open at the day's end, walked forward from the count
 * open when the range starts (`moves`: closings −1 and reopenings +1 by bucket).
 */
export function dayRows(
  range: ReportRange,
  received: CountRow[],
  outcomes: OutcomeCountRow[],
  openAtStart: number,
  moves: Array<{ bucket: number; n: number }>,
): DayRow[] {
  const dayOf = dayOfBucket(range);
  const rows = new Map(range.days.map((day) => [day, { day, received: 0, decided: 0, open_at_end: 0 }]));
  const movesByDay = new Map<string, number>();
  for (const r of received) {
    const row = rows.get(dayOf(r.bucket));
    if (row) row.received += r.n;
  }
  for (const o of outcomes) {
    const row = rows.get(dayOf(o.bucket));
    if (row && (o.outcome === 'approved' || o.outcome === 'denied')) row.decided += o.n;
  }
  for (const m of moves) movesByDay.set(dayOf(m.bucket), (movesByDay.get(dayOf(m.bucket)) ?? 0) + m.n);
  let open = openAtStart;
  for (const row of rows.values()) {
    open += row.received + (movesByDay.get(row.day) ?? 0);
    row.open_at_end = open;
  }
  return [...rows.values()];
}

/** Every open state (zeros included, in the life-cycle's order), then `total`. */
export function backlogRows(counts: BacklogCount[]): BacklogRow[] {
  const empty = (state: string): BacklogRow => Object.assign({ state }, ...AGE_BUCKETS.map((b) => ({ [b.key]: 0 })), { total: 0 }) as BacklogRow;
  const rows = OPEN_STATES.map((state) => empty(state));
  const total = empty('total');
  for (const c of counts) {
    const row = rows.find((r) => r.state === c.state);
    const key = AGE_BUCKETS[Math.min(c.bucket, AGE_BUCKETS.length - 1)].key;
    for (const target of row ? [row, total] : [total]) {
      target[key] += c.n;
      target.total += c.n;
    }
  }
  return [...rows, total];
}

/** Creation instants separating the backlog's age buckets, newest first (see ReportQueries.backlog). */
export function backlogEdges(now: Date): Date[] {
  return AGE_BUCKETS.slice(0, -1).map((b) => new Date(now.getTime() - b.to * 86_400_000));
}

export function breachRows(records: BreachRecord[]): BreachRow[] {
  return records.map((r) => {
    const response = r.responseMet === false || r.responseLevel === 'breached';
    const decision = r.decisionMet === false || r.decisionLevel === 'breached';
    return {
      reference: r.reference,
      request_type: r.type,
      received_at: r.createdAt.toISOString(),
      state: r.state,
      breached: [response ? 'response' : null, decision ? 'decision' : null].filter(Boolean).join(', '),
      response_ms: r.responseMs,
      decision_ms: r.decisionMs,
      moderator: (r.holder ?? r.decidedBy)?.replace(/^moderator:/, '') ?? null,
    };
  });
}

/** Per deciding moderator, most decisions first (then by name, so the order is stable). */
export function moderatorRows(decisions: DecisionRow[]): ModeratorRow[] {
  const by = new Map<string, DecisionRow[]>();
  for (const d of decisions) {
    if (!d.decidedBy) continue;
    const list = by.get(d.decidedBy) ?? [];
    list.push(d);
    by.set(d.decidedBy, list);
  }
  return [...by.entries()]
    .map(([actor, list]) => {
      const measured = list.filter((d) => d.met !== null);
      const met = measured.filter((d) => d.met).length;
      return {
        moderator: actor.replace(/^moderator:/, ''),
        decisions: list.length,
        approved: list.filter((d) => d.outcome === 'approved').length,
        denied: list.filter((d) => d.outcome === 'denied').length,
        median_handling_ms: percentilesOf(list.flatMap((d) => (d.handlingMs === null ? [] : [d.handlingMs]))).p50,
        decision_measured: measured.length,
        decision_met: met,
        decision_met_pct: share(met, measured.length),
      };
    })
    .sort((a, b) => b.decisions - a.decisions || a.moderator.localeCompare(b.moderator));
}

/** How long decisions took, in the backlog's age buckets. */
export function distributionRows(decisions: DecisionRow[]): DistributionRow[] {
  const counts = AGE_BUCKETS.map(() => 0);
  for (const d of decisions) if (d.ms !== null) counts[ageBucketOf(d.ms)] += 1;
  return AGE_BUCKETS.map((b, i) => ({ time_to_decision: b.label, decisions: counts[i] }));
}
