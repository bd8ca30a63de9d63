import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { WeeklySummaryService } from '../src/reports/weekly-summary.service.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeStoredTicket } from './support/factories.js';
import { MovableClock } from './support/movable-clock.js';
import { pipelineSettled } from './support/row-counts.js';
import { disposeEnv, expectEventually, readMails, startTestApp, type TestApp } from './support/test-app.js';
import { JobName, QueueName } from '../src/jobs/job.constants.js';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
/** Monday 08:00 in Berlin: the summary covers Monday 16 to Sunday 22 November, local days. */
const NOW = at('2026-11-23T07:00:00Z');

/** A ticket decided (or closed) at `decided`, with the measures the app fixes at the time. */
function decided(i: number, over: Partial<Ticket>): Ticket {
  const closedAt = over.slaDecidedAt ?? null;
  return makeStoredTicket(i, { state: TicketState.Completed, closedAt, decidedAt: closedAt, ...over });
}

/**
 * Last week's tickets, in Europe/Berlin. Received in the week: #1 #2 #3 #4 #7 #8. Decided or closed in
 * the week: #1–#6 (#6 at 00:30 on Monday 16 in Berlin, still Sunday in UTC); #7 at 00:30 on Monday 23,
 * after it. Open now: #8 (5 days old, first response breached) and #9 (40 days old).
 */
const FIXTURE: Ticket[] = [
  decided(1, {
    requestType: 'lost_2fa',
    createdAt: at('2026-11-16T09:00:00Z'),
    firstRespondedAt: at('2026-11-16T11:00:00Z'),
    slaResponseMs: 2 * HOUR,
    slaResponseMet: true,
    slaDecidedAt: at('2026-11-18T09:00:00Z'),
    slaDecisionMs: 48 * HOUR,
    slaDecisionMet: true,
    outcome: 'approved',
    decidedBy: 'moderator:ann',
  }),
  decided(2, {
    requestType: 'lost_2fa',
    state: TicketState.Denied,
    createdAt: at('2026-11-17T10:00:00Z'),
    firstRespondedAt: at('2026-11-20T18:00:00Z'),
    slaResponseMs: 80 * HOUR,
    slaResponseMet: false,
    slaResponseLevel: 'breached',
    slaDecidedAt: at('2026-11-21T10:00:00Z'),
    slaDecisionMs: 96 * HOUR,
    slaDecisionMet: true,
    outcome: 'denied',
    decidedBy: 'moderator:ann',
  }),
  decided(3, {
    requestType: 'forgot_password',
    state: TicketState.Denied,
    createdAt: at('2026-11-18T08:00:00Z'),
    firstRespondedAt: at('2026-11-18T09:00:00Z'),
    slaResponseMs: HOUR,
    slaResponseMet: true,
    slaDecidedAt: at('2026-11-19T08:00:00Z'),
    slaDecisionMs: 24 * HOUR,
    slaDecisionMet: true,
    outcome: 'denied',
    decidedBy: 'moderator:bob',
  }),
  decided(4, {
    requestType: 'lost_2fa',
    state: TicketState.Withdrawn,
    createdAt: at('2026-11-19T08:00:00Z'),
    slaDecidedAt: at('2026-11-20T08:00:00Z'),
    slaDecisionMs: 24 * HOUR,
    slaDecisionMet: true,
    outcome: 'withdrawn',
  }),
  decided(5, {
    requestType: 'lost_2fa',
    state: TicketState.ClosedNoResponse,
    createdAt: at('2026-10-10T08:00:00Z'),
    firstRespondedAt: at('2026-10-11T08:00:00Z'),
    slaResponseMs: 24 * HOUR,
    slaResponseMet: true,
    slaDecidedAt: at('2026-11-21T10:00:00Z'),
    slaDecisionMs: 26 * HOUR,
    slaDecisionMet: true,
    outcome: 'closed_no_response',
  }),
  decided(6, {
    requestType: 'compromised',
    createdAt: at('2026-11-14T17:30:00Z'),
    firstRespondedAt: at('2026-11-14T20:00:00Z'),
    slaResponseMs: 2.5 * HOUR,
    slaResponseMet: true,
    slaDecidedAt: at('2026-11-15T23:30:00Z'),
    slaDecisionMs: 30 * HOUR,
    slaDecisionMet: true,
    outcome: 'approved',
    decidedBy: 'moderator:ann',
  }),
  decided(7, {
    requestType: 'lost_2fa',
    createdAt: at('2026-11-20T12:00:00Z'),
    firstRespondedAt: at('2026-11-20T13:00:00Z'),
    slaResponseMs: HOUR,
    slaResponseMet: true,
    slaDecidedAt: at('2026-11-22T23:30:00Z'),
    slaDecisionMs: 59.5 * HOUR,
    slaDecisionMet: true,
    outcome: 'approved',
    decidedBy: 'moderator:ann',
  }),
  makeStoredTicket(8, {
    requestType: 'lost_2fa',
    state: TicketState.AwaitingReview,
    createdAt: at('2026-11-18T06:00:00Z'),
    openKey: 'stored8|stored8@example.org',
    slaResponseLevel: 'breached',
    slaLevel: 'breached',
  }),
  makeStoredTicket(9, {
    requestType: 'lost_recovery_codes',
    state: TicketState.AwaitingReview,
    createdAt: at('2026-10-14T07:00:00Z'),
    openKey: 'stored9|stored9@example.org',
    slaResponseLevel: 'breached',
    slaDecisionLevel: 'breached',
    slaLevel: 'breached',
  }),
];

const EXPECTED = `Recovery Desk, 2026-11-16 to 2026-11-22 (Europe/Berlin days)

All types
  received 6, decided 4 (approved 2, denied 2), withdrawn 1, closed without answer 1
  first response: 75.0 % met (3 of 4), p50 1 h, p90 3 d 8 h
  decision: 100.0 % met (4 of 4), p50 1 d 6 h, p90 4 d

forgot password
  received 1, decided 1 (approved 0, denied 1), withdrawn 0, closed without answer 0
  first response: 100.0 % met (1 of 1), p50 1 h, p90 1 h
  decision: 100.0 % met (1 of 1), p50 1 d, p90 1 d

lost 2fa
  received 5, decided 2 (approved 1, denied 1), withdrawn 1, closed without answer 1
  first response: 66.7 % met (2 of 3), p50 2 h, p90 3 d 8 h
  decision: 100.0 % met (2 of 2), p50 2 d, p90 4 d

compromised
  received 0, decided 1 (approved 1, denied 0), withdrawn 0, closed without answer 0
  first response: – met (0 of 0), p50 –, p90 –
  decision: 100.0 % met (1 of 1), p50 1 d 6 h, p90 1 d 6 h

Open now: 2, of which 1 older than 30 days.
SLA breaches among the requests received in the week: 2.

Most decisions:
  ann: 3 (2 approved, 1 denied)
  bob: 1 (0 approved, 1 denied)

The full report: http://recovery.test/reports?from=2026-11-16&to=2026-11-22

— Recovery Desk
`;

/** An instant as weekday and time of day in Berlin. */
const inBerlin = (ms: number | undefined) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(ms ?? NaN));

const SETTINGS = { REPORT_TIME_ZONE: 'Europe/Berlin', WEEKLY_SUMMARY_CRON: '0 8 * * 1', OPS_EMAIL: 'ops@recovery.test', RECONCILE_INTERVAL: '1h' };

describe('the weekly summary mail to ops', () => {
  const clock = new MovableClock();
  let t: TestApp;
  const periodic = (app: TestApp = t) => app.app.get<Queue>(getQueueToken(QueueName.Periodic));
  const summaries = () => readMails(t.mailDir).filter((m) => m.subject.startsWith('Recovery Desk weekly summary'));

  beforeAll(async () => {
    clock.advance(NOW.getTime() - Date.now());
    t = await startTestApp(SETTINGS, { clock });
    await t.dataSource.getRepository(Ticket).insert(FIXTURE);
  });
  afterAll(() => t?.close());

  it('sets a job scheduler with the configured pattern, in the report time zone', async () => {
    const scheduler = await expectEventually(async () => {
      const found = await periodic().getJobScheduler(JobName.WeeklySummary);
      if (!found) throw new Error('no weekly-summary scheduler yet');
      return found;
    });
    expect(scheduler).toMatchObject({ name: JobName.WeeklySummary, pattern: '0 8 * * 1', tz: 'Europe/Berlin' });
    expect(inBerlin(scheduler.next)).toBe('Mon 08:00');
  });

  it("mails ops last week's figures when the scheduled job runs, and only once for the week", async () => {
    // Run the job the scheduler made now instead of on Monday: the worker processes it as it would then.
    const job = await expectEventually(async () => {
      const found = (await periodic().getDelayed()).find((j) => j.name === JobName.WeeklySummary);
      if (!found) throw new Error('no scheduled weekly-summary job yet');
      return found;
    });
    await job.promote();
    const done = await expectEventually(async () => {
      const state = await periodic().getJob(job.id!);
      if (!state?.finishedOn) throw new Error('the job has not finished yet');
      return state;
    });
    expect(done.failedReason).toBeFalsy();
    expect(done.returnvalue).toEqual({ outcome: 'queued', from: '2026-11-16', to: '2026-11-22' });

    const mail = await expectEventually(() => {
      const [m] = summaries();
      if (!m) throw new Error('no weekly summary yet');
      return m;
    });
    expect(mail.to).toBe('ops@recovery.test');
    expect(mail.subject).toBe('Recovery Desk weekly summary: 2026-11-16 to 2026-11-22');
    expect(mail.text).toBe(EXPECTED);

    // Run again (a retry, a second worker): nothing more is queued.
    expect(await t.app.get(WeeklySummaryService).send()).toEqual({ outcome: 'already_queued', from: '2026-11-16', to: '2026-11-22' });
    await pipelineSettled(t);
    expect(summaries()).toHaveLength(1);

    // A week later, two runs at once: both find no mail for the week, one loses the insert on its key.
    clock.advance(7 * 24 * HOUR);
    const outcomes = await Promise.all([t.app.get(WeeklySummaryService).send(), t.app.get(WeeklySummaryService).send()]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already_queued', 'queued']);
    expect(outcomes[0]).toMatchObject({ from: '2026-11-23', to: '2026-11-29' });
    await pipelineSettled(t);
    expect(
      summaries()
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['Recovery Desk weekly summary: 2026-11-16 to 2026-11-22', 'Recovery Desk weekly summary: 2026-11-23 to 2026-11-29']);
  });

  it('replaces the scheduler when the pattern changes, and removes it with WEEKLY_SUMMARY=false', async () => {
    // Later boots of workers on the same Redis with other settings.
    const restarted = await startTestApp({ ...SETTINGS, REDIS_PREFIX: t.env.REDIS_PREFIX, WEEKLY_SUMMARY_CRON: '30 7 * * 5' });
    try {
      await expectEventually(async () =>
        expect(await periodic().getJobScheduler(JobName.WeeklySummary)).toMatchObject({ pattern: '30 7 * * 5', tz: 'Europe/Berlin' }),
      );
    } finally {
      await restarted.app.close();
      // Its database and folder only: the Redis prefix is the shared one, still being checked.
      await disposeEnv({ ...restarted.env, REDIS_PREFIX: `${restarted.env.REDIS_PREFIX}-not-shared` });
    }
    const schedulers = await periodic().getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual([JobName.Calibrate, JobName.CloseUnanswered, JobName.WeeklySummary]);
    expect(inBerlin(schedulers.find((s) => s.key === JobName.WeeklySummary)?.next)).toBe('Fri 07:30');
    expect((await periodic().getDelayed()).filter((j) => j.name === JobName.WeeklySummary)).toHaveLength(1);

    const switchedOff = await startTestApp({ ...SETTINGS, REDIS_PREFIX: t.env.REDIS_PREFIX, WEEKLY_SUMMARY: 'false' });
    try {
      await expectEventually(async () => expect(await periodic().getJobScheduler(JobName.WeeklySummary)).toBeUndefined());
      expect((await periodic(switchedOff).getJobSchedulers()).map((s) => s.key).sort()).toEqual([JobName.Calibrate, JobName.CloseUnanswered]);
      expect((await periodic().getDelayed()).filter((j) => j.name === JobName.WeeklySummary)).toHaveLength(0);
    } finally {
      await switchedOff.close(); // also empties the shared Redis prefix: this is the file's last test
    }
  });
});
