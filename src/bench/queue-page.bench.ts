// The queue page (GET /dashboard) with a large backlog of open tickets, signed in as a real moderator,
// beside the bare SQL the page runs (same statements, same parameters, through the DataSource) and a
// bare endpoint on the same server with the same session cookie.
// Imported by main.ts only after DATABASE_URL is set (the entities read the dialect when they load).
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { seededRandom } from '../common/random.js';
import { Transactions, insertRows } from '../database/transactions.js';
import { applyMarks, decideSla, dueMarks, pauseSla, respondSla, type SlaState, startSla } from '../sla/sla-clock.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import { percentile } from './review-queue.bench.js';
import type { BenchRow } from './report.js';
import { signedInModerator } from './staff-sign-in.js';
import { NO_REPORT_FIGURES, type RequestType, type Band, type Recommendation } from '../tickets/ticket.types.js';
import { slaColumns } from '../tickets/ticket-sla.js';
import type { WorkflowPolicy } from '../tickets/ticket-workflow.js';
import { WORKFLOW_POLICY } from '../tickets/workflow-policy.provider.js';
import { RISK_FLAGS } from '../scoring/scoring.types.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Rows per INSERT: ~50 columns each, under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const INSERT_BATCH = 250;
/** Rows per transaction. */
const TRANSACTION_ROWS = 10_000;
/** Next links followed for the "deep page" figure. */
const DEEP_PAGES = 20;
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** The moderators holding the tickets in review. */
const HOLDERS = ['ann', 'bruno', 'chen', 'dara', 'emeka', 'fatima'];

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

/** The load generator (its own process): GET `path` for the run's duration, `connections` at once, with the Cookie header `cookie`. */
export type RunGet = (path: string, cookie: string, connections: number) => Promise<LoadResult>;

type Log = (line: string) => void;

const count = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(n >= 10 ? 1 : 2));

function pick<T>(rnd: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let x = rnd() * total;
  for (const [value, w] of weighted) {
    x -= w;
    if (x < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

/** How a backlog spreads over the open states (most waiting for a moderator or for the requester). */
const STATE_WEIGHTS: ReadonlyArray<readonly [TicketState, number]> = [
  [TicketState.Submitted, 2],
  [TicketState.AwaitingReview, 45],
  [TicketState.InReview, 8],
  [TicketState.AwaitingRequester, 22],
  [TicketState.Approved, 4],
  [TicketState.CoolingOff, 14],
  [TicketState.ResetIssued, 5],
];
const TYPE_WEIGHTS: ReadonlyArray<readonly [RequestType, number]> = [
  ['forgot_password', 20],
  ['lost_2fa', 40],
  ['lost_recovery_codes', 15],
  ['lost_email_access', 15],
  ['compromised', 10],
];
const BAND_WEIGHTS: ReadonlyArray<readonly [Band, number]> = [
  ['strong', 20],
  ['moderate', 35],
  ['weak', 30],
  ['insufficient', 15],
];
const RECOMMENDATION: Record<Band, Recommendation> = { strong: 'approve', moderate: 'request_info', weak: 'request_info', insufficient: 'deny' };

/**
 * One open ticket as the app would have left it: assessed (but for new ones), its SLA clock run by the
 * app's own rules from `createdAt` (first response when a moderator picked it up, paused while it waits for
 * the requester, stopped by the decision) and marked with the levels reached by `now`.
 */
function backlogTicket(rnd: () => number, serial: number, sla: WorkflowPolicy, now: Date): Ticket {
  let n = serial;
  let code = '';
  for (let i = 0; i < 6; i++) {
    code = REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] + code;
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  const reference = `RD-${code}`;
  const name = `queue-${code.toLowerCase()}`;
  const contactEmail = `${name}@example.org`;
  const state = pick(rnd, STATE_WEIGHTS);
  const requestType = pick(rnd, TYPE_WEIGHTS);
  // Over 60 days, more of them recent (a backlog the desk is working through); new ones are minutes old.
  const ageMs = state === TicketState.Submitted ? rnd() * HOUR : 60 * DAY * rnd() ** 1.6;
  const createdAt = new Date(now.getTime() - ageMs);
  const between = (from: Date, share: number) => new Date(from.getTime() + (now.getTime() - from.getTime()) * share);
  const targets = sla.targetsFor(requestType);
  let clock: SlaState = startSla(createdAt, targets);
  let claimedBy: string | null = null;
  let claimedAt: Date | null = null;
  let leaseExpiresAt: Date | null = null;
  if (state !== TicketState.Submitted && state !== TicketState.AwaitingReview) {
    const respondedAt = between(createdAt, rnd() * 0.5);
    clock = respondSla(clock, respondedAt, targets);
    if (state === TicketState.InReview) {
      claimedBy = `moderator:${HOLDERS[Math.floor(rnd() * HOLDERS.length)]}`;
      claimedAt = respondedAt;
      leaseExpiresAt = new Date(now.getTime() + rnd() * HOUR);
    } else if (state === TicketState.AwaitingRequester) {
      clock = pauseSla(clock, between(respondedAt, rnd()), targets);
    } else {
      clock = decideSla(clock, between(respondedAt, rnd() * 0.5), targets);
    }
  }
  clock = applyMarks(clock, dueMarks(clock, now), targets);
  const assessed = state !== TicketState.Submitted;
  const band = assessed ? pick(rnd, BAND_WEIGHTS) : null;
  const flags = RISK_FLAGS.filter(() => rnd() < 0.06);
  return {
    id: randomUUID(),
    reference,
    username: name,
    usernameKey: name,
    accountId: null,
    contactEmail,
    requestType,
    claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '' },
    state,
    openKey: `${name}|${contactEmail}`,
    competing: flags.includes('competing_requests'),
    cocVersion: '2026-11',
    cocAcceptedAt: createdAt,
    cocMethod: null,
    cocRecordedBy: null,
    coolingOffEndsAt: null,
    delayAcknowledgedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    decidedAt: null,
    closedAt: null,
    ...NO_REPORT_FIGURES,
    score: band ? Math.floor(rnd() * 100) : null,
    band,
    recommendation: band ? RECOMMENDATION[band] : null,
    riskFlags: assessed && flags.length ? ` ${flags.join(' ')} ` : null,
    ruleVersion: assessed ? '2026.11' : null,
    assessedAt: assessed ? createdAt : null,
    claimedBy,
    claimedAt,
    leaseExpiresAt,
    escalated: assessed && rnd() < 0.01,
    ...slaColumns(clock),
    version: 1,
  };
}

/** Stores `total` open tickets: multi-row INSERTs of INSERT_BATCH rows, TRANSACTION_ROWS per transaction. */
export async function seedOpenTickets(app: INestApplication, total: number, log: Log): Promise<number> {
  const sla = app.get<WorkflowPolicy>(WORKFLOW_POLICY);
  const transactions = app.get(Transactions);
  const rnd = seededRandom(20261125);
  const now = new Date();
  log(`  queue page: storing ${count(total)} open tickets…`);
  const started = performance.now();
  for (let done = 0; done < total;) {
    const size = Math.min(TRANSACTION_ROWS, total - done);
    const tickets = Array.from({ length: size }, (_, i) => backlogTicket(rnd, done + i, sla, now));
    await transactions.run(async (em) => {
      for (let i = 0; i < tickets.length; i += INSERT_BATCH) await insertRows(em, Ticket, tickets.slice(i, i + INSERT_BATCH));
    });
    done += size;
  }
  const seconds = (performance.now() - started) / 1000;
  const dataSource = app.get(DataSource);
  // What PostgreSQL's autovacuum does soon after a bulk load: planner statistics and the visibility map.
  // Not on SQLite: the app never runs ANALYZE there, so its planner works without statistics.
  if (dataSource.options.type === 'postgres') await dataSource.query('VACUUM ANALYZE tickets');
  return seconds;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");

/** One page, checked: 200, the queue table, how many rows; and where its "Next page" link goes. */
async function fetchPage(baseUrl: string, path: string, cookie: string): Promise<{ rows: number; next: string | null }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
  const html = await response.text();
  if (response.status !== 200 || !html.includes('id="queue"')) throw new Error(`GET ${path} answered ${response.status}, not the queue: ${html.slice(0, 200)}`);
  const next = /id="next-page" rel="next" href="([^"]+)"/.exec(html);
  return { rows: html.match(/<tr data-reference=/g)?.length ?? 0, next: next ? unescapeHtml(next[1]) : null };
}

/** The SQL statements (with their parameters) the app sends while it serves one request. */
export async function statementsOf(dataSource: DataSource, work: () => Promise<unknown>): Promise<Array<{ sql: string; parameters: unknown[] }>> {
  const seen: Array<{ sql: string; parameters: unknown[] }> = [];
  const logger = dataSource.logger;
  const original = logger.logQuery.bind(logger);
  logger.logQuery = (query, parameters, runner) => {
    seen.push({ sql: query, parameters: Array.isArray(parameters) ? [...(parameters as unknown[])] : [] });
    original(query, parameters, runner);
  };
  try {
    await work();
  } finally {
    logger.logQuery = original;
  }
  return seen;
}

/**
 * The bare baseline: the page's own statements, sent as the page sends them (both at once) through the
 * DataSource, by `concurrency` loops for `seconds`: no HTTP, session, guard, entities or template.
 */
async function bareSql(dataSource: DataSource, statements: Array<{ sql: string; parameters: unknown[] }>, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await Promise.all(statements.map((s) => dataSource.query(s.sql, s.parameters)));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { rps: latencies.length / ((performance.now() - started) / 1000), p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

export interface QueuePageOptions {
  baseUrl: string;
  tickets: number;
  connections: number;
  duration: number;
  /** Measures GET /__bench/bare-page (same server, same session cookie) under the same load. */
  bare: (cookie: string) => Promise<LoadResult>;
  runGet: RunGet;
  log: Log;
}

/** Seeds the backlog, signs a moderator in, and measures four views of the queue page. */
export async function benchQueuePage(app: INestApplication, o: QueuePageOptions): Promise<{ rows: BenchRow[]; seedSeconds: number }> {
  const dataSource = app.get(DataSource);
  const seedSeconds = await seedOpenTickets(app, o.tickets, o.log);
  const open = await dataSource.getRepository(Ticket).createQueryBuilder('t').where('t.state IN (:...open)', { open: OPEN_STATES }).getCount();
  if (open !== o.tickets) throw new Error(`expected ${count(o.tickets)} open tickets, the database holds ${count(open)}`);
  o.log(`  queue page: ${count(o.tickets)} open tickets stored in ${seedSeconds.toFixed(1)} s; signing in…`);
  const cookie = await signedInModerator(app, o.baseUrl, 'bench-queue');
  const bareEndpoint = await o.bare(cookie);

  let deep = '/dashboard';
  for (let i = 0; i < DEEP_PAGES; i++) {
    const page = await fetchPage(o.baseUrl, deep, cookie);
    if (!page.next) throw new Error(`no next page after ${i + 1} pages`);
    deep = page.next;
  }
  const views = [
    { name: 'first page, oldest first', path: '/dashboard' },
    { name: 'SLA sort', path: '/dashboard?sort=sla' },
    { name: 'filtered: awaiting review, breached', path: '/dashboard?state=awaiting_review&sla=breached' },
    { name: `page ${DEEP_PAGES + 1} (keyset cursor, after ${DEEP_PAGES} Next links)`, path: deep },
  ];
  const rows: BenchRow[] = [];
  // One moderator alone (the page's own render time), then the run's connections at once (the load).
  for (const connections of [...new Set([1, o.connections])]) {
    for (const view of views) {
      const statements = (await statementsOf(dataSource, () => fetchPage(o.baseUrl, view.path, cookie))).filter((s) => /\btickets\b/.test(s.sql));
      const { rows: shown } = await fetchPage(o.baseUrl, view.path, cookie);
      o.log(`  queue page: ${view.name}, ${connections} connection(s) (${shown} rows, ${statements.length} SQL statements)…`);
      const page = await o.runGet(view.path, cookie, connections);
      const bare = await bareSql(dataSource, statements, connections, Math.min(o.duration, 5));
      rows.push({
        what: `GET /dashboard, ${view.name}, ${count(o.tickets)} open tickets, ${connections} connection${connections > 1 ? 's' : ''}: p99`,
        figure: page.p99,
        baseline: bare.p99,
        baselineName: 'the same SQL bare',
        unit: 'ms',
        higherIsBetter: false,
        extra:
          `p50 ${ms(page.p50)} ms, ${count(Math.round(page.rps))} req/s (bare SQL: p50 ${ms(bare.p50)} ms, ${count(Math.round(bare.rps))}/s; ` +
          `bare endpoint: p50 ${ms(bareEndpoint.p50)} ms, p99 ${ms(bareEndpoint.p99)} ms, ${count(Math.round(bareEndpoint.rps))} req/s at ${o.connections} connections); ` +
          `${shown} rows, ${statements.length} statements; ${page.bad} non-2xx/errors; aim p99 < 100 ms`,
      });
    }
  }
  return { rows, seedSeconds };
}
