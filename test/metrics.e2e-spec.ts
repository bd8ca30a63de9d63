import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeTicketBody } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { parseScrape, sample, type Scrape } from './support/prometheus.js';
import { pipelineSettled } from './support/row-counts.js';
import { csrfIn, signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { JobName, QueueName } from '../src/jobs/job.constants.js';
import { TimerJobs } from '../src/review-queue/timer.jobs.js';

const METRICS_TOKEN = 'metrics-token-for-the-e2e-test-0123456789';

/** Every ticket state's gauge: the given counts, 0 for the rest. */
const ticketsByState = (counts: Partial<Record<TicketState, number>>) =>
  Object.fromEntries(Object.values(TicketState).map((state) => [state, counts[state] ?? 0]));
const ticketGauges = (scrape: Scrape) =>
  Object.fromEntries(Object.values(TicketState).map((state) => [state, sample(scrape, 'recovery_desk_tickets', { state })]));

describe('GET /metrics (Prometheus), open', () => {
  let t: TestApp;
  const clock = new MovableClock();
  let moderator: TestAgent;
  const statusTokens: string[] = [];
  const references: string[] = [];

  const scrape = async (): Promise<Scrape> => {
    const res = await request(t.server).get('/metrics').expect(200).expect('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return parseScrape(res.text);
  };
  const queueDepth = (s: Scrape, queue: QueueName, state: string) => sample(s, 'recovery_desk_queue_jobs', { queue, state });

  beforeAll(async () => {
    // No reconciler sweep during the test: the dispatch queue then holds exactly one job per waiting ticket.
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' }, { clock });
    moderator = await signedInModerator(t, 'mira', 'moderator');
    for (let i = 0; i < 3; i++) {
      const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
      references.push(res.body.reference as string);
      statusTokens.push(statusTokenIn(res.body.status_url));
    }
    await pipelineSettled(t);
  });
  afterAll(() => t.close());

  it('counts tickets by state from SQL and queue depths from Redis, by queue and state', async () => {
    // Every queue of the app, every state shown, each with its exact depth: each waiting ticket has its
    // dispatch job (always prioritised) and its SLA timer (delayed); the rest has been worked off (a mail
    // job may still be finishing as the outbox settles, hence eventually). The periodic queue holds the next
    // run of each job scheduler (close-unanswered, weekly-summary, calibrate), delayed until it is due.
    const nonEmpty: Record<string, number> = { 'dispatch/prioritized': 3, 'timers/delayed': 3, 'periodic/delayed': 3 };
    const s = await expectEventually(async () => {
      const now = await scrape();
      for (const queue of Object.values(QueueName)) {
        for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) {
          expect([queue, state, queueDepth(now, queue, state)]).toEqual([queue, state, nonEmpty[`${queue}/${state}`] ?? 0]);
        }
      }
      return now;
    });
    expect(ticketGauges(s)).toEqual(ticketsByState({ [TicketState.AwaitingReview]: 3 }));
    expect(sample(s, 'recovery_desk_claims_total')).toBe(0);
  });

  it('counts a claim and a decision once they are committed, and the ticket moves in the state gauges', async () => {
    const queue = await moderator.get('/dashboard').expect(200);
    const claimed = await moderator
      .post('/dashboard/work-next')
      .type('form')
      .send({ _csrf: csrfIn(queue.text) })
      .expect(303);
    const reference = /\/dashboard\/tickets\/(RD-\w+)$/.exec(claimed.headers.location)![1];
    let s = await scrape();
    expect(sample(s, 'recovery_desk_claims_total')).toBe(1);
    expect(ticketGauges(s)).toEqual(ticketsByState({ [TicketState.AwaitingReview]: 2, [TicketState.InReview]: 1 }));
    expect(queueDepth(s, QueueName.Dispatch, 'prioritized')).toBe(2);

    // Nobody else can take the held ticket: a refused claim counts nothing.
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    expect(await t.app.get(ReviewService).claim(ticket.id, 'someone-else')).toBeNull();

    const page = await moderator.get(`/dashboard/tickets/${reference}`).expect(200);
    await moderator
      .post(`/dashboard/tickets/${reference}/deny`)
      .type('form')
      .send({ template: 'pep-541', _csrf: csrfIn(page.text) })
      .expect(303);
    // A second denial of the closed ticket is refused (409): it must not count either.
    const again = await moderator.get(`/dashboard/tickets/${reference}`).expect(200);
    await moderator
      .post(`/dashboard/tickets/${reference}/deny`)
      .type('form')
      .send({ template: 'pep-541', _csrf: csrfIn(again.text) })
      .expect(409);
    s = await scrape();
    expect(sample(s, 'recovery_desk_claims_total')).toBe(1);
    expect(sample(s, 'recovery_desk_decisions_total', { decision: 'denied' })).toBe(1);
    for (const decision of ['info_requested', 'approved', 'second_approval']) {
      expect([decision, sample(s, 'recovery_desk_decisions_total', { decision })]).toEqual([decision, 0]);
    }
    expect(ticketGauges(s)).toEqual(ticketsByState({ [TicketState.AwaitingReview]: 2, [TicketState.Denied]: 1 }));
  });

  it('times HTTP responses by method, route pattern and status, and never puts a URL token in a label', async () => {
    await request(t.server).get(`/status/${statusTokens[0]}`).expect(200);
    await request(t.server).get('/no/such/page').expect(404);
    const res = await request(t.server).get('/metrics').expect(200);
    const s = parseScrape(res.text);
    const intake = { method: 'POST', route: '/api/v1/tickets', status_code: '201' };
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_count', intake)).toBe(3);
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_bucket', { ...intake, le: '+Inf' })).toBe(3);
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_sum', intake)).toBeGreaterThan(0);
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_count', { method: 'GET', route: '/status/:token', status_code: '200' })).toBe(1);
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(res.text).not.toContain(statusTokens[0]);
    expect(res.text).not.toContain('/no/such/page');
  });

  it("times every job attempt of this process's workers by queue and name, and counts failures", async () => {
    const review = t.app.get<Queue>(getQueueToken(QueueName.Review), { strict: false });
    // The processor refuses a job without an outbox id; one attempt, so it fails for good.
    await review.add(JobName.Assess, {}, { jobId: 'metrics-broken-job', attempts: 1 });
    await expectEventually(async () => {
      const s = await scrape();
      expect(sample(s, 'recovery_desk_job_failures_total', { queue: 'review', name: 'assess' })).toBe(1);
      expect(sample(s, 'recovery_desk_job_duration_seconds_count', { queue: 'review', name: 'assess', outcome: 'failed' })).toBe(1);
      expect(queueDepth(s, QueueName.Review, 'failed')).toBe(1);
      // One assessment per ticket submitted; each ticket's intake mail went out.
      expect(sample(s, 'recovery_desk_job_duration_seconds_count', { queue: 'review', name: 'assess', outcome: 'completed' })).toBe(3);
      expect(sample(s, 'recovery_desk_job_duration_seconds_count', { queue: 'mail', name: 'send-mail', outcome: 'completed' })).toBeGreaterThanOrEqual(3);
    });
    await review.remove('metrics-broken-job');
  });

  it('counts SLA warnings and breaches once each, and shows open tickets at each level from SQL', async () => {
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: references[2] });
    expect(ticket.state).toBe(TicketState.AwaitingReview);
    const sla = t.app.get(TimerJobs);
    // What the ticket's timer does when it wakes up (TimersProcessor), at the warning, then twice at the breach.
    clock.advance(ticket.responseWarnAt!.getTime() - clock.now().getTime() + 1000);
    expect((await sla.fire(ticket.id)).kind).toBe('marked');
    let s = await scrape();
    expect(sample(s, 'recovery_desk_sla_events_total', { level: 'warning', clock: 'response' })).toBe(1);
    expect(sample(s, 'recovery_desk_sla_open_tickets', { level: 'warning' })).toBe(1);
    expect(sample(s, 'recovery_desk_sla_open_tickets', { level: 'breached' })).toBe(0);

    clock.advance(ticket.responseDueAt!.getTime() - clock.now().getTime() + 1000);
    expect((await sla.fire(ticket.id)).kind).toBe('marked');
    // A second firing (a duplicate timer, a retried job) finds the breach already marked.
    expect((await sla.fire(ticket.id)).kind).not.toBe('marked');
    s = await scrape();
    expect(sample(s, 'recovery_desk_sla_events_total', { level: 'warning', clock: 'response' })).toBe(1);
    expect(sample(s, 'recovery_desk_sla_events_total', { level: 'breached', clock: 'response' })).toBe(1);
    expect(sample(s, 'recovery_desk_sla_events_total', { level: 'breached', clock: 'decision' })).toBe(0);
    expect(sample(s, 'recovery_desk_sla_open_tickets', { level: 'warning' })).toBe(0);
    expect(sample(s, 'recovery_desk_sla_open_tickets', { level: 'breached' })).toBe(1);
  });

  it('includes the process metrics', async () => {
    const s = await scrape();
    expect(sample(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(s, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN });
  });
  afterAll(() => t.close());

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer metrics-token-for-the-e2e-test-0123456788'],
    ['the token without the Bearer scheme', METRICS_TOKEN],
  ])('answers 401 with WWW-Authenticate to %s, and shows no metric', async (_what, authorization) => {
    const call = request(t.server).get('/metrics');
    const res = await (authorization ? call.set('Authorization', authorization) : call).expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(res.body).toEqual({ statusCode: 401, error: 'unauthorized', message: 'A valid metrics token is required (Authorization: Bearer …).' });
    expect(res.text).not.toContain('recovery_desk_');
  });

  it("answers 200 with the right token; this app's registry is its own (no counts from the other app in the process)", async () => {
    await request(t.server).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const res = await request(t.server).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    const s = parseScrape(res.text);
    expect(sample(s, 'recovery_desk_claims_total')).toBe(0);
    expect(sample(s, 'recovery_desk_tickets', { state: 'awaiting_review' })).toBe(0);
    // Refused scrapes are timed too, under the route's pattern.
    expect(sample(s, 'recovery_desk_http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '401' })).toBeGreaterThanOrEqual(1);
  });
});
