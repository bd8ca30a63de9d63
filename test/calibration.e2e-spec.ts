import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { CalibrationRecord } from '../src/evidence/calibration.entity.js';
import { CalibrationService } from '../src/evidence/calibration.service.js';
import { CALIBRATE_PATTERN, JobName, QueueName } from '../src/jobs/job.constants.js';
import { CALIBRATION_POLICY, formatPOwner, pOwner, priorCurve, rocAuc } from '../src/scoring/calibration.js';
import { DEFAULT_SCORING_CONFIG } from '../src/scoring/scoring.config.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

const RULES = DEFAULT_SCORING_CONFIG.ruleVersion;
const OLD_RULES = '2026.12.1';
const CLOSED_AT = new Date('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-16&to=2026-11-22&tz=UTC';

/** A small PRNG: the same history on every run. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Decided tickets whose owners follow a known curve, steeper than the prior: P(owner) = σ(0.2 + 0.12·(score − 20)).
 * Owners end completed; the rest denied, or one in five stopped from an address on file (cancelled).
 */
function history(count: number, first: number, ruleVersion = RULES): Ticket[] {
  const random = mulberry32(first);
  return Array.from({ length: count }, (_, k) => {
    const score = Math.round(random() * 100);
    const owner = random() < 1 / (1 + Math.exp(-(0.2 + 0.12 * (score - 20))));
    const state = owner ? TicketState.Completed : random() < 0.2 ? TicketState.Cancelled : TicketState.Denied;
    return makeStoredTicket(first + k, { state, score, ruleVersion, closedAt: CLOSED_AT, outcome: owner ? 'approved' : 'denied' });
  });
}

const BOB = makeAccount({ username: 'bob-cal' });

describe(`P(owner): the calibration from decided tickets, stored, on the ticket page and in the report (${process.env.DATABASE_URL?.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let mia: TestAgent;
  let olga: TestAgent;
  let reference: string;
  let statusToken: string;
  const stored: Ticket[] = [];

  const insert = async (rows: Ticket[]) => {
    for (let i = 0; i < rows.length; i += 50) await t.dataSource.getRepository(Ticket).insert(rows.slice(i, i + 50));
    stored.push(...rows);
  };
  const calibrations = () => t.dataSource.getRepository(CalibrationRecord).find({ order: { id: 'ASC' } });
  const pOwnerFact = async () => {
    const html = (await mia.get(`/dashboard/tickets/${reference}`).expect(200)).text;
    const match = /<dd id="p-owner" data-basis="(\w*)">([\s\S]*?)<\/dd>/.exec(html);
    if (!match) throw new Error('no P(owner) on the ticket page');
    return { basis: match[1], text: match[2].replace(/<[^>]+>/g, '') };
  };

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [BOB]);
    mia = await signedInModerator(t, 'mia');
    olga = await signedInModerator(t, 'olga', 'ops');
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'bob-cal', contact_email: 'bob-cal@requester.example', has_2fa: true }))
      .expect(201);
    reference = res.body.reference as string;
    statusToken = statusTokenIn(res.body.status_url);
    await pipelineSettled(t);
  });
  afterAll(() => t?.close());

  it('schedules the hourly rebuild as a job scheduler of the periodic queue', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Periodic));
    const scheduler = await expectEventually(async () => {
      const found = await queue.getJobScheduler(JobName.Calibrate);
      if (!found) throw new Error('no calibrate scheduler yet');
      return found;
    });
    expect(scheduler).toMatchObject({ name: JobName.Calibrate, pattern: CALIBRATE_PATTERN });
  });

  it('shows the prior, and says so, before any outcome; and while outcomes are too few', async () => {
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    expect(ticket.score).not.toBeNull();
    const prior = formatPOwner(pOwner(priorCurve(DEFAULT_SCORING_CONFIG), ticket.score!));
    expect(await pOwnerFact()).toEqual({
      basis: 'prior',
      text: `P(owner) ${prior} — prior (fewer than 200 decided tickets, 30 of each outcome, under rules ${RULES})`,
    });

    // 120 decided tickets, plus some that label nothing (withdrawn, unanswered), and one still open.
    await insert(history(120, 1000));
    await insert([
      makeStoredTicket(5000, { state: TicketState.Withdrawn, score: 90, ruleVersion: RULES, closedAt: CLOSED_AT, outcome: 'withdrawn' }),
      makeStoredTicket(5001, { state: TicketState.ClosedNoResponse, score: 5, ruleVersion: RULES, closedAt: CLOSED_AT, outcome: 'closed_no_response' }),
    ]);
    const build = await t.app.get(CalibrationService).rebuild();
    expect(build).toMatchObject({ ruleVersion: RULES, method: 'prior', outcomes: 120, created: true });
    expect(await pOwnerFact()).toEqual({
      basis: 'prior',
      text: `P(owner) ${prior} — prior (fewer than 200 decided tickets, 30 of each outcome, under rules ${RULES}; 120 so far)`,
    });
  });

  it('fits a curve once there are enough, through the periodic job, stores it as a new version, and shows its basis', async () => {
    await insert(history(280, 2000));
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Periodic));
    await queue.add(JobName.Calibrate, {});
    const rows = await expectEventually(async () => {
      const all = await calibrations();
      expect(all).toHaveLength(2);
      return all;
    });
    const latest = rows[1];
    const decided = stored.filter((s) => s.state !== TicketState.Withdrawn && s.state !== TicketState.ClosedNoResponse);
    const owners = decided.filter((s) => s.state === TicketState.Completed).length;
    expect(latest).toMatchObject({ ruleVersion: RULES, method: 'logistic', outcomes: 400, owners, notOwners: 400 - owners });
    expect(owners).toBeGreaterThanOrEqual(CALIBRATION_POLICY.minEachLabel);
    expect(400 - owners).toBeGreaterThanOrEqual(CALIBRATION_POLICY.minEachLabel);
    // The history is steeper than the prior (0.12 a point against 1/16): the fit finds it.
    expect(latest.params.slope).toBeGreaterThan(0.08);
    expect(latest.params.slope).toBeLessThan(0.18);
    expect(latest.id).toBeGreaterThan(rows[0].id);

    // Nothing new decided: a rebuild keeps the version.
    expect(await t.app.get(CalibrationService).rebuild()).toMatchObject({ version: latest.id, created: false });
    expect(await calibrations()).toHaveLength(2);

    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    expect(await pOwnerFact()).toEqual({
      basis: 'calibrated',
      text: `P(owner) ${formatPOwner(pOwner(latest.params, ticket.score!))} — from 400 decided tickets, rules ${RULES}`,
    });
  });

  it('never shows P(owner) or its basis to the requester', async () => {
    const page = (await request(t.server).get(`/status/${statusToken}`).expect(200)).text.toLowerCase();
    for (const word of ['p(owner)', 'p_owner', 'decided tickets', 'calibrat', 'prior']) expect(page).not.toContain(word);
  });

  it('gives ops the ROC AUC and the reliability by tenth, per rule version, on the page and as CSV and JSON', async () => {
    await insert(history(60, 3000, OLD_RULES));
    const page = (await olga.get(`/reports?${RANGE}`).expect(200)).text;
    const row = (version: string) => {
      const match = new RegExp(`<tr data-rule-version="${version.replace(/\./g, '\\.')}">([\\s\\S]*?)</tr>`).exec(page);
      if (!match) throw new Error(`no row for ${version}`);
      return match[1];
    };
    const current = stored.filter((s) => s.ruleVersion === RULES && [TicketState.Completed, TicketState.Denied, TicketState.Cancelled].includes(s.state));
    const auc = rocAuc(
      current.filter((s) => s.state === TicketState.Completed).map((s) => s.score!),
      current.filter((s) => s.state !== TicketState.Completed).map((s) => s.score!),
    )!;
    expect(row(RULES)).toContain(`<td class="n decided">400</td>`);
    expect(row(RULES)).toContain(`<td class="n auc">${auc.toFixed(3)}</td>`);
    expect(row(RULES)).toContain('data-basis="calibrated"');
    // The older rules were never calibrated here: their scores are read with the prior, and the page says so.
    expect(row(OLD_RULES)).toContain(`<td class="n decided">60</td>`);
    expect(row(OLD_RULES)).toContain('data-basis="prior"');
    expect(page.indexOf(`data-rule-version="${RULES}"`)).toBeLessThan(page.indexOf(`data-rule-version="${OLD_RULES}"`));

    const json = (await olga.get(`/reports/reliability.json?${RANGE}`).expect(200)).body as {
      rows: Array<{ rule_version: string; p_owner: string; tickets: number; owners: number; mean_predicted: number | null; observed: number | null }>;
    };
    const bins = json.rows.filter((r) => r.rule_version === RULES);
    expect(bins.map((b) => b.p_owner)).toEqual(Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`));
    expect(bins.reduce((s, b) => s + b.tickets, 0)).toBe(400);
    expect(bins.reduce((s, b) => s + b.owners, 0)).toBe(current.filter((s) => s.state === TicketState.Completed).length);
    // In-sample the fitted curve tracks what happened: each tenth with 30 tickets or more within 0.2.
    for (const b of bins.filter((x) => x.tickets >= 30)) expect(Math.abs(b.mean_predicted! - b.observed!)).toBeLessThan(0.2);
    expect(json.rows.filter((r) => r.rule_version === OLD_RULES)).toHaveLength(10);

    const csv = (await olga.get(`/reports/calibration.csv?${RANGE}`).expect(200)).text.trim().split(/\r?\n/);
    expect(csv[0]).toBe('rule_version,decided,owners,not_owners,auc,basis,calibration_version,calibration_outcomes,brier,intercept,slope,center');
    expect(csv[1]).toMatch(new RegExp(`^${RULES.replace(/\./g, '\\.')},400,\\d+,\\d+,${auc.toFixed(4).replace(/0+$/, '')}`));
    expect(csv).toHaveLength(3);
  });

  it('is for staff only: a moderator gets no report, and a visitor neither', async () => {
    await mia.get(`/reports/calibration.json?${RANGE}`).expect(403);
    const anonymous = await request(t.server).get(`/reports/calibration.json?${RANGE}`);
    expect([302, 303, 401]).toContain(anonymous.status);
  });
});
