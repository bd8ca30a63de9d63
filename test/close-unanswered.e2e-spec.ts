import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { CloseUnansweredService } from '../src/review-queue/close-unanswered.service.js';
import { ReviewService } from '../src/review-queue/review.service.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { pipelineSettled } from './support/row-counts.js';
import { codeAt, csrfIn, enrolledModerator, STAFF_PASSWORD } from './support/staff.js';
import { expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { CLOSE_UNANSWERED_PATTERN, JobName, QueueName } from '../src/jobs/job.constants.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const CODES_LEFT = makeAccount({ username: 'codes-left', two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 4 } });

/**
 * CLOSE_UNANSWERED_AFTER (30 d by default): a ticket asked for information and left waiting is closed by
 * the hourly sweep, with its SLA decision measured and the requester told; answered or younger waits stay.
 */
describe('closing tickets left waiting on the requester', () => {
  const clock = new MovableClock();
  let offsetMs = 0;
  let t: TestApp;
  let mia: TestAgent;

  const advance = (ms: number) => {
    clock.advance(ms);
    offsetMs += ms;
  };
  /** Signs in for the app's "now" (a moved clock ends earlier sessions, as it should). */
  const signIn = async () => {
    const agent = request.agent(t.server);
    const form = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ name: 'mia', password: STAFF_PASSWORD, _csrf: csrfIn(form.text) })
      .expect(303);
    const page = await agent.get('/login/totp').expect(200);
    await agent
      .post('/login/totp')
      .type('form')
      .send({ code: await codeAt('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', Math.floor(offsetMs / 1000)), _csrf: csrfIn(page.text) })
      .expect(303);
    mia = agent;
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const submit = async (body: Record<string, unknown> = {}) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201);
    await pipelineSettled(t);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  };
  /** Submitted, taken by mia, and asked for more through the ticket page. */
  const asked = async (contact: string) => {
    const submitted = await submit({ contact_email: contact });
    expect(await t.app.get(ReviewService).claim((await ticketOf(submitted.reference)).id, 'mia')).not.toBeNull();
    const page = await mia.get(`/dashboard/tickets/${submitted.reference}`).expect(200);
    await mia
      .post(`/dashboard/tickets/${submitted.reference}/ask-info`)
      .type('form')
      .send({ template: 'old-addresses', _csrf: csrfIn(page.text) })
      .expect(303);
    expect(await ticketOf(submitted.reference)).toMatchObject({ state: TicketState.AwaitingRequester });
    return submitted;
  };
  const closingMails = () => readMails(t.mailDir).filter((m) => m.subject.includes('Your request was closed'));
  const closeDue = () => t.app.get(CloseUnansweredService).closeDue();

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h', OPS_EMAIL: 'desk@recovery.test' }, { clock });
    await seedDirectory(t, [CODES_LEFT]);
    await enrolledModerator(t, 'mia');
    await signIn();
  });
  afterAll(() => t?.close());

  it('sets an hourly job scheduler for the sweep', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Periodic));
    const scheduler = await expectEventually(async () => {
      const found = await queue.getJobScheduler(JobName.CloseUnanswered);
      if (!found) throw new Error('no close-unanswered scheduler yet');
      return found;
    });
    expect(scheduler).toMatchObject({ name: JobName.CloseUnanswered, pattern: CLOSE_UNANSWERED_PATTERN });
    expect(CLOSE_UNANSWERED_PATTERN).toBe('0 * * * *');
  });

  it('closes the ticket nobody answered for 30 days, and no other, once', async () => {
    const left = await asked('left@example.net');
    const answered = await asked('answered@example.net');
    const queued = await submit({ contact_email: 'queued@example.net' });

    advance(15 * DAY);
    // An account with unused recovery codes: queued like any other ticket, never waiting on the requester.
    const codes = await submit({ username: 'codes-left', contact_email: 'codes@example.net' });
    expect(await ticketOf(codes.reference)).toMatchObject({ state: TicketState.AwaitingReview });

    advance(14 * DAY);
    await request(t.server).post(`/status/${answered.token}/messages`).type('form').send({ message: 'owner@old.example' }).expect(303);
    expect(await closeDue()).toEqual({ closed: 0, skipped: 0, failed: 0 }); // 29 days: not yet

    advance(DAY + MINUTE);
    const before = await ticketOf(left.reference);
    expect(await closeDue()).toEqual({ closed: 1, skipped: 0, failed: 0 });

    const closed = await ticketOf(left.reference);
    expect(closed).toMatchObject({
      state: TicketState.ClosedNoResponse,
      outcome: 'closed_no_response',
      openKey: null,
      claimedBy: null,
      decidedBy: null,
      slaPausedSince: null,
      version: before.version + 1,
    });
    expect(closed.closedAt!.getTime()).toBeGreaterThanOrEqual(before.slaPausedSince!.getTime() + 30 * DAY);
    expect(closed.slaDecidedAt).toEqual(closed.closedAt);
    // The 30-day wait is a pause: the decision measure counts only the minutes before the question.
    expect(closed.slaPauses).toEqual([{ from: before.slaPausedSince!.toISOString(), to: closed.closedAt!.toISOString() }]);
    expect(closed.slaDecisionMs).toBeGreaterThanOrEqual(0);
    expect(closed.slaDecisionMs).toBeLessThan(10 * MINUTE);
    expect(closed.slaDecisionMet).toBe(true);

    expect(await ticketOf(answered.reference)).toMatchObject({ state: TicketState.AwaitingReview, outcome: null });
    expect(await ticketOf(queued.reference)).toMatchObject({ state: TicketState.AwaitingReview, outcome: null });
    expect(await ticketOf(codes.reference)).toMatchObject({ state: TicketState.AwaitingReview, outcome: null });

    const [event] = await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: closed.id, type: 'closed_no_response' });
    expect(event).toMatchObject({ actor: 'system', public: true, data: { waiting_since: before.slaPausedSince!.toISOString() } });
    const status = (await request(t.server).get(`/status/${left.token}`).expect(200)).text;
    expect(status).toContain('Closed because we did not hear back from you.');
    expect(status).toContain('We closed the request because we did not hear back from you.');
    // Closed means closed for the status page: the mail says how to come back instead.
    await request(t.server).post(`/status/${left.token}/messages`).type('form').send({ message: 'sorry, I was away' }).expect(409);

    const mail = await expectEventually(() => {
      const [m] = closingMails();
      if (!m) throw new Error('no closing mail yet');
      return m;
    });
    expect(mail.to).toBe('left@example.net');
    expect(mail.subject).toBe(`[${left.reference}] Your request was closed: we did not hear back from you`);
    expect(mail.text).toContain(`waiting for an answer from you since\n${before.slaPausedSince!.toISOString().slice(0, 16).replace('T', ' ')} (UTC)`);
    expect(mail.text).toContain(`write to desk@recovery.test and quote ${left.reference}: a moderator can reopen this request`);
    expect(mail.text).toContain('submit a new request: http://recovery.test/recover');

    // The job runs at least once: a second run closes nothing and mails nobody.
    expect(await closeDue()).toEqual({ closed: 0, skipped: 0, failed: 0 });
    await pipelineSettled(t);
    expect(closingMails()).toHaveLength(1);

    // What the mail promises: a moderator can reopen it.
    await t.app.get(ReviewService).reopen(left.reference, 'mia', 'the requester wrote to ops');
    expect(await ticketOf(left.reference)).toMatchObject({ state: TicketState.AwaitingReview, outcome: null, closedAt: null });
  });

  it('removes the scheduler when closing is switched off (CLOSE_UNANSWERED_AFTER=never)', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Periodic));
    expect(await queue.getJobScheduler(JobName.CloseUnanswered)).toBeDefined();
    // Another worker on the same Redis, configured with never.
    const other = await startTestApp({ REDIS_PREFIX: t.env.REDIS_PREFIX, CLOSE_UNANSWERED_AFTER: 'never', RECONCILE_INTERVAL: '1h' });
    try {
      await expectEventually(async () => expect(await queue.getJobScheduler(JobName.CloseUnanswered)).toBeUndefined());
      expect((await queue.getDelayed()).filter((j) => j.name === JobName.CloseUnanswered)).toHaveLength(0);
    } finally {
      await other.close(); // also empties the shared Redis prefix: this is the file's last test
    }
  });
});
