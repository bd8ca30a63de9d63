import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeTicketBody } from './support/factories.js';
import { DisposableRedis } from './support/redis-server.js';
import { EVENTUALLY_MS, expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { QueueName, dispatchJobId } from '../src/jobs/job.constants.js';
import { OutboxMessage, OutboxTopic } from '../src/jobs/outbox.entity.js';

describe('when Redis goes away', () => {
  const redis = new DisposableRedis();
  let t: TestApp;

  beforeAll(async () => {
    await redis.start();
    t = await startTestApp({ REDIS_URL: redis.url, INTAKE_RATE_LIMIT: '1' });
  });
  afterAll(async () => {
    await redis.start(); // BullMQ closes cleanly only with Redis there
    await t.close();
    await redis.stop();
  });

  it('is ready while the database and Redis answer', async () => {
    const res = await request(t.server).get('/health/ready').expect(200);
    expect(res.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    await request(t.server).get('/health').expect(200);
  });

  it('still accepts tickets without Redis, reports not ready, and mails, assesses and queues them once Redis is back', async () => {
    await redis.stop();
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body.details.redis.status).toBe('down');
    await request(t.server).get('/health').expect(200);

    // the rate limit (1/h) lives in Redis: without it, requests are let through rather than lost
    const first = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ contact_email: 'outage1@example.org' }))
      .expect(201);
    const second = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ contact_email: 'outage2@example.org' }))
      .expect(201);
    expect(await t.dataSource.getRepository(Ticket).count()).toBe(2);
    // per ticket: its acknowledgement and its assessment request, both waiting in the outbox
    const waiting = await t.dataSource.getRepository(OutboxMessage).find();
    expect(waiting.map((row) => row.topic).sort()).toEqual([OutboxTopic.Assess, OutboxTopic.Assess, OutboxTopic.Mail, OutboxTopic.Mail]);
    expect(waiting.every((row) => row.processedAt === null)).toBe(true);
    expect(await t.dataSource.getRepository(AssessmentRecord).count()).toBe(0);
    expect(readMails(t.mailDir)).toHaveLength(0);

    await redis.start();
    const mails = await expectEventually(
      () => {
        const found = readMails(t.mailDir);
        expect(found).toHaveLength(2);
        return found;
      },
      EVENTUALLY_MS,
      200,
    );
    expect(mails.map((m) => statusTokenIn(m.text)).sort()).toEqual([statusTokenIn(first.body.status_url), statusTokenIn(second.body.status_url)].sort());
    await expectEventually(async () => expect(await t.dataSource.getRepository(AssessmentRecord).count()).toBe(2), EVENTUALLY_MS, 200);
    // …and they enter the moderators' queue: routed, with a dispatch job each.
    const dispatch = t.app.get<Queue>(getQueueToken(QueueName.Dispatch));
    await expectEventually(
      async () => {
        const tickets = await t.dataSource.getRepository(Ticket).find();
        expect(tickets.map((x) => x.state)).toEqual([TicketState.AwaitingReview, TicketState.AwaitingReview]);
        for (const ticket of tickets) expect(await dispatch.getJob(dispatchJobId(ticket.id))).toBeTruthy();
      },
      EVENTUALLY_MS,
      200,
    );
    await expectEventually(() => request(t.server).get('/health/ready').expect(200), EVENTUALLY_MS, 200);
  });
});
