import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Clock } from '../src/common/clock.js';
import { loadConfig } from '../src/config/app-config.js';
import { insertRows } from '../src/database/transactions.js';
import { seedReference } from '../src/seed/bulk-seeder.js';
import { dayStart, parseReportRange } from '../src/reports/report-range.js';
import { ReportsService } from '../src/reports/reports.service.js';
import { CalibrationService } from '../src/evidence/calibration.service.js';
import { DEFAULT_SCORING_CONFIG } from '../src/scoring/scoring.config.js';
import { measuresBetween } from '../src/sla/sla-measures.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { OPEN_STATES } from '../src/tickets/ticket-state.js';
import { disposeEnv, isolatedEnv } from './support/test-app.js';
import { slaStateOf } from '../src/tickets/ticket-sla.js';
import { REFERENCE_PATTERN } from '../src/common/tokens.js';
import { loadSlaPolicyFile } from '../src/tickets/workflow-policy.provider.js';
import { appDataSourceOptions } from '../src/entities.js';

const CLI = join(process.cwd(), 'dist/cli/seed-bulk.js');
const NOW = new Date('2026-11-30T12:00:00Z');
const COUNT = 2_000;
const DAY = 86_400_000;

const run = (env: Record<string, string>, args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

describe('npm run seed:bulk', () => {
  const env = isolatedEnv();
  let ds: DataSource;
  let seeded: ReturnType<typeof run>;
  const postgres = () => ds.options.type === 'postgres';
  /** One number from SQL (PostgreSQL gives COUNT as text). */
  const scalar = async (sql: string, params: unknown[] = []) => Number(Object.values((await ds.query(sql, params))[0] as object)[0]);
  const open = OPEN_STATES.map((s) => `'${s}'`).join(', ');
  const p = (i: number) => (postgres() ? `$${i}` : '?');
  const no = () => (postgres() ? 'false' : '0');

  beforeAll(async () => {
    seeded = run(env, [String(COUNT), '--seed', '5', '--days', '365', '--now', NOW.toISOString()]);
    ds = await new DataSource(appDataSourceOptions(loadConfig(env).database)).initialize();
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await disposeEnv(env);
  });

  it('seeds N tickets, with progress on stderr and a summary line on stdout', () => {
    expect(seeded.status).toBe(0);
    expect(seeded.stdout).toMatch(
      new RegExp(
        `^Seeded 2,000 tickets \\(\\d+ open\\), [\\d,]+ events and \\d+ earlier cycles in [\\d.]+ s \\([\\d,]+ tickets/s\\); references from RD-022222\\.\\n$`,
      ),
    );
    expect(seeded.stderr).toMatch(/2,000 \/ 2,000 tickets \(100 %\), [\d,]+ events, [\d,]+ tickets\/s, ETA/);
  });

  it('stores every ticket with a unique reference in the app pattern, a closing and outcome for each closed one', async () => {
    expect(await scalar('SELECT COUNT(*) FROM tickets')).toBe(COUNT);
    const references: Array<{ reference: string }> = await ds.query('SELECT reference FROM tickets');
    expect(references.every((r) => REFERENCE_PATTERN.test(r.reference))).toBe(true);
    expect(await scalar(`SELECT COUNT(*) FROM tickets WHERE state NOT IN (${open}) AND (closed_at IS NULL OR outcome IS NULL OR open_key IS NOT NULL)`)).toBe(
      0,
    );
    const openCount = await scalar(`SELECT COUNT(*) FROM tickets WHERE state IN (${open})`);
    expect(openCount / COUNT).toBeGreaterThan(0.02);
    expect(openCount / COUNT).toBeLessThan(0.08);
    expect(await scalar(`SELECT COUNT(*) FROM tickets WHERE state IN (${open}) AND (open_key IS NULL OR closed_at IS NOT NULL)`)).toBe(0);
    expect(await scalar('SELECT COUNT(*) FROM (SELECT open_key FROM tickets WHERE open_key IS NOT NULL GROUP BY open_key HAVING COUNT(*) > 1) d')).toBe(0);
    expect(await scalar('SELECT COUNT(DISTINCT username_key) FROM tickets')).toBe(COUNT);
    expect(
      await scalar(`SELECT COUNT(*) FROM tickets WHERE created_at < ${p(1)} OR created_at >= ${p(2)}`, [
        stamp(new Date(NOW.getTime() - 365 * DAY)),
        stamp(NOW),
      ]),
    ).toBe(0);
  });

  /** How the app stores an instant in a query parameter: TypeORM's SQLite text, or a Date for PostgreSQL. */
  const stamp = (date: Date): unknown => (postgres() ? date : date.toISOString().replace('T', ' ').replace('Z', ''));

  it('stores measures wherever a response or decision happened, equal to what measuresBetween re-derives', async () => {
    expect(
      await scalar(
        'SELECT COUNT(*) FROM tickets WHERE first_responded_at IS NOT NULL AND sla_cycle = 1 AND (sla_response_ms IS NULL OR sla_response_met IS NULL)',
      ),
    ).toBe(0);
    expect(await scalar('SELECT COUNT(*) FROM tickets WHERE sla_decided_at IS NOT NULL AND (sla_decision_ms IS NULL OR sla_decision_met IS NULL)')).toBe(0);
    expect(await scalar('SELECT COUNT(*) FROM tickets WHERE sla_decided_at IS NULL AND sla_decision_ms IS NOT NULL')).toBe(0);
    expect(
      await scalar("SELECT COUNT(*) FROM tickets WHERE outcome IN ('approved', 'denied') AND (decided_by NOT LIKE 'moderator:%' OR handling_ms IS NULL)"),
    ).toBe(0);
    expect(await scalar(`SELECT COUNT(*) FROM tickets WHERE sla_response_met = ${no()}`)).toBeGreaterThan(0);

    // A sample read back through the entities (every tenth ticket): the app's own reading of the stored columns.
    const policy = loadSlaPolicyFile(join(process.cwd(), loadConfig(env).sla.policyFile));
    const sample = (await ds.getRepository(Ticket).find({ order: { reference: 'ASC' } })).filter((_, i) => i % 10 === 0);
    expect(sample.length).toBe(COUNT / 10);
    let checked = 0;
    for (const ticket of sample) {
      const state = slaStateOf(ticket)!;
      const t = policy.targetsFor(ticket.requestType);
      if (ticket.slaCycle === 1 && state.firstRespondedAt) {
        expect(measuresBetween({ ...state, firstRespondedAt: null, decidedAt: null }, { ...state, decidedAt: null }, t)).toEqual({
          slaResponseMs: ticket.slaResponseMs,
          slaResponseMet: ticket.slaResponseMet,
        });
        checked++;
      }
      if (state.decidedAt) {
        expect(measuresBetween({ ...state, decidedAt: null }, state, t)).toEqual({
          slaDecisionMs: ticket.slaDecisionMs,
          slaDecisionMet: ticket.slaDecisionMet,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(COUNT / 10);
  });

  it('stores each value in the very form TypeORM itself writes (dates, booleans, JSON, numbers)', async () => {
    // A ticket with pauses, measures and an outcome, read through the entity and written again by TypeORM.
    const [{ reference }]: Array<{ reference: string }> = await ds.query(
      "SELECT reference FROM tickets WHERE sla_pauses <> '[]' AND outcome IS NOT NULL AND handling_ms IS NOT NULL ORDER BY reference LIMIT 1",
    );
    const original = await ds.getRepository(Ticket).findOneByOrFail({ reference });
    const copy = { ...original, id: `copy-${original.id.slice(5)}`, reference: 'RD-ZZZZZZ' };
    await insertRows(ds.manager, Ticket, copy);
    const rows: Array<Record<string, unknown>> = await ds.query(`SELECT * FROM tickets WHERE id IN (${p(1)}, ${p(2)})`, [original.id, copy.id]);
    await ds.query(`DELETE FROM tickets WHERE id = ${p(1)}`, [copy.id]);
    const strip = (row: Record<string, unknown>) => ({ ...row, id: null, reference: null });
    expect(rows).toHaveLength(2);
    expect(strip(rows[0])).toEqual(strip(rows[1]));
    if (!postgres()) {
      const [event]: Array<Record<string, unknown>> = await ds.query("SELECT * FROM ticket_events WHERE type = 'claimed' LIMIT 1");
      expect(event).toMatchObject({ is_public: 0, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/) });
      expect(JSON.parse(String(event.data))).toEqual({ lease_expires_at: expect.stringMatching(/Z$/) });
    }
  });

  it('writes a timeline of a few lines per ticket, earlier cycles of reopened tickets, and no audit log', async () => {
    const [perTicket]: Array<Record<string, string | number>> = await ds.query(`SELECT MIN(n) AS least, MAX(n) AS most, AVG(n) AS mean, COUNT(*) AS tickets
      FROM (SELECT ticket_id, COUNT(*) AS n FROM ticket_events GROUP BY ticket_id) e`);
    expect(Number(perTicket.tickets)).toBe(COUNT);
    expect(Number(perTicket.least)).toBeGreaterThanOrEqual(1);
    expect(Number(perTicket.most)).toBeLessThanOrEqual(30);
    expect(Number(perTicket.mean)).toBeGreaterThan(5);
    expect(Number(perTicket.mean)).toBeLessThan(9);
    expect(await scalar("SELECT COUNT(*) FROM ticket_events WHERE type = 'submitted'")).toBe(COUNT);
    expect(await scalar("SELECT COUNT(*) FROM ticket_events WHERE type = 'sla_breached'")).toBeGreaterThan(0);
    const cycles = await scalar('SELECT COUNT(*) FROM ticket_cycles');
    expect(cycles).toBeGreaterThan(0);
    expect(cycles).toBe(await scalar("SELECT COUNT(*) FROM ticket_events WHERE type = 'reopened'"));
    expect(await scalar('SELECT COUNT(*) FROM ticket_cycles c JOIN tickets t ON t.id = c.ticket_id WHERE t.sla_cycle <> c.cycle + 1')).toBe(0);
    expect(await scalar('SELECT COUNT(*) FROM audit_log')).toBe(0);
  });

  it('writes the recovery each approval started, live only while its ticket is open', async () => {
    const recoveries = await scalar('SELECT COUNT(*) FROM recoveries');
    expect(recoveries).toBeGreaterThan(0);
    expect(recoveries).toBe(await scalar("SELECT COUNT(*) FROM ticket_events WHERE type = 'approved'"));
    expect(
      await scalar(`SELECT COUNT(*) FROM recoveries r JOIN tickets t ON t.id = r.ticket_id
      WHERE (r.active_key IS NOT NULL) <> (t.state IN ('approved', 'cooling_off', 'reset_issued'))`),
    ).toBe(0);
    expect(await scalar("SELECT COUNT(*) FROM recoveries r JOIN tickets t ON t.id = r.ticket_id WHERE t.state = 'completed' AND r.state <> 'completed'")).toBe(
      0,
    );
  });

  it('gives the report service figures that match SQL counts over the seeded year', async () => {
    const clock: Clock = { now: () => NOW };
    const parsed = parseReportRange({ from: '2025-12-01', to: '2026-11-30', tz: 'Europe/Berlin' }, NOW, 'UTC');
    if (!parsed.ok) throw new Error(parsed.message);
    const { range } = parsed;
    const report = await new ReportsService(ds, clock, new CalibrationService(ds, clock, DEFAULT_SCORING_CONFIG)).build(range);
    const within = (column: string) => `${column} >= ${p(1)} AND ${column} < ${p(2)}`;
    const bounds = [stamp(range.start), stamp(range.end)];
    const all = report.sla.find((r) => r.request_type === 'all')!;
    expect(all.received).toBe(await scalar(`SELECT COUNT(*) FROM tickets WHERE ${within('created_at')}`, bounds));
    const ended = async (outcome: string) =>
      (await scalar(`SELECT COUNT(*) FROM tickets WHERE ${within('sla_decided_at')} AND outcome = '${outcome}'`, bounds)) +
      (await scalar(`SELECT COUNT(*) FROM ticket_cycles WHERE ${within('decided_at')} AND outcome = '${outcome}'`, bounds));
    expect(all.approved).toBe(await ended('approved'));
    expect(all.denied).toBe(await ended('denied'));
    expect(all.withdrawn).toBe(await ended('withdrawn'));
    expect(all.closed_no_response).toBe(await ended('closed_no_response'));
    expect(all.response_measured).toBe(
      await scalar(`SELECT COUNT(*) FROM tickets WHERE ${within('first_responded_at')} AND sla_response_ms IS NOT NULL`, bounds),
    );
    expect(report.daily.reduce((n, d) => n + d.received, 0)).toBe(all.received);
    // Local days in Berlin, the two clock changes (23 and 25 hours) among them: counted between local midnights.
    for (const day of ['2025-12-01', '2026-03-28', '2026-03-29', '2026-03-30', '2026-10-25', '2026-10-26', '2026-11-30']) {
      const n = Date.parse(`${day}T00:00:00Z`) / DAY;
      const [from, to] = [dayStart('Europe/Berlin', n), dayStart('Europe/Berlin', n + 1)];
      const row = report.daily.find((d) => d.day === day)!;
      expect({ day, received: row.received }).toEqual({
        day,
        received: await scalar(`SELECT COUNT(*) FROM tickets WHERE ${within('created_at')}`, [stamp(from), stamp(to)]),
      });
      const decided =
        (await scalar(`SELECT COUNT(*) FROM tickets WHERE ${within('sla_decided_at')} AND outcome IN ('approved', 'denied')`, [stamp(from), stamp(to)])) +
        (await scalar(`SELECT COUNT(*) FROM ticket_cycles WHERE ${within('decided_at')} AND outcome IN ('approved', 'denied')`, [stamp(from), stamp(to)]));
      expect({ day, decided: row.decided }).toEqual({ day, decided });
    }
    const openNow = await scalar(`SELECT COUNT(*) FROM tickets WHERE state IN (${open})`);
    expect(report.backlog.find((r) => r.state === 'total')!.total).toBe(openNow);
    expect(report.daily[report.daily.length - 1].open_at_end).toBe(openNow);
    expect(report.breaches.length).toBe(
      await scalar(
        `SELECT COUNT(*) FROM tickets WHERE ${within('created_at')}
      AND (sla_response_met = ${no()} OR sla_decision_met = ${no()}
        OR sla_response_level = 'breached' OR sla_decision_level = 'breached')`,
        bounds,
      ),
    );
    expect(report.breachCount).toBe(report.breaches.length);
    // The page's build lists the first breaches only, and counts them all.
    const page = await new ReportsService(ds, clock, new CalibrationService(ds, clock, DEFAULT_SCORING_CONFIG)).build(range, { breachesListed: 5 });
    expect({ listed: page.breaches, count: page.breachCount }).toEqual({ listed: report.breaches.slice(0, 5), count: report.breaches.length });
    expect({ ...page, breaches: [] }).toEqual({ ...report, breaches: [] });
    expect(report.moderators.map((m) => m.moderator).sort()).toEqual(['alice', 'bruno', 'chen', 'dara', 'emeka', 'fatima', 'gus']);
    expect(report.moderators.reduce((n, m) => n + m.decisions, 0)).toBe(all.decided);
  });

  it('continues after the last seeded reference on a second run', async () => {
    const again = run(env, ['25', '--seed', '6', '--now', NOW.toISOString()]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`references from ${seedReference(COUNT)}.`);
    expect(await scalar('SELECT COUNT(*) FROM tickets')).toBe(COUNT + 25);
    expect(await scalar('SELECT COUNT(DISTINCT reference) FROM tickets')).toBe(COUNT + 25);
  });

  it('refuses a bad N with exit status 2 and says why; --help tells what is not seeded', () => {
    for (const [args, message] of [
      [['0'], 'N must be a whole number from 1 to 5,000,000'],
      [['5000001'], 'N must be a whole number'],
      [['ten'], 'N must be a whole number'],
      [[], 'N is missing'],
    ] as const) {
      const result = run(env, [...args]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('usage: npm run seed:bulk -- N');
    }
    const help = run(env, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('the audit log (its hash chain is not seeded');
  });
});
