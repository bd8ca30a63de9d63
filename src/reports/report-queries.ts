// The SQL behind the reports, for SQLite and PostgreSQL. Each query reads one index range (see the
// reports migration), covering where rows are read one by one: counts are grouped in SQL by request type
// and by local day of the range's time zone, and handed on as a 15-minute bucket of UTC time inside that
// day (the unit report-figures places on days); only the measures that percentiles need are read row by row.
import type { DataSource } from 'typeorm';
import { localDayOf } from '../sla/calendar.js';
import { OPEN_STATES } from '../tickets/ticket-state.js';
import { dayStart } from './report-range.js';
import type { Outcome, RequestType } from '../tickets/ticket.types.js';

export const BUCKET_MS = 15 * 60_000;
const DAY = 86_400_000;

export interface CountRow {
  type: RequestType;
  bucket: number;
  n: number;
}
export interface OutcomeCountRow extends CountRow {
  outcome: Outcome;
}
export interface DecisionRow {
  type: RequestType;
  outcome: 'approved' | 'denied';
  ms: number | null;
  met: boolean | null;
  decidedBy: string | null;
  handlingMs: number | null;
}
export interface ResponseRow {
  type: RequestType;
  ms: number;
  met: boolean;
}
export interface BacklogRow {
  state: string;
  bucket: number;
  n: number;
}
export interface BreachRow {
  reference: string;
  type: RequestType;
  createdAt: Date;
  state: string;
  responseMet: boolean | null;
  decisionMet: boolean | null;
  responseLevel: string;
  decisionLevel: string;
  responseMs: number | null;
  decisionMs: number | null;
  holder: string | null;
  decidedBy: string | null;
}

/** A decided ticket for the calibration tables: its final score, the rules that made it, and its final state. */
export interface LabelledRow {
  ruleVersion: string;
  score: number;
  state: string;
}

export interface QueryRange {
  start: Date;
  end: Date;
  type: RequestType | 'all';
  /** Counts are grouped by local day in this zone (UTC when absent). */
  timeZone?: string;
}

/**
 * Runs of local days inside [start, end) whose day number the SQL can compute with one formula: 24-hour
 * days share a run (day = first + whole days since its start); a day a clock change makes 23 or 25 hours
 * long is a run of its own. A year in a zone with summer time has five.
 */
interface DayRun {
  firstDay: number;
  from: number;
  until: number;
  regular: boolean;
}

function dayRuns(range: QueryRange): DayRun[] {
  const zone = range.timeZone ?? 'UTC';
  const first = localDayOf(zone, range.start.getTime());
  const last = localDayOf(zone, range.end.getTime() - 1);
  const starts = new Map<number, number>();
  const startOf = (day: number) => {
    let at = starts.get(day);
    if (at === undefined) starts.set(day, (at = dayStart(zone, day).getTime()));
    return at;
  };
  const runs: DayRun[] = [];
  let runStart = first;
  const close = (endDay: number, regular: boolean) => {
    if (endDay > runStart) runs.push({ firstDay: runStart, from: startOf(runStart), until: startOf(endDay), regular });
    runStart = endDay;
  };
  for (let day = first; day <= last; day++) {
    if (startOf(day + 1) - startOf(day) === DAY) continue;
    close(day, true);
    close(day + 1, false);
  }
  close(last + 1, true);
  return runs;
}

/** A 15-minute bucket of UTC time inside local day `day` (its noon: days are 23 to 25 hours long). */
function bucketOfDay(timeZone: string | undefined): (day: number) => number {
  const cache = new Map<number, number>();
  return (day) => {
    let bucket = cache.get(day);
    if (bucket === undefined) cache.set(day, (bucket = Math.floor((dayStart(timeZone ?? 'UTC', day).getTime() + DAY / 2) / BUCKET_MS)));
    return bucket;
  };
}

/**
 * A ticket that missed a target: a measure says so, or an open clock was marked breached. Written the
 * same way as the WHERE of the partial index ix_tickets_breached (reports migration), and valid on both
 * databases (SQLite reads FALSE as 0).
 */
export const BREACHED = "(sla_response_met = FALSE OR sla_decision_met = FALSE OR sla_response_level = 'breached' OR sla_decision_level = 'breached')";

/** Builds one statement with the dialect's placeholders. */
class Sql {
  readonly params: unknown[] = [];
  constructor(private readonly postgres: boolean) {}

  param(value: unknown): string {
    this.params.push(value instanceof Date && !this.postgres ? sqliteTime(value) : value);
    return this.postgres ? `$${this.params.length}` : '?';
  }

  /**
   * The local day (days since 1970-01-01 in the range's zone) of a timestamp column inside the range, as
   * an integer: whole seconds since the start of its run of days, divided by a day. Only numbers are
   * written into the SQL (days and seconds the code computed), so no parameter is added.
   */
  day(column: string, range: QueryRange): string {
    const seconds = this.postgres ? `floor(extract(epoch from ${column}))::bigint` : `unixepoch(${column})`;
    const dayIn = (run: DayRun) => (run.regular ? `${run.firstDay} + (${seconds} - ${Math.floor(run.from / 1000)}) / 86400` : String(run.firstDay));
    const runs = dayRuns(range);
    if (runs.length === 1) return `(${dayIn(runs[0])})`;
    const cases = runs
      .slice(0, -1)
      .map((run) => `WHEN ${seconds} < ${Math.floor(run.until / 1000)} THEN ${dayIn(run)}`)
      .join(' ');
    return `(CASE ${cases} ELSE ${dayIn(runs[runs.length - 1])} END)`;
  }

  /** `column` within [start, end). Each call adds its own parameters: SQLite's `?` are positional. */
  within(column: string, range: QueryRange): string {
    return `${column} >= ${this.param(range.start)} AND ${column} < ${this.param(range.end)}`;
  }

  typeFilter(range: Pick<QueryRange, 'type'>, column = 'request_type'): string {
    return range.type === 'all' ? '' : ` AND ${column} = ${this.param(range.type)}`;
  }
}

/** How TypeORM writes a `datetime` on SQLite (UTC, milliseconds): comparisons are on that text. */
function sqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const boolOrNull = (v: unknown): boolean | null => (v === null || v === undefined ? null : v === true || v === 1 || v === '1');

export class ReportQueries {
  private readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  private sql(): Sql {
    return new Sql(this.postgres);
  }

  private async rows(sql: Sql, text: string): Promise<Array<Record<string, unknown>>> {
    return this.dataSource.query(text, sql.params);
  }

  /** Tickets received, by type and day. */
  async received(range: QueryRange): Promise<CountRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT request_type AS type, ${q.day('created_at', range)} AS day, COUNT(*) AS n FROM tickets
      WHERE ${q.within('created_at', range)}${q.typeFilter(range)} GROUP BY 1, 2`,
    );
    const bucket = bucketOfDay(range.timeZone);
    return rows.map((r) => ({ type: r.type as RequestType, bucket: bucket(num(r.day)), n: num(r.n) }));
  }

  /** Cycles that ended in the range (the current cycle of a ticket and cycles before a reopen), by outcome. */
  async outcomes(range: QueryRange): Promise<OutcomeCountRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT type, outcome, day, SUM(n) AS n FROM (
        SELECT request_type AS type, outcome, ${q.day('sla_decided_at', range)} AS day, COUNT(*) AS n FROM tickets
          WHERE ${q.within('sla_decided_at', range)} AND outcome IS NOT NULL${q.typeFilter(range)} GROUP BY 1, 2, 3
        UNION ALL
        SELECT request_type, outcome, ${q.day('decided_at', range)}, COUNT(*) FROM ticket_cycles
          WHERE ${q.within('decided_at', range)} AND outcome IS NOT NULL${q.typeFilter(range)} GROUP BY 1, 2, 3
      ) c GROUP BY 1, 2, 3`,
    );
    const bucket = bucketOfDay(range.timeZone);
    return rows.map((r) => ({ type: r.type as RequestType, outcome: r.outcome as Outcome, bucket: bucket(num(r.day)), n: num(r.n) }));
  }

  /** Every moderator decision (approve, deny) in the range, with its measures: percentiles need the values. */
  async decisions(range: QueryRange): Promise<DecisionRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `
      SELECT request_type AS type, outcome, sla_decision_ms AS ms, sla_decision_met AS met, decided_by, handling_ms FROM tickets
        WHERE ${q.within('sla_decided_at', range)} AND outcome IN ('approved', 'denied')${q.typeFilter(range)}
      UNION ALL
      SELECT request_type, outcome, decision_ms, decision_met, decided_by, handling_ms FROM ticket_cycles
        WHERE ${q.within('decided_at', range)} AND outcome IN ('approved', 'denied')${q.typeFilter(range)}`,
    );
    return rows.map((r) => ({
      type: r.type as RequestType,
      outcome: r.outcome as 'approved' | 'denied',
      ms: numOrNull(r.ms),
      met: boolOrNull(r.met),
      decidedBy: (r.decided_by as string | null) ?? null,
      handlingMs: numOrNull(r.handling_ms),
    }));
  }

  /** First responses in the range with their measures (tickets closed before measures existed have none). */
  async responses(range: QueryRange): Promise<ResponseRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT request_type AS type, sla_response_ms AS ms, sla_response_met AS met FROM tickets
      WHERE ${q.within('first_responded_at', range)} AND sla_response_ms IS NOT NULL${q.typeFilter(range)}`,
    );
    return rows.map((r) => ({ type: r.type as RequestType, ms: num(r.ms), met: boolOrNull(r.met) === true }));
  }

  /**
   * Open tickets now, by state and age bucket. `edges` are the creation instants that separate the
   * buckets, newest first (now − 1 d, now − 3 d, …): a ticket created after edges[0] is in bucket 0.
   */
  async backlog(type: RequestType | 'all', edges: readonly Date[]): Promise<BacklogRow[]> {
    const q = this.sql();
    const cases = edges.map((edge, i) => `WHEN created_at > ${q.param(edge)} THEN ${i}`).join(' ');
    const open = OPEN_STATES.map((s) => q.param(s)).join(', ');
    const rows = await this.rows(
      q,
      `SELECT state, CASE ${cases} ELSE ${edges.length} END AS bucket, COUNT(*) AS n FROM tickets
      WHERE state IN (${open})${q.typeFilter({ type })} GROUP BY 1, 2`,
    );
    return rows.map((r) => ({ state: String(r.state), bucket: num(r.bucket), n: num(r.n) }));
  }

  /**
   * Tickets received in the range whose first response or decision missed its target, oldest first; the
   * first `limit` only when given. Read on the partial index of breached tickets (ix_tickets_breached),
   * whose condition is BREACHED word for word: that is how SQLite knows the index applies.
   */
  async breaches(range: QueryRange, limit: number | null = null): Promise<BreachRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT reference, request_type AS type, created_at, state, sla_response_met, sla_decision_met,
        sla_response_level, sla_decision_level, sla_response_ms, sla_decision_ms, claimed_by, decided_by FROM tickets
      WHERE ${q.within('created_at', range)}${q.typeFilter(range)} AND ${BREACHED}
      ORDER BY created_at, id${limit === null ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`}`,
    );
    return rows.map((r) => ({
      reference: String(r.reference),
      type: r.type as RequestType,
      createdAt: toDate(r.created_at),
      state: String(r.state),
      responseMet: boolOrNull(r.sla_response_met),
      decisionMet: boolOrNull(r.sla_decision_met),
      responseLevel: String(r.sla_response_level),
      decisionLevel: String(r.sla_decision_level),
      responseMs: numOrNull(r.sla_response_ms),
      decisionMs: numOrNull(r.sla_decision_ms),
      holder: (r.claimed_by as string | null) ?? null,
      decidedBy: (r.decided_by as string | null) ?? null,
    }));
  }

  /** How many tickets `breaches` would list without a limit. */
  async breachCount(range: QueryRange): Promise<number> {
    const q = this.sql();
    const [row] = await this.rows(q, `SELECT COUNT(*) AS n FROM tickets WHERE ${q.within('created_at', range)}${q.typeFilter(range)} AND ${BREACHED}`);
    return num(row.n);
  }

  /**
   * Tickets open at `at`: received before it, minus closings before it, plus reopenings before it
   * (a reopened ticket's earlier closing is kept in ticket_cycles).
   */
  async openAt(at: Date, type: RequestType | 'all'): Promise<number> {
    const q = this.sql();
    const before = (table: string, column: string) => `(SELECT COUNT(*) FROM ${table} WHERE ${column} < ${q.param(at)}${q.typeFilter({ type })})`;
    const [row] = await this.rows(
      q,
      `SELECT ${before('tickets', 'created_at')} - ${before('tickets', 'closed_at')}
      - ${before('ticket_cycles', 'closed_at')} + ${before('ticket_cycles', 'reopened_at')} AS n`,
    );
    return num(row.n);
  }

  /** Closings (−1) and reopenings (+1) in the range by day: with received, the open count moves by these. */
  async openMoves(range: QueryRange): Promise<Array<{ bucket: number; n: number }>> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT day, SUM(n) AS n FROM (
        SELECT ${q.day('closed_at', range)} AS day, -COUNT(*) AS n FROM tickets WHERE ${q.within('closed_at', range)}${q.typeFilter(range)} GROUP BY 1
        UNION ALL SELECT ${q.day('closed_at', range)}, -COUNT(*) FROM ticket_cycles WHERE ${q.within('closed_at', range)}${q.typeFilter(range)} GROUP BY 1
        UNION ALL SELECT ${q.day('reopened_at', range)}, COUNT(*) FROM ticket_cycles WHERE ${q.within('reopened_at', range)}${q.typeFilter(range)} GROUP BY 1
      ) m GROUP BY 1`,
    );
    const bucket = bucketOfDay(range.timeZone);
    return rows.map((r) => ({ bucket: bucket(num(r.day)), n: num(r.n) }));
  }

  /**
   * Tickets closed in the range in a state that labels them (scoring/calibration.ts, OUTCOME_LABELS), with
   * the score of their latest assessment and its rule version (docs/evidence.md, "Calibrated odds").
   */
  async labelled(range: QueryRange, states: readonly string[]): Promise<LabelledRow[]> {
    const q = this.sql();
    const rows = await this.rows(
      q,
      `SELECT rule_version, score, state FROM tickets
      WHERE ${q.within('closed_at', range)} AND state IN (${states.map((s) => q.param(s)).join(', ')})
        AND score IS NOT NULL AND rule_version IS NOT NULL${q.typeFilter(range)}`,
    );
    return rows.map((r) => ({ ruleVersion: String(r.rule_version), score: num(r.score), state: String(r.state) }));
  }
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  // SQLite gives the stored UTC text back.
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
