import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { In, IsNull } from 'typeorm';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { QueueName, WORKED_QUEUES } from '../src/jobs/job.constants.js';
import { OutboxMessage, OutboxTopic } from '../src/jobs/outbox.entity.js';
import { AssessmentLanes } from '../src/review-queue/assessment-lanes.service.js';
import { RIVAL_LANE_PRIORITY } from '../src/tickets/assessment-lane.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { expectEventually, startTestApp, type TestApp } from './support/test-app.js';

const RIVALS = 300;
const UNRELATED = 20;
/** Jobs the review queue's workers run at once: that many can be under way when the last unrelated one starts. */
const CONCURRENCY = WORKED_QUEUES[QueueName.Review]!.concurrency;

/**
 * An assessment storm for one account never starves anyone else's ticket (docs/security.md #31): 300
 * requests for one account from 300 addresses, then 20 requests for other accounts. The review queue is
 * paused while they arrive, so all of it is waiting at once (as when requests come faster than the
 * workers), then let go; the order is read from the assessments' ids, in the order they were stored.
 */
describe('an assessment storm for one account', () => {
  let t: TestApp;
  let review: Queue;

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h' });
    await seedDirectory(t, [makeAccount({ username: 'stormy' }), ...Array.from({ length: UNRELATED }, (_, i) => makeAccount({ username: `calm-${i}` }))]);
    review = t.app.get<Queue>(getQueueToken(QueueName.Review), { strict: false });
  });
  afterAll(async () => {
    await review?.resume();
    await t?.close();
  });

  it(`assesses ${UNRELATED} unrelated tickets before the backlog of ${RIVALS} rivals drains, and leaves every rival assessed as a rival`, async () => {
    await review.pause();
    const submit = async (username: string, contact: string) =>
      (
        await request(t.server)
          .post('/api/v1/tickets')
          .send(makeTicketBody({ username, contact_email: contact }))
          .expect(201)
      ).body.reference as string;
    const intakeStarted = Date.now();
    const rivals: string[] = [];
    for (let i = 0; i < RIVALS; i++) rivals.push(await submit('stormy', `storm-${i}@elsewhere.example`));
    const intakeMs = Date.now() - intakeStarted;
    const unrelated: string[] = [];
    // Each from a domain of its own: twenty requests for twenty accounts from one rare domain would be a
    // takeover campaign, whose members are assessed again (docs/evidence.md, "Coordinated requests").
    for (let i = 0; i < UNRELATED; i++) unrelated.push(await submit(`calm-${i}`, `calm@home-${i}.example`));

    // Every assessment request is in Redis before the workers may start.
    await expectEventually(async () =>
      expect(await t.dataSource.getRepository(OutboxMessage).countBy({ topic: OutboxTopic.Assess, publishedAt: IsNull() })).toBe(0),
    );
    const counts = await review.getJobCounts('prioritized');
    // The rivals' lane: every rival but perhaps the first (published before it had a rival), and the first's re-assessment.
    expect(counts.prioritized).toBeGreaterThanOrEqual(RIVALS);
    const lane = await review.getJobs(['prioritized'], 0, 0);
    expect(lane[0].opts.priority).toBe(RIVAL_LANE_PRIORITY);

    const drainStarted = Date.now();
    await review.resume();
    await pipelineSettled(t);
    const drainMs = Date.now() - drainStarted;

    const tickets = await t.dataSource.getRepository(Ticket).findBy({ reference: In([...rivals, ...unrelated]) });
    const idOf = new Map(tickets.map((ticket) => [ticket.reference, ticket.id]));
    const rivalIds = new Set(rivals.map((r) => idOf.get(r)!));
    const unrelatedIds = new Set(unrelated.map((r) => idOf.get(r)!));
    const assessments = await t.dataSource.getRepository(AssessmentRecord).find({ order: { id: 'ASC' } });
    const order = assessments.map((a) => (unrelatedIds.has(a.ticketId) ? 'unrelated' : rivalIds.has(a.ticketId) ? 'rival' : 'other'));
    expect(order.filter((o) => o === 'unrelated')).toHaveLength(UNRELATED);
    expect(order.filter((o) => o === 'rival')).toHaveLength(RIVALS + 1); // each rival once, the first once more as a rival
    const lastUnrelated = order.lastIndexOf('unrelated');
    // Before the last unrelated assessment: the first rival's own, and at most what the other workers took
    // meanwhile. First in, first out, all 300 rivals would have come first.
    const rivalsBefore = order.slice(0, lastUnrelated).filter((o) => o === 'rival').length;
    expect(rivalsBefore).toBeLessThanOrEqual(1 + (CONCURRENCY - 1));

    // Every rival's latest assessment shows the rivalry, and every rival is in the queue.
    const latest = new Map<string, AssessmentRecord>();
    for (const a of assessments) latest.set(a.ticketId, a);
    for (const id of rivalIds) expect(latest.get(id)?.riskFlags).toContain('competing_requests');
    for (const ticket of tickets) {
      expect(ticket.state).toBe(TicketState.AwaitingReview);
      expect(ticket.assessedAt).toBeInstanceOf(Date);
    }
    expect(tickets.filter((ticket) => rivalIds.has(ticket.id)).every((ticket) => ticket.riskFlags?.includes(' competing_requests '))).toBe(true);

    // Figures for docs/performance.md (not asserted: no timed assertions in tests).
    process.stdout.write(
      `assessment storm (${t.dataSource.options.type}): ${RIVALS} rival tickets taken in ${intakeMs} ms; ` +
        `${assessments.length} assessments (${RIVALS + 1} rival, ${UNRELATED} unrelated) done in ${drainMs} ms after the queue resumed; ` +
        `${rivalsBefore} rival assessments before the last unrelated one\n`,
    );
  });

  it('leaves a request it cannot read in the default lane rather than stop the relay', async () => {
    const rival = await t.dataSource.getRepository(Ticket).findOneByOrFail({ usernameKey: 'stormy', competing: true });
    const calm = await t.dataSource.getRepository(Ticket).findOneByOrFail({ usernameKey: 'calm-0' });
    const row = (id: string, payload: string | null) => ({ id, topic: OutboxTopic.Assess, payload });
    const priorities = await t.app
      .get(AssessmentLanes)
      .prioritiesOf([
        row('rival', JSON.stringify({ ticketId: rival.id, trigger: 'message' })),
        row('calm', JSON.stringify({ ticketId: calm.id, trigger: 'submitted' })),
        row('garbled', '{"ticketId":'),
        row('empty', null),
        { id: 'mail', topic: OutboxTopic.Mail, payload: 'sealed' },
      ]);
    expect([...priorities]).toEqual([['rival', RIVAL_LANE_PRIORITY]]);
  });
});
