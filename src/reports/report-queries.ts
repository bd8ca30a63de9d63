// The SQL behind the reports, for SQLite and PostgreSQL. Each query reads one index range (see the
// reports migration): counts are grouped in SQL by request type and by 15-minute bucket of UTC time, so
// the caller can place them on local days in any time zone (every zone's offset is a multiple of 15
// minutes today); only the measures that percentiles need are read row by row.
import type { DataSource } from 'typeorm';
import { OPEN_STATES } from '../tickets/ticket-state.js';
import type { Outcome, RequestType } from '../tickets/ticket.entity.js';

export const BUCKET_MS = 15 * 60_000;

export interface CountRow { type: RequestType; bucket: number; n: number }
export interface OutcomeCountRow extends CountRow { outcome: Outcome }
export interface DecisionRow { type: RequestType; outcome: 'approved' | 'denied'; ms: number | null; met: boolean | null; decidedBy: string | null; handlingMs: number | null }
export interface ResponseRow { type: RequestType; ms: number; met: boolean }
export interface BacklogRow { state: string; bucket: number; n: number }
export interface BreachRow {
  reference: string; type: RequestType; createdAt: Date; state: string; responseMet: boolean | null; decisionMet: boolean | null;
  responseLevel: string; decisionLevel: string; responseMs: number | null; decisionMs: number | null; holder: string | null; decidedBy: string | null;
}

export interface QueryRange { start: Date; end: Date; type: RequestType | 'all' }

/** Builds one statement with the dialect's placeholders. */
class Sql {
  readonly params: unknown[] = [];
  constructor(private readonly postgres: boolean) {}

  param(value: unknown): string {
    this.params.push(value instanceof Date && !this.postgres ? sqliteTime(value) : value);
    return this.postgres ? `$${this.params.length}` : '?';
  }

  /** The 15-minute bucket (UTC) of a timestamp column, as an integer. */
  bucket(column: string): string {
    return this.postgres ? `floor(extract(epoch from ${column}) / 900)::bigint` : `(unixepoch(${column}) / 900)`;
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

  /** Tickets received, by type and bucket. */
  async received(range: QueryRange): Promise<CountRow[]> {
    const q = this.sql();
    const rows = await this.rows(q, `SELECT request_type AS type, ${q.bucket('created_at')} AS bucket, COUNT(*) AS n FROM tickets
      WHERE ${q.within('created_at', range)}${q.typeFilter(range)} GROUP BY 1, 2`);
    return rows.map((r) => ({ type: r.type as RequestType, bucket: num(r.bucket), n: num(r.n) }));
  }

  /** Cycles that ended in the range (the current cycle of a ticket and cycles before a reopen), by outcome. */
  async outcomes(range: QueryRange): Promise<OutcomeCountRow[]> {
    const q = this.sql();
    const rows = await this.rows(q, `SELECT type, outcome, bucket, SUM(n) AS n FROM (
        SELECT request_type AS type, outcome, ${q.bucket('sla_decided_at')} AS bucket, COUNT(*) AS n FROM tickets
          WHERE ${q.within('sla_decided_at', range)} AND outcome IS NOT NULL${q.typeFilter(range)} GROUP BY 1, 2, 3
        UNION ALL
        SELECT request_type, outcome, ${q.bucket('decided_at')}, COUNT(*) FROM ticket_cycles
          WHERE ${q.within('decided_at', range)} AND outcome IS NOT NULL${q.typeFilter(range)} GROUP BY 1, 2, 3
      ) c GROUP BY 1, 2, 3`);
    return rows.map((r) => ({ type: r.type as RequestType, outcome: r.outcome as Outcome, bucket: num(r.bucket), n: num(r.n) }));
  }

  /** Every moderator decision (approve, deny) in the range, with its measures: percentiles need the values. */
  async decisions(range: QueryRange): Promise<DecisionRow[]> {
    const q = this.sql();
    const rows = await this.rows(q, `
      SELECT request_type AS type, outcome, sla_decision_ms AS ms, sla_decision_met AS met, decided_by, handling_ms FROM tickets
        WHERE ${q.within('sla_decided_at', range)} AND outcome IN ('approved', 'denied')${q.typeFilter(range)}
      UNION ALL
      SELECT request_type, outcome, decision_ms, decision_met, decided_by, handling_ms FROM ticket_cycles
        WHERE ${q.within('decided_at', range)} AND outcome IN ('approved', 'denied')${q.typeFilter(range)}`);
    return rows.map((r) => ({
      type: r.type as RequestType, outcome: r.outcome as 'approved' | 'denied', ms: numOrNull(r.ms), met: boolOrNull(r.met),
      decidedBy: (r.decided_by as string | null) ?? null, handlingMs: numOrNull(r.handling_ms),
    }));
  }

  /** First responses in the range with their measures (tickets closed before measures existed have none). */
  async responses(range: QueryRange): Promise<ResponseRow[]> {
    const q = this.sql();
    const rows = await this.rows(q, `SELECT request_type AS type, sla_response_ms AS ms, sla_response_met AS met FROM tickets
      WHERE ${q.within('first_responded_at', range)} AND sla_response_ms IS NOT NULL${q.typeFilter(range)}`);
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
    const rows = await this.rows(q, `SELECT state, CASE ${cases} ELSE ${edges.length} END AS bucket, COUNT(*) AS n FROM tickets
      WHERE state IN (${open})${q.typeFilter({ type })} GROUP BY 1, 2`);
    return rows.map((r) => ({ state: String(r.state), bucket: num(r.bucket), n: num(r.n) }));
  }

  /** Tickets received in the range whose first response or decision missed its target, oldest first. */
  async breaches(range: QueryRange): Promise<BreachRow[]> {
    const q = this.sql();
    const rows = await this.rows(q, `SELECT reference, request_type AS type, created_at, state, sla_response_met, sla_decision_met,
        sla_response_level, sla_decision_level, sla_response_ms, sla_decision_ms, claimed_by, decided_by FROM tickets
      WHERE ${q.within('created_at', range)}${q.typeFilter(range)}
        AND (sla_response_met = ${this.postgres ? 'false' : '0'} OR sla_decision_met = ${this.postgres ? 'false' : '0'}
          OR sla_response_level = 'breached' OR sla_decision_level = 'breached')
      ORDER BY created_at, id`);
    return rows.map((r) => ({
      reference: String(r.reference), type: r.type as RequestType, createdAt: toDate(r.created_at), state: String(r.state),
      responseMet: boolOrNull(r.sla_response_met), decisionMet: boolOrNull(r.sla_decision_met),
      responseLevel: String(r.sla_response_level), decisionLevel: String(r.sla_decision_level),
      responseMs: numOrNull(r.sla_response_ms), decisionMs: numOrNull(r.sla_decision_ms),
      holder: (r.claimed_by as string | null) ?? null, decidedBy: (r.decided_by as string | null) ?? null,
    }));
  }

  /**
   * Tickets open at `at`: received before it, minus closings before it, plus reopenings before it
   * (a reopened ticket's earlier closing is kept in ticket_cycles).
   */
  async openAt(at: Date, type: RequestType | 'all'): Promise<number> {
    const q = this.sql();
    const before = (table: string, column: string) => `(SELECT COUNT(*) FROM ${table} WHERE ${column} < ${q.param(at)}${q.typeFilter({ type })})`;
    const [row] = await this.rows(q, `SELECT ${before('tickets', 'created_at')} - ${before('tickets', 'closed_at')}
      - ${before('ticket_cycles', 'closed_at')} + ${before('ticket_cycles', 'reopened_at')} AS n`);
    return num(row.n);
  }

  /** Closings (−1) and reopenings (+1) in the range by bucket: with received, the open count moves by these. */
  async openMoves(range: QueryRange): Promise<Array<{ bucket: number; n: number }>> {
    const q = this.sql();
    const rows = await this.rows(q, `SELECT bucket, SUM(n) AS n FROM (
        SELECT ${q.bucket('closed_at')} AS bucket, -COUNT(*) AS n FROM tickets WHERE ${q.within('closed_at', range)}${q.typeFilter(range)} GROUP BY 1
        UNION ALL SELECT ${q.bucket('closed_at')}, -COUNT(*) FROM ticket_cycles WHERE ${q.within('closed_at', range)}${q.typeFilter(range)} GROUP BY 1
        UNION ALL SELECT ${q.bucket('reopened_at')}, COUNT(*) FROM ticket_cycles WHERE ${q.within('reopened_at', range)}${q.typeFilter(range)} GROUP BY 1
      ) m GROUP BY 1`);
    return rows.map((r) => ({ bucket: num(r.bucket), n: num(r.n) }));
  }
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  // SQLite gives the stored UTC text back.
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
