// The report page (GET /reports and a CSV download) over a year of tickets made by the seed:bulk
// generator, signed in as ops, beside each request's own SQL statements run bare on the same database (through
// better-sqlite3 directly on SQLite) and a bare endpoint on the same server with the same session cookie.
// Imported by main.ts only after DATABASE_URL is set (the entities read the dialect when they load).
import type { INestApplication } from '@nestjs/common';
import type BetterSqlite3 from 'better-sqlite3';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { runMigrations } from '../database/migrate.js';
import { historyRulesFor, seedBulk, type SeedSummary } from '../seed/bulk-seeder.js';
import { type LoadResult, statementsOf } from './queue-page.bench.js';
import type { BenchRow } from './report.js';
import { percentile } from './review-queue.bench.js';
import { signedInModerator } from './staff-sign-in.js';
import { appDataSourceOptions } from '../entities.js';

type Log = (line: string) => void;
type Statement = { sql: string; parameters: unknown[] };

const DAY = 86_400_000;
/** The aim (docs/performance.md): the report page renders in under a second with a million tickets. */
const AIM_MS = 1_000;
/** Names for the profile: ReportQueries' statements, each known by a piece of its SQL. */
const STATEMENT_NAMES: ReadonlyArray<readonly [string, RegExp]> = [
  ['received', /AS day, COUNT\(\*\) AS n FROM tickets\s+WHERE created_at >=/],
  ['outcomes', /SELECT type, outcome/],
  ['decisions', /sla_decision_ms AS ms/],
  ['responses', /sla_response_ms AS ms/],
  ['open at start', /^SELECT \(SELECT COUNT/],
  ['open moves', /UNION ALL SELECT/],
  ['backlog', /CASE WHEN created_at >/],
  ['breach count', /SELECT COUNT\(\*\) AS n FROM tickets WHERE/],
  ['breaches', /SELECT reference/],
];
const nameOf = (sql: string, index: number) => STATEMENT_NAMES.find(([, pattern]) => pattern.test(sql))?.[0] ?? `statement ${index + 1}`;

const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? count(Math.round(n)) : n.toFixed(n >= 10 ? 1 : 2));
/** The load generator's latencies are whole milliseconds: 0 means under one. */
const whole = (n: number) => (n === 0 ? '< 1' : ms(n));

/** Seeds `tickets` tickets over the 365 days before now into the (migrated) database of `config`, with its own connection. */
export async function seedReportTickets(config: AppConfig, tickets: number, log: Log): Promise<SeedSummary> {
  const dataSource = await new DataSource(appDataSourceOptions(config.database)).initialize();
  try {
    await runMigrations(dataSource);
    let next = 0.1;
    return await seedBulk(dataSource, historyRulesFor(config), { count: tickets, seed: 1, days: 365, now: new Date() }, (p) => {
      if (p.tickets / p.total < next) return;
      while (next <= p.tickets / p.total) next += 0.1;
      log(`  reports: ${count(p.tickets)} / ${count(p.total)} tickets seeded (${count(p.events)} events) in ${p.seconds.toFixed(0)} s`);
    });
  } finally {
    await dataSource.destroy();
  }
}

/** Runs one statement bare: better-sqlite3's own prepared statement on SQLite (no TypeORM), the driver on PostgreSQL. */
function bareRunner(dataSource: DataSource): (s: Statement) => Promise<number> {
  if (dataSource.options.type !== 'better-sqlite3') return async (s) => (await dataSource.query<unknown[]>(s.sql, s.parameters)).length;
  const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  const prepared = new Map<string, BetterSqlite3.Statement>();
  return async (s) => {
    let statement = prepared.get(s.sql);
    if (!statement) {
      statement = db.prepare(s.sql).raw(true);
      prepared.set(s.sql, statement);
    }
    return statement.all(...s.parameters).length;
  };
}

/** How the database reads a statement: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN, on one line. */
async function planOf(dataSource: DataSource, s: Statement): Promise<string> {
  if (dataSource.options.type === 'better-sqlite3') {
    const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
    return (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.parameters) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  }
  const rows = await dataSource.query<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${s.sql}`, s.parameters);
  return rows
    .map((r) => r['QUERY PLAN'].trim())
    .filter((line) => /Scan|Index|Sort|Aggregate/.test(line))
    .slice(0, 4)
    .join('; ');
}

/** The page's statements bare, one after another as the service sends them, `times` over: per run and per statement. */
async function bareSql(dataSource: DataSource, statements: Statement[], times: number) {
  const run = bareRunner(dataSource);
  const totals: number[] = [];
  const each = statements.map(() => [] as number[]);
  const rows = statements.map(() => 0);
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    for (const [j, s] of statements.entries()) {
      const t0 = performance.now();
      rows[j] = await run(s);
      each[j].push(performance.now() - t0);
    }
    totals.push(performance.now() - started);
  }
  const byStatement = statements.map((s, j) => ({
    name: nameOf(s.sql, j),
    p50: percentile(each[j], 0.5),
    rows: rows[j],
    statement: s,
  }));
  return { p50: percentile(totals, 0.5), p99: percentile(totals, 0.99), byStatement };
}

export interface ReportsOptions {
  baseUrl: string;
  tickets: number;
  /** Requests per view (one connection, one after another). */
  requests: number;
  /** GET `path` `amount` times over one connection, from the load generator's process. */
  runGet: (path: string, cookie: string, amount: number) => Promise<LoadResult>;
  /** Measures GET /__bench/bare-page (same server, same session cookie). */
  bare: (cookie: string) => Promise<LoadResult>;
  log: Log;
}

/** Signs ops in and measures the report page for the default range and for a year, and the year's SLA table as CSV. */
export async function benchReports(app: INestApplication, o: ReportsOptions): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const dataSource = app.get(DataSource);
  const cookie = await signedInModerator(app, o.baseUrl, 'bench-ops', 'ops');
  const bareEndpoint = await o.bare(cookie);
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10);
  const year = `from=${yearAgo}&to=${today}`;
  const views = [
    { name: 'default range (last 30 days)', path: '/reports', check: 'id="report-sla"' },
    { name: `${yearAgo} to ${today} (a year)`, path: `/reports?${year}`, check: 'id="report-sla"' },
    { name: 'the SLA table as CSV, the same year', path: `/reports/sla.csv?${year}`, check: 'request_type,received' },
  ];
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  for (const view of views) {
    const fetchOnce = async () => {
      const response = await fetch(`${o.baseUrl}${view.path}`, { headers: { cookie }, redirect: 'manual' });
      const body = await response.text();
      if (response.status !== 200 || !body.includes(view.check)) throw new Error(`GET ${view.path} answered ${response.status}: ${body.slice(0, 200)}`);
    };
    const statements = (await statementsOf(dataSource, fetchOnce)).filter((s) => /\b(tickets|ticket_cycles)\b/.test(s.sql));
    o.log(`  reports: ${view.name}, ${o.requests} requests over one connection (${statements.length} SQL statements)…`);
    const page = await o.runGet(view.path, cookie, o.requests);
    if (page.bad > 0) throw new Error(`GET ${view.path}: ${page.bad} requests failed`);
    const bare = await bareSql(dataSource, statements, o.requests);
    const slowest = [...bare.byStatement].sort((a, b) => b.p50 - a.p50);
    rows.push({
      what: `GET ${view.path.split('?')[0]}, ${view.name}, ${count(o.tickets)} tickets, 1 connection: p99`,
      figure: page.p99,
      baseline: bare.p99,
      baselineName: "the request's own SQL bare",
      unit: 'ms',
      higherIsBetter: false,
      extra:
        `p50 ${ms(page.p50)} ms (bare SQL p50 ${ms(bare.p50)} ms; bare endpoint p50 ${whole(bareEndpoint.p50)}, p99 ${whole(bareEndpoint.p99)} ms); ` +
        `slowest statements (bare p50): ${slowest
          .slice(0, 3)
          .map((s) => `${s.name} ${ms(s.p50)} ms, ${count(s.rows)} rows`)
          .join('; ')}; ` +
        `aim < ${count(AIM_MS)} ms: ${page.p99 < AIM_MS ? 'met' : 'not met'}`,
    });
    if (view.path.startsWith('/reports?')) {
      for (const s of slowest.slice(0, 4)) notes.push(`  ${s.name} (${ms(s.p50)} ms bare, ${count(s.rows)} rows): ${await planOf(dataSource, s.statement)}`);
    }
  }
  notes.unshift(`Reports, the year's statements by bare time, with how the database reads them:`);
  return { rows, notes: [notes.join('\n')] };
}
