import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DecisionsService } from '../src/moderation/decisions.service.js';
import { StatusService } from '../src/intake/status.service.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Ticket, TicketCycle } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { clockAfter, type ClockStep } from './support/sla-fixture.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeAt, csrfIn, signedInModerator, STAFF_PASSWORD, STAFF_TOTP_SECRET } from './support/staff.js';
import { startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { type RequestType } from '../src/tickets/ticket.types.js';

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso);

/**
 * A fixture with known timestamps, read in Europe/Berlin over 2026-03-26..31, a week with the switch to
 * summer time (2026-03-29 02:00, UTC+1 → UTC+2). The range runs from 2026-03-25T23:00Z to 2026-03-31T22:00Z.
 * Measures are stored as the app fixes them (working time, pauses already excluded: see
 * sla-measures.spec.ts and the live ticket in the last test for how they are made).
 */
function fixture(now: Date): Array<Partial<Ticket> & { n: number }> {
  const closed = (closedAt: string, outcome: Ticket['outcome']) => ({ outcome, closedAt: at(closedAt), openKey: null });
  const ticket = (n: number, type: RequestType, created: string, steps: ClockStep[], open: boolean, over: Partial<Ticket>) => ({
    n,
    requestType: type,
    createdAt: at(created),
    ...clockAfter(at(created), type, steps, open ? now : null),
    ...over,
  });
  return [
    // T1: received the evening before the range (23:30 local), first answered inside it, approved on the 26th.
    ticket(
      1,
      'lost_2fa',
      '2026-03-25T22:30:00Z',
      [
        ['respond', '2026-03-25T23:30:00Z'],
        ['decide', '2026-03-26T10:00:00Z'],
      ],
      false,
      {
        state: TicketState.Completed,
        slaResponseMs: H,
        slaResponseMet: true,
        slaDecisionMs: 9.5 * H,
        slaDecisionMet: true,
        decidedBy: 'moderator:alice',
        handlingMs: 30 * 60_000,
        ...closed('2026-03-27T12:00:00Z', 'approved'),
      },
    ),
    // T2: first response late (73 h: the breach was marked at 72 h), denied after a 10-hour pause.
    ticket(
      2,
      'lost_2fa',
      '2026-03-26T08:00:00Z',
      [
        ['respond', '2026-03-29T09:00:00Z'],
        ['decide', '2026-03-30T09:00:00Z'],
      ],
      false,
      {
        state: TicketState.Denied,
        slaResponseMs: 73 * H,
        slaResponseMet: false,
        slaDecisionMs: 87 * H,
        slaDecisionMet: true,
        decidedBy: 'moderator:bob',
        handlingMs: 2 * H,
        ...closed('2026-03-30T09:00:00Z', 'denied'),
      },
    ),
    // T3: 23:30 UTC on the 28th is 00:30 on the 29th in Berlin; withdrawn at 22:30 UTC on the 29th, 00:30 on the 30th (summer time).
    ticket(3, 'forgot_password', '2026-03-28T23:30:00Z', [['decide', '2026-03-29T22:30:00Z']], false, {
      state: TicketState.Withdrawn,
      slaDecisionMs: 23 * H,
      slaDecisionMet: true,
      ...closed('2026-03-29T22:30:00Z', 'withdrawn'),
    }),
    // T4: the last hour of the range in Berlin (still the 31st in UTC too); open, and long overdue by now.
    ticket(4, 'lost_2fa', '2026-03-31T21:30:00Z', [], true, { state: TicketState.AwaitingReview }),
    // T5: 22:30 UTC on the 31st is already April in Berlin: outside the range; open.
    ticket(5, 'lost_2fa', '2026-03-31T22:30:00Z', [], true, { state: TicketState.AwaitingReview }),
    // T6: received and answered before the range, waiting on the requester since.
    ticket(
      6,
      'compromised',
      '2026-03-20T10:00:00Z',
      [
        ['respond', '2026-03-20T12:00:00Z'],
        ['pause', '2026-03-21T10:00:00Z'],
      ],
      true,
      {
        state: TicketState.AwaitingRequester,
        slaResponseMs: 2 * H,
        slaResponseMet: true,
      },
    ),
    // T7: denied by alice on the 27th, reopened on the 28th (its first cycle is in ticket_cycles), approved by bob on the 31st, cooling off.
    ticket(
      7,
      'lost_2fa',
      '2026-03-26T12:00:00Z',
      [
        ['respond', '2026-03-26T13:00:00Z'],
        ['decide', '2026-03-27T12:00:00Z'],
        ['reopen', '2026-03-28T12:00:00Z'],
        ['decide', '2026-03-31T12:00:00Z'],
      ],
      false,
      {
        state: TicketState.CoolingOff,
        slaResponseMs: H,
        slaResponseMet: true,
        slaDecisionMs: 72 * H,
        slaDecisionMet: true,
        outcome: 'approved',
        decidedBy: 'moderator:bob',
        handlingMs: 3 * H,
      },
    ),
    // T8: answered, asked, never heard back: closed without an answer on the 31st.
    ticket(
      8,
      'forgot_password',
      '2026-03-27T10:00:00Z',
      [
        ['respond', '2026-03-27T11:00:00Z'],
        ['pause', '2026-03-27T12:00:00Z'],
        ['decide', '2026-03-31T10:00:00Z'],
      ],
      false,
      {
        state: TicketState.ClosedNoResponse,
        slaResponseMs: H,
        slaResponseMet: true,
        slaDecisionMs: 3 * H,
        slaDecisionMet: true,
        ...closed('2026-03-31T10:00:00Z', 'closed_no_response'),
      },
    ),
    // T9: nobody has answered: both deadlines passed long ago; open.
    ticket(9, 'lost_recovery_codes', '2026-03-26T06:00:00Z', [], true, { state: TicketState.AwaitingReview }),
    // Open tickets of today's backlog: two hours and five days old.
    { n: 10, requestType: 'compromised', createdAt: new Date(now.getTime() - 2 * H), state: TicketState.InReview, claimedBy: 'moderator:alice' },
    { n: 11, requestType: 'compromised', createdAt: new Date(now.getTime() - 5 * D), state: TicketState.AwaitingReview },
  ];
}

const RANGE = 'from=2026-03-26&to=2026-03-31&tz=Europe/Berlin';

/** The exact figures of the fixture (see the comments above for each ticket). */
const SLA = {
  lost_2fa: {
    request_type: 'lost_2fa',
    received: 3,
    decided: 4,
    approved: 2,
    denied: 2,
    withdrawn: 0,
    closed_no_response: 0,
    response_measured: 3,
    response_met: 2,
    response_met_pct: 66.7,
    response_p50_ms: H,
    response_p90_ms: 73 * H,
    response_p99_ms: 73 * H,
    decision_measured: 4,
    decision_met: 4,
    decision_met_pct: 100,
    decision_p50_ms: 24 * H,
    decision_p90_ms: 87 * H,
    decision_p99_ms: 87 * H,
  },
  forgot_password: {
    request_type: 'forgot_password',
    received: 2,
    decided: 0,
    approved: 0,
    denied: 0,
    withdrawn: 1,
    closed_no_response: 1,
    response_measured: 1,
    response_met: 1,
    response_met_pct: 100,
    response_p50_ms: H,
    response_p90_ms: H,
    response_p99_ms: H,
    decision_measured: 0,
    decision_met: 0,
    decision_met_pct: null,
    decision_p50_ms: null,
    decision_p90_ms: null,
    decision_p99_ms: null,
  },
  lost_recovery_codes: {
    request_type: 'lost_recovery_codes',
    received: 1,
    decided: 0,
    approved: 0,
    denied: 0,
    withdrawn: 0,
    closed_no_response: 0,
    response_measured: 0,
    response_met: 0,
    response_met_pct: null,
    response_p50_ms: null,
    response_p90_ms: null,
    response_p99_ms: null,
    decision_measured: 0,
    decision_met: 0,
    decision_met_pct: null,
    decision_p50_ms: null,
    decision_p90_ms: null,
    decision_p99_ms: null,
  },
  all: {
    request_type: 'all',
    received: 6,
    decided: 4,
    approved: 2,
    denied: 2,
    withdrawn: 1,
    closed_no_response: 1,
    response_measured: 4,
    response_met: 3,
    response_met_pct: 75,
    response_p50_ms: H,
    response_p90_ms: 73 * H,
    response_p99_ms: 73 * H,
    decision_measured: 4,
    decision_met: 4,
    decision_met_pct: 100,
    decision_p50_ms: 24 * H,
    decision_p90_ms: 87 * H,
    decision_p99_ms: 87 * H,
  },
};
const nothing = (type: string) => ({ ...SLA.lost_recovery_codes, request_type: type, received: 0 });

const DAILY = [
  { day: '2026-03-26', received: 3, decided: 1, open_at_end: 5 },
  { day: '2026-03-27', received: 1, decided: 1, open_at_end: 4 },
  { day: '2026-03-28', received: 0, decided: 0, open_at_end: 5 },
  { day: '2026-03-29', received: 1, decided: 0, open_at_end: 6 },
  { day: '2026-03-30', received: 0, decided: 1, open_at_end: 4 },
  { day: '2026-03-31', received: 1, decided: 1, open_at_end: 4 },
];

const zeros = { d0_1: 0, d1_3: 0, d3_7: 0, d7_14: 0, d14_30: 0, d30_plus: 0 };
const BACKLOG = [
  { state: 'submitted', ...zeros, total: 0 },
  { state: 'awaiting_review', ...zeros, d3_7: 1, d30_plus: 3, total: 4 },
  { state: 'in_review', ...zeros, d0_1: 1, total: 1 },
  { state: 'awaiting_requester', ...zeros, d30_plus: 1, total: 1 },
  { state: 'approved', ...zeros, total: 0 },
  { state: 'cooling_off', ...zeros, d30_plus: 1, total: 1 },
  { state: 'reset_issued', ...zeros, total: 0 },
  { state: 'total', ...zeros, d0_1: 1, d3_7: 1, d30_plus: 5, total: 7 },
];

const MODERATORS = [
  { moderator: 'alice', decisions: 2, approved: 1, denied: 1, median_handling_ms: 30 * 60_000, decision_measured: 2, decision_met: 2, decision_met_pct: 100 },
  { moderator: 'bob', decisions: 2, approved: 1, denied: 1, median_handling_ms: 2 * H, decision_measured: 2, decision_met: 2, decision_met_pct: 100 },
];

const DECISION_TIMES = [
  { time_to_decision: '0–1 d', decisions: 1 },
  { time_to_decision: '1–3 d', decisions: 1 },
  { time_to_decision: '3–7 d', decisions: 2 },
  { time_to_decision: '7–14 d', decisions: 0 },
  { time_to_decision: '14–30 d', decisions: 0 },
  { time_to_decision: '> 30 d', decisions: 0 },
];

/** The text of a cell: `<td class="n … name">text</td>` inside the row `<tr data-key="value">`. */
function cell(html: string, rowAttr: string, className: string): string {
  const row = new RegExp(`<tr ${rowAttr}[^>]*>([\\s\\S]*?)</tr>`).exec(html);
  if (!row) throw new Error(`no row ${rowAttr}`);
  const td = new RegExp(`<td class="[^"]*\\b${className}\\b[^"]*"[^>]*>([^<]*)</td>`).exec(row[1]);
  if (!td) throw new Error(`no cell ${className} in row ${rowAttr}`);
  return td[1];
}

describe('SLA and workload reports', () => {
  const clock = new MovableClock();
  let t: TestApp;
  let ops: TestAgent;
  const references: Record<number, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h', REPORT_TIME_ZONE: 'UTC' }, { clock });
    const now = new Date();
    const tickets = t.dataSource.getRepository(Ticket);
    for (const row of fixture(now)) {
      const { n, ...over } = row;
      const ticket = makeStoredTicket(9000 + n, { ...over, reference: `RD-R${String(n).padStart(5, '0')}` });
      if (over.state && [TicketState.AwaitingReview, TicketState.InReview, TicketState.AwaitingRequester, TicketState.CoolingOff].includes(over.state)) {
        ticket.openKey = `${ticket.usernameKey}|${ticket.contactEmail}`;
      }
      references[n] = ticket.reference;
      await tickets.insert(ticket);
    }
    const t7 = await tickets.findOneByOrFail({ reference: references[7] });
    await t.dataSource.getRepository(TicketCycle).insert({
      ticketId: t7.id,
      cycle: 1,
      requestType: 'lost_2fa',
      startedAt: t7.createdAt,
      decidedAt: at('2026-03-27T12:00:00Z'),
      decisionMs: 24 * H,
      decisionMet: true,
      outcome: 'denied',
      decidedBy: 'moderator:alice',
      handlingMs: H,
      closedAt: at('2026-03-27T12:00:00Z'),
      reopenedAt: at('2026-03-28T12:00:00Z'),
    });
    ops = await signedInModerator(t, 'olga', 'ops');
  });
  afterAll(() => t?.close());

  it('gives every table exactly as JSON, days counted in the asked time zone across the DST switch', async () => {
    const json = async (table: string, query = RANGE) =>
      (
        await ops
          .get(`/reports/${table}.json?${query}`)
          .expect(200)
          .expect('Content-Type', /application\/json/)
      ).body;
    const sla = await json('sla');
    expect(sla).toMatchObject({ table: 'sla', from: '2026-03-26', to: '2026-03-31', time_zone: 'Europe/Berlin', request_type: 'all' });
    // In the order of REQUEST_TYPES, then all.
    expect(sla.rows).toEqual([SLA.forgot_password, SLA.lost_2fa, SLA.lost_recovery_codes, nothing('lost_email_access'), nothing('compromised'), SLA.all]);
    expect((await json('daily')).rows).toEqual(DAILY);
    expect((await json('backlog')).rows).toEqual(BACKLOG);
    expect((await json('moderators')).rows).toEqual(MODERATORS);
    expect((await json('decision-times')).rows).toEqual(DECISION_TIMES);
    expect((await json('breaches')).rows).toEqual([
      {
        reference: references[9],
        request_type: 'lost_recovery_codes',
        received_at: '2026-03-26T06:00:00.000Z',
        state: 'awaiting_review',
        breached: 'response, decision',
        response_ms: null,
        decision_ms: null,
        moderator: null,
      },
      {
        reference: references[2],
        request_type: 'lost_2fa',
        received_at: '2026-03-26T08:00:00.000Z',
        state: 'denied',
        breached: 'response',
        response_ms: 73 * H,
        decision_ms: 87 * H,
        moderator: 'bob',
      },
      {
        reference: references[4],
        request_type: 'lost_2fa',
        received_at: '2026-03-31T21:30:00.000Z',
        state: 'awaiting_review',
        breached: 'response, decision',
        response_ms: null,
        decision_ms: null,
        moderator: null,
      },
    ]);
  });

  it('counts the same tickets on other days in UTC', async () => {
    const daily = (await ops.get('/reports/daily.json?from=2026-03-26&to=2026-03-31&tz=UTC').expect(200)).body.rows;
    // T1 (22:30 UTC on the 25th) is outside; T3 falls on the 28th; T5 (22:30 UTC on the 31st) is inside; the withdrawal is on the 29th.
    expect(daily.map((d: { received: number }) => d.received)).toEqual([3, 1, 1, 0, 0, 2]);
    expect(daily.map((d: { open_at_end: number }) => d.open_at_end)).toEqual([5, 4, 6, 5, 4, 5]);
  });

  it('narrows every table to one request type', async () => {
    const q = `${RANGE}&type=forgot_password`;
    expect((await ops.get(`/reports/sla.json?${q}`).expect(200)).body.rows).toEqual([SLA.forgot_password]);
    expect((await ops.get(`/reports/daily.json?${q}`).expect(200)).body.rows.map((d: { open_at_end: number }) => d.open_at_end)).toEqual([0, 1, 1, 2, 1, 0]);
    expect((await ops.get(`/reports/moderators.json?${q}`).expect(200)).body.rows).toEqual([]);
  });

  it('gives the same figures as CSV, with a header even when empty', async () => {
    const sla = await ops
      .get(`/reports/sla.csv?${RANGE}`)
      .expect(200)
      .expect('Content-Type', /text\/csv/)
      .expect('Content-Disposition', 'attachment; filename="sla-2026-03-26-2026-03-31.csv"');
    const lines = sla.text.split('\r\n');
    expect(lines[0]).toBe(
      'request_type,received,decided,approved,denied,withdrawn,closed_no_response,response_measured,response_met,response_met_pct,' +
        'response_p50_ms,response_p90_ms,response_p99_ms,decision_measured,decision_met,decision_met_pct,decision_p50_ms,decision_p90_ms,decision_p99_ms',
    );
    expect(lines[1]).toBe(`forgot_password,2,0,0,0,1,1,1,1,100,${H},${H},${H},0,0,,,,`);
    expect(lines[2]).toBe(`lost_2fa,3,4,2,2,0,0,3,2,66.7,${H},${73 * H},${73 * H},4,4,100,${24 * H},${87 * H},${87 * H}`);
    expect(lines[6]).toBe(`all,6,4,2,2,1,1,4,3,75,${H},${73 * H},${73 * H},4,4,100,${24 * H},${87 * H},${87 * H}`);
    expect((await ops.get(`/reports/daily.csv?${RANGE}`).expect(200)).text).toBe(
      `day,received,decided,open_at_end\r\n${DAILY.map((d) => `${d.day},${d.received},${d.decided},${d.open_at_end}`).join('\r\n')}\r\n`,
    );
    expect((await ops.get(`/reports/moderators.csv?${RANGE}`).expect(200)).text).toBe(
      `moderator,decisions,approved,denied,median_handling_ms,decision_measured,decision_met,decision_met_pct\r\nalice,2,1,1,${30 * 60_000},2,2,100\r\nbob,2,1,1,${2 * H},2,2,100\r\n`,
    );
    expect((await ops.get(`/reports/breaches.csv?${RANGE}&type=compromised`).expect(200)).text).toBe(
      'reference,request_type,received_at,state,breached,response_ms,decision_ms,moderator\r\n',
    );
  });

  it('shows the same figures on the page, with charts and links to the breaching tickets', async () => {
    const page = await ops.get(`/reports?${RANGE}`).expect(200);
    const html = page.text;
    expect(cell(html, 'data-type="lost_2fa"', 'received')).toBe('3');
    expect(cell(html, 'data-type="lost_2fa"', 'response-met')).toBe('66.7 %');
    expect(cell(html, 'data-type="lost_2fa"', 'response-p50')).toBe('1 h');
    expect(cell(html, 'data-type="lost_2fa"', 'response-p90')).toBe('3 d 1 h');
    expect(cell(html, 'data-type="lost_2fa"', 'decision-p50')).toBe('1 d');
    expect(cell(html, 'data-type="lost_2fa"', 'decision-p99')).toBe('3 d 15 h');
    expect(cell(html, 'data-type="forgot_password"', 'decision-met')).toBe('–');
    expect(cell(html, 'data-type="forgot_password"', 'closed-no-response')).toBe('1');
    expect(cell(html, 'data-type="all"', 'response-met')).toBe('75.0 %');
    expect(cell(html, 'data-day="2026-03-29"', 'open')).toBe('6');
    expect(cell(html, 'data-state="total"', 'total')).toBe('7');
    expect(cell(html, 'data-moderator="alice"', 'handling')).toBe('30 min');
    expect(cell(html, 'data-moderator="bob"', 'handling')).toBe('2 h');
    expect(html).toContain(`<a class="reference" href="/dashboard/tickets/${references[2]}">${references[2]}</a>`);
    expect(html).toContain('<strong id="breach-count">3</strong>');
    for (const id of ['chart-received-decided', 'chart-open', 'chart-decision-times', 'chart-backlog-age']) {
      expect(html).toMatch(new RegExp(`<svg [^>]*aria-labelledby="${id}-title ${id}-desc"`));
    }
    // Handlebars writes = as &#x3D; in attributes: the same URL once the browser decodes it.
    expect(html).toContain('href="/reports/sla.csv?from&#x3D;2026-03-26&amp;to&#x3D;2026-03-31&amp;type&#x3D;all&amp;tz&#x3D;Europe%2FBerlin"');
    expect(html).toContain('<a href="/reports" id="nav-reports">Reports</a>');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('names the bad parameter and refuses other roles', async () => {
    const bad = async (query: string, field: string) => {
      const res = await ops.get(`/reports/sla.json?${query}`).expect(400);
      expect(res.body.errors).toEqual([{ field, reasons: [expect.any(String)] }]);
      const page = await ops.get(`/reports?${query}`).expect(400);
      expect(page.text).toContain(`Bad parameter: ${field}`);
    };
    await bad('tz=Mars/Olympus', 'tz');
    await bad('type=lost_everything', 'type');
    await bad('from=2026-02-30', 'from');
    await bad('from=2026-03-31&to=2026-03-01', 'from');
    await bad('from=2025-01-01&to=2026-03-01', 'from');
    await ops.get('/reports/tickets.csv').expect(404);
    await ops.get('/reports/sla.xml').expect(404);
    const moderator = await signedInModerator(t, 'mo', 'moderator');
    await moderator.get('/reports').expect(403);
    await moderator.get('/reports/sla.json').expect(403);
    await request(t.server).get('/reports').expect(303).expect('Location', '/login');
    await request(t.server).get('/reports/sla.csv').expect(303);
    const admin = await signedInModerator(t, 'ada', 'admin');
    await admin.get(`/reports/sla.json?${RANGE}`).expect(200);
  });

  it('defaults to the last 30 days in REPORT_TIME_ZONE', async () => {
    const body = (await ops.get('/reports/sla.json').expect(200)).body;
    const today = new Date().toISOString().slice(0, 10);
    expect(body.to).toBe(today);
    expect(body.from).toBe(new Date(Date.parse(today) - 29 * D).toISOString().slice(0, 10));
    expect(body.time_zone).toBe('UTC');
  });

  // Last: it moves the app's clock on by half a day.
  it('measures a ticket worked through the app, the wait on the requester left out', async () => {
    await seedDirectory(t, [makeAccount({ username: 'live-owner' })]);
    const submitted = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'live-owner', request_type: 'lost_email_access', contact_email: 'live@example.org' }))
      .expect(201);
    const reference = submitted.body.reference as string;
    await pipelineSettled(t);
    const tickets = t.dataSource.getRepository(Ticket);
    const id = (await tickets.findOneByOrFail({ reference })).id;
    const mia = { id: 'mia', name: 'mia', role: 'moderator' as const, signedInAt: clock.now().getTime(), lastSeenAt: clock.now().getTime() };
    clock.advance(2 * H);
    expect(await t.app.get(ReviewService).claim(id, 'mia')).not.toBeNull();
    clock.advance(H);
    await t.app.get(DecisionsService).askForInformation(reference, mia, { template: 'old-addresses' });
    clock.advance(10 * H); // waiting on the requester: not counted
    await t.app.get(StatusService).addMessage(statusTokenIn(submitted.body.status_url), 'My old address was live@old.example.');
    clock.advance(H);
    expect(await t.app.get(ReviewService).claim(id, 'mia')).not.toBeNull();
    clock.advance(30 * 60_000);
    await t.app.get(DecisionsService).deny(reference, mia, { template: 'not-enough-evidence' });

    const ticket = await tickets.findOneByOrFail({ id });
    expect(ticket).toMatchObject({ state: 'denied', outcome: 'denied', decidedBy: 'moderator:mia', slaResponseMet: true, slaDecisionMet: true });
    const elapsed = ticket.slaDecidedAt!.getTime() - ticket.createdAt.getTime();
    const paused = ticket.slaPauses.reduce((ms, p) => ms + Date.parse(p.to) - Date.parse(p.from), 0);
    expect(ticket.slaResponseMs).toBe(ticket.firstRespondedAt!.getTime() - ticket.createdAt.getTime());
    expect(paused).toBeGreaterThanOrEqual(10 * H);
    expect(ticket.slaDecisionMs).toBe(elapsed - paused);
    expect(ticket.slaDecisionMs).toBeLessThan(elapsed - 10 * H + 60_000);
    // The clock moves with the wall too: a few milliseconds of the test itself count.
    expect(ticket.handlingMs).toBeGreaterThanOrEqual(30 * 60_000);
    expect(ticket.handlingMs).toBeLessThan(30 * 60_000 + 10_000);

    // The report reads it as stored (the session ended with the clock's jump: sign in again at the app's time).
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: 'olga', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303);
    const totp = await agent.get('/login/totp').expect(200);
    const offset = Math.round((clock.now().getTime() - Date.now()) / 1000);
    await agent
      .post('/login/totp')
      .type('form')
      .send({ code: await codeAt(STAFF_TOTP_SECRET, offset), _csrf: csrfIn(totp.text) })
      .expect(303);
    const day = ticket.slaDecidedAt!.toISOString().slice(0, 10);
    const from = ticket.createdAt.toISOString().slice(0, 10);
    const rows = (await agent.get(`/reports/sla.json?from=${from}&to=${day}&type=lost_email_access`).expect(200)).body.rows;
    expect(rows).toEqual([
      expect.objectContaining({
        received: 1,
        decided: 1,
        denied: 1,
        response_measured: 1,
        response_met: 1,
        response_p50_ms: ticket.slaResponseMs,
        decision_measured: 1,
        decision_met: 1,
        decision_p50_ms: ticket.slaDecisionMs,
        decision_p99_ms: ticket.slaDecisionMs,
      }),
    ]);
    const moderators = (await agent.get(`/reports/moderators.json?from=${from}&to=${day}&type=lost_email_access`).expect(200)).body.rows;
    expect(moderators).toEqual([
      {
        moderator: 'mia',
        decisions: 1,
        approved: 0,
        denied: 1,
        median_handling_ms: ticket.handlingMs,
        decision_measured: 1,
        decision_met: 1,
        decision_met_pct: 100,
      },
    ]);
  });
});
