import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { insertRows } from '../src/database/transactions.js';
import { ReconcilerService } from '../src/review-queue/reconciler.service.js';
import { Ticket, TicketAccessToken, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from './support/factories.js';
import { moderator, REVIEW_TOKEN } from './support/review-api.js';
import { EVENTUALLY_MS, expectEventually, flushPrefix, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { QueueName, dispatchJobId } from '../src/jobs/job.constants.js';
import { DispatchTier, dispatchPriority } from '../src/tickets/dispatch-order.js';
import { TimerJobs } from '../src/review-queue/timer.jobs.js';
import type { WorkflowPolicy } from '../src/tickets/ticket-workflow.js';
import { WORKFLOW_POLICY } from '../src/tickets/workflow-policy.provider.js';
import { slaColumns } from '../src/tickets/ticket-sla.js';
import { pauseSla, startSla } from '../src/sla/sla-clock.js';
import { hashToken } from '../src/common/tokens.js';
import { randomUUID } from 'node:crypto';

const HOUR = 3_600_000;

function policyFile(policy: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rd-sla-')), 'sla-policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

const queueOf = (t: TestApp, name: QueueName) => t.app.get<Queue>(getQueueToken(name));
const ticketByRef = (t: TestApp, reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
const eventsOf = (t: TestApp, ticketId: string, type?: TicketEvent['type']) =>
  t.dataSource.getRepository(TicketEvent).find({ where: { ticketId, ...(type ? { type } : {}) }, order: { id: 'ASC' } });

/** Tickets waiting for a moderator, written straight to SQL (as after a restore), then mirrored by the reconciler. */
async function storeWaiting(t: TestApp, rows: Array<Partial<Ticket>>): Promise<Ticket[]> {
  const tickets = rows.map((over, i) =>
    makeStoredTicket(i, {
      reference: `RD-Q${String(i).padStart(5, '0')}`.slice(0, 9),
      state: TicketState.AwaitingReview,
      ...over,
    }),
  );
  for (let i = 0; i < tickets.length; i += 200) await insertRows(t.dataSource.manager, Ticket, tickets.slice(i, i + 200));
  return tickets;
}

describe('review queue: work next, leases, release, escalate, reassign (staff API, real Redis)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REVIEW_API_TOKEN: REVIEW_TOKEN, RECONCILE_INTERVAL: '1h' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is closed without the right token, and names a bad moderator header or reference', async () => {
    await request(t.server).post('/api/v1/review/next').expect(401);
    await request(t.server)
      .post('/api/v1/review/next')
      .set('Authorization', 'Bearer wrong-token-wrong-token-wrong-token')
      .set('X-Moderator', 'ann')
      .expect(401);
    const bad = await request(t.server).post('/api/v1/review/next').set('Authorization', `Bearer ${REVIEW_TOKEN}`).set('X-Moderator', 'Ann Smith').expect(400);
    expect(JSON.stringify(bad.body)).toContain('X-Moderator');
    const badRef = await moderator(t, 'ann').release('not-a-ref').expect(400);
    expect(JSON.stringify(badRef.body)).toContain('reference');
    const badBody = await moderator(t, 'ann').escalate('RD-AAAAAA', '').expect(400);
    expect(JSON.stringify(badBody.body)).toContain('reason');
    await moderator(t, 'ann').next().expect(204);
  });

  it('hands out breached, then warned, then the rest oldest first; release puts a ticket back at its place', async () => {
    const now = Date.now();
    const [oldest, middle, newest, warned, breached] = await storeWaiting(t, [
      { createdAt: new Date(now - 5 * HOUR) },
      { createdAt: new Date(now - 4 * HOUR) },
      { createdAt: new Date(now - 3 * HOUR) },
      { createdAt: new Date(now - 2 * HOUR), slaLevel: 'warning' },
      { createdAt: new Date(now - 1 * HOUR), slaLevel: 'breached' },
    ]);
    await t.app.get(ReconcilerService).run();
    expect((await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(breached.id)))?.priority).toBe(
      dispatchPriority(DispatchTier.Breached, breached.createdAt),
    );

    const ann = moderator(t, 'ann');
    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push((await ann.next().expect(200)).body.reference);
    expect(order).toEqual([breached.reference, warned.reference, oldest.reference]);

    const held = await ticketByRef(t, oldest.reference);
    expect(held).toMatchObject({ state: TicketState.InReview, claimedBy: 'moderator:ann' });
    expect(held.leaseExpiresAt!.getTime() - held.claimedAt!.getTime()).toBe(15 * 60_000);
    expect(held.firstRespondedAt).not.toBeNull();

    await ann.release(oldest.reference).expect(204);
    await expectEventually(async () => expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(oldest.id))).toBeTruthy());
    const bob = moderator(t, 'bob');
    expect((await bob.next().expect(200)).body.reference).toBe(oldest.reference);
    expect((await bob.next().expect(200)).body.reference).toBe(middle.reference);
    expect((await bob.next().expect(200)).body.reference).toBe(newest.reference);
    await bob.next().expect(204);
    expect((await eventsOf(t, oldest.id)).map((e) => e.type)).toEqual(['claimed', 'released', 'claimed']);
  });

  it('renews a lease for its holder only; reassign and escalate move the ticket and write the timeline', async () => {
    const [ticket] = await storeWaiting(t, [{ reference: 'RD-R00001', createdAt: new Date(Date.now() - HOUR) }]);
    await t.app.get(ReconcilerService).run();
    const [cy, dee] = [moderator(t, 'cy'), moderator(t, 'dee')];
    expect((await cy.next().expect(200)).body.reference).toBe(ticket.reference);
    const before = (await ticketByRef(t, ticket.reference)).leaseExpiresAt!;
    await new Promise((r) => setTimeout(r, 20));
    const renewed = await cy.renew(ticket.reference).expect(200);
    expect(new Date(renewed.body.lease_expires_at).getTime()).toBeGreaterThan(before.getTime());
    await dee.renew(ticket.reference).expect(409);

    await cy.reassign(ticket.reference, 'dee').expect(204);
    await cy.release(ticket.reference).expect(409);
    expect(await ticketByRef(t, ticket.reference)).toMatchObject({ claimedBy: 'moderator:dee', state: TicketState.InReview });

    await dee.escalate(ticket.reference, 'needs a senior: two people claim this account').expect(204);
    expect(await ticketByRef(t, ticket.reference)).toMatchObject({ escalated: true, claimedBy: null, state: TicketState.AwaitingReview });
    await expectEventually(async () =>
      expect((await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(ticket.id)))?.priority).toBe(dispatchPriority(DispatchTier.Breached, ticket.createdAt)),
    );
    expect((await moderator(t, 'eve').next().expect(200)).body.reference).toBe(ticket.reference);
    const types = (await eventsOf(t, ticket.id)).map((e) => e.type);
    expect(types).toEqual(['claimed', 'reassigned', 'escalated', 'claimed']);
  });
});

describe('the pipeline and SLA timers (short policy, real clock, real Redis)', () => {
  let t: TestApp;
  let hook: Server;
  const hooked: Array<Record<string, unknown>> = [];
  const BOB = makeAccount({
    username: 'bob-rq',
    emails: [{ address: 'bob@home.example', verified: true, primary: true, public: false, added_at: '2018-01-01T00:00:00Z', removed_at: null }],
    two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 4 },
  });
  const CAROL = makeAccount({ username: 'carol-rq' });

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooked.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    t = await startTestApp({
      REVIEW_API_TOKEN: REVIEW_TOKEN,
      LEASE_DURATION: '1500ms',
      RECONCILE_INTERVAL: '1h',
      OPS_EMAIL: 'ops@desk.example',
      SLA_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      SLA_POLICY_FILE: policyFile({ default: { first_response: '3s', decision: '5s', warn_at: 0.5 } }),
    });
    await seedDirectory(t, [BOB, CAROL]);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => hook?.close(r));
  });

  const submit = async (body: Record<string, unknown>) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  };

  it('routes a new ticket into the queue with its deadlines, then warns and breaches each clock once, telling ops', async () => {
    const { reference } = await submit({ username: 'carol-rq', contact_email: 'carol@new.example' });
    const routed = await expectEventually(async () => {
      const ticket = await ticketByRef(t, reference);
      expect(ticket.state).toBe(TicketState.AwaitingReview);
      return ticket;
    });
    expect(routed.responseDueAt!.getTime() - routed.createdAt.getTime()).toBe(3000);
    expect(routed.decisionDueAt!.getTime() - routed.createdAt.getTime()).toBe(5000);
    // The dispatch job follows the commit (a sync outbox row, then the review worker): wait for it.
    await expectEventually(async () => expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(routed.id))).toBeTruthy());

    await expectEventually(async () => expect((await ticketByRef(t, reference)).slaDecisionLevel).toBe('breached'), EVENTUALLY_MS, 100);
    const sla = (await eventsOf(t, routed.id)).filter((e) => e.type.startsWith('sla_')).map((e) => `${e.type}:${e.data.clock as string}`);
    expect(sla.sort()).toEqual(['sla_breached:decision', 'sla_breached:response', 'sla_warning:decision', 'sla_warning:response']);
    const breached = await ticketByRef(t, reference);
    expect(breached).toMatchObject({ slaLevel: 'breached', slaNextAt: null });
    // Breached tickets go to the top of the queue.
    await expectEventually(async () =>
      expect((await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(routed.id)))?.priority).toBe(dispatchPriority(DispatchTier.Breached, routed.createdAt)),
    );
    await expectEventually(() =>
      expect(readMails(t.mailDir).filter((m) => m.to.includes('ops@desk.example') && m.subject.includes(reference))).toHaveLength(2),
    );
    await expectEventually(() =>
      expect(
        hooked
          .filter((h) => h.reference === reference)
          .map((h) => h.clock)
          .sort(),
      ).toEqual(['decision', 'response']),
    );

    // A timer that fires again (a retry, a second worker) changes nothing.
    const sla2 = t.app.get(TimerJobs);
    expect(await Promise.all([sla2.fire(routed.id), sla2.fire(routed.id)])).toEqual([{ kind: 'nothing' }, { kind: 'nothing' }]);
    expect((await eventsOf(t, routed.id)).filter((e) => e.type.startsWith('sla_'))).toHaveLength(4);
  });

  it('routes a ticket for an account with unused recovery codes into the queue like any other; the hint goes to the address on file only', async () => {
    const { reference, token } = await submit({ username: 'bob-rq', contact_email: 'bob@new.example' });
    const routed = await expectEventually(async () => {
      const ticket = await ticketByRef(t, reference);
      expect(ticket.state).toBe(TicketState.AwaitingReview);
      return ticket;
    });
    // The risk flag stays for the moderator; the clock runs as for every ticket.
    expect(routed.riskFlags).toContain(' unused_recovery_codes ');
    expect(routed).toMatchObject({ slaPausedSince: null });
    expect(routed.responseDueAt!.getTime() - routed.createdAt.getTime()).toBe(3000);
    await expectEventually(async () => expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(routed.id))).toBeTruthy());
    const page = await request(t.server).get(`/status/${token}`).expect(200);
    expect(page.text).not.toContain('I cannot use recovery codes');
    expect(page.text).toContain('Waiting in the queue');
    const hint = await expectEventually(() => {
      const found = readMails(t.mailDir).find((m) => m.to.includes('bob@home.example') && m.subject.includes(reference));
      if (!found) throw new Error('no hint mail yet');
      return found;
    });
    expect(hint.subject).toContain('you can sign in with a recovery code');
    expect(
      readMails(t.mailDir)
        .filter((m) => m.to.includes('bob@new.example'))
        .map((m) => m.subject),
    ).toEqual([`[${reference}] We received your account recovery request`]);
  });

  it('a ticket answered "use a recovery code" before every ticket was queued can still be contested, its paused time not counted', async () => {
    // Such tickets exist only as data from before: written straight to SQL, as the routing left them.
    const targets = t.app.get<WorkflowPolicy>(WORKFLOW_POLICY).targetsFor('lost_2fa');
    const createdAt = new Date(Date.now() - HOUR);
    const paused = pauseSla(startSla(createdAt, targets), createdAt, targets);
    const [legacy] = await storeWaiting(t, [
      {
        reference: 'RD-L00001',
        username: 'bob-rq',
        usernameKey: 'bob-rq',
        contactEmail: 'bob@legacy.example',
        openKey: 'bob-rq|bob@legacy.example',
        state: TicketState.AwaitingRequester,
        createdAt,
        ...slaColumns(paused),
      },
    ]);
    const token = 'L'.repeat(43);
    await insertRows(t.dataSource.manager, TicketAccessToken, {
      id: randomUUID(),
      ticketId: legacy.id,
      tokenHash: hashToken(token),
      createdAt,
      revokedAt: null,
    });
    await insertRows(t.dataSource.manager, TicketEvent, {
      ticketId: legacy.id,
      type: 'recovery_codes_answer',
      actor: 'system',
      public: true,
      data: {},
      createdAt,
    } as never);
    expect((await request(t.server).get(`/status/${token}`).expect(200)).text).toContain('I cannot use recovery codes');

    await request(t.server).post(`/status/${token}/contest`).type('form').send({}).expect(303);
    const queued = await ticketByRef(t, legacy.reference);
    expect(queued.state).toBe(TicketState.AwaitingReview);
    expect(queued.slaPauses).toHaveLength(1);
    const pausedMs = new Date(queued.slaPauses[0].to).getTime() - new Date(queued.slaPauses[0].from).getTime();
    expect(pausedMs).toBeGreaterThanOrEqual(HOUR);
    expect(queued.responseDueAt!.getTime()).toBe(queued.createdAt.getTime() + 3000 + pausedMs);
    await expectEventually(async () => expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(queued.id))).toBeTruthy());
    await request(t.server).post(`/status/${token}/contest`).type('form').send({}).expect(409);
    expect((await request(t.server).get(`/status/${token}`)).text).not.toContain('I cannot use recovery codes');
  });

  it('puts a ticket back when its lease runs out, and withdrawing clears its jobs', async () => {
    const { reference, token } = await submit({ username: 'carol-rq', contact_email: 'carol@lease.example' });
    await expectEventually(async () => expect((await ticketByRef(t, reference)).state).toBe(TicketState.AwaitingReview));
    const fay = moderator(t, 'fay');
    const claimed = await expectEventually(async () => {
      const res = await fay.next().expect(200);
      return res.body.reference as string;
    });
    // Other tickets may wait too; take until ours is held.
    let held = claimed;
    while (held !== reference) held = (await fay.next().expect(200)).body.reference;
    const ticket = await ticketByRef(t, reference);
    await expectEventually(
      async () => {
        const back = await ticketByRef(t, reference);
        expect(back).toMatchObject({ state: TicketState.AwaitingReview, claimedBy: null });
      },
      EVENTUALLY_MS,
      100,
    );
    const expired = await eventsOf(t, ticket.id, 'lease_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0].data.held_by).toBe('moderator:fay');
    await expectEventually(async () => expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(ticket.id))).toBeTruthy());

    await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
    await expectEventually(async () => {
      expect(await queueOf(t, QueueName.Dispatch).getJob(dispatchJobId(ticket.id))).toBeFalsy();
      const timers = await queueOf(t, QueueName.Timers).getRanges(['delayed', 'waiting', 'prioritized'], 0, -1);
      expect(timers.filter((id) => id.includes(ticket.id))).toEqual([]);
    });
    expect(await ticketByRef(t, reference)).toMatchObject({ state: TicketState.Withdrawn, slaNextAt: null });
  });

  it('reopens a denied ticket into a new decision cycle counted from the reopening', async () => {
    const { reference } = await submit({ username: 'carol-rq', contact_email: 'carol@reopen.example' });
    const routed = await expectEventually(async () => {
      const ticket = await ticketByRef(t, reference);
      expect(ticket.state).toBe(TicketState.AwaitingReview);
      return ticket;
    });
    await t.dataSource
      .getRepository(Ticket)
      .update({ id: routed.id }, { state: TicketState.Denied, openKey: null, closedAt: new Date(), decidedAt: new Date() });
    await moderator(t, 'gus').reopen(reference, 'the requester sent new evidence by mail').expect(204);
    const reopened = await ticketByRef(t, reference);
    expect(reopened).toMatchObject({ state: TicketState.AwaitingReview, slaCycle: 2, closedAt: null, slaDecisionLevel: 'on_time' });
    expect(reopened.decisionDueAt!.getTime()).toBe(reopened.slaCycleStartedAt!.getTime() + 5000);
    await moderator(t, 'gus').reopen(reference, 'again').expect(409);
  });
});

describe('losing Redis: the reconciler rebuilds every job and timer from SQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      RECONCILE_INTERVAL: '2s',
      SLA_POLICY_FILE: policyFile({ default: { first_response: '1h', decision: '2h', warn_at: 0.9 } }),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it(
    'has all 1,000 dispatch jobs and timers back after a flush, and fires the deadlines that passed as breaches',
    async () => {
      const sla = t.app.get<WorkflowPolicy>(WORKFLOW_POLICY);
      const now = Date.now();
      // 100 tickets (warned already) whose response deadline passes 8 s from now, while Redis is empty;
      // 900 far from theirs. Nothing fires before the flush.
      const rows = Array.from({ length: 1000 }, (_, i) => {
        const soon = i < 100;
        const createdAt = new Date(soon ? now - HOUR + 8000 : now - i * 1000);
        const clock = slaColumns(startSla(createdAt, sla.targetsFor('lost_2fa')));
        const warned = { slaResponseLevel: 'warning', slaDecisionLevel: 'warning', slaLevel: 'warning', slaNextAt: clock.responseDueAt } as const;
        return { reference: `RD-F${String(i).padStart(5, '0')}`.slice(0, 9), createdAt, ...clock, ...(soon ? warned : {}) };
      });
      const tickets = await storeWaiting(t, rows);
      const reconciler = t.app.get(ReconcilerService);
      await reconciler.run();
      const dispatch = queueOf(t, QueueName.Dispatch);
      const timers = queueOf(t, QueueName.Timers);
      expect(await dispatch.getPrioritizedCount()).toBe(1000);
      expect((await timers.getRanges(['delayed', 'waiting', 'prioritized'], 0, -1)).length).toBeGreaterThanOrEqual(900);

      await flushPrefix(t.env.REDIS_URL, t.env.REDIS_PREFIX);
      // (Only a reconciler pass that listed Redis after the flush could have refilled it this quickly.)
      expect(await dispatch.getPrioritizedCount()).toBeLessThan(1000);

      const soon = tickets.slice(0, 100).map((x) => x.id);
      await expectEventually(
        async () => {
          expect(await dispatch.getPrioritizedCount()).toBe(1000);
          const armed = new Set(await timers.getRanges(['delayed', 'waiting', 'prioritized', 'active'], 0, -1));
          const open = await t.dataSource.getRepository(Ticket).find({ select: { id: true, slaNextAt: true } });
          const missing = open.filter((x) => x.slaNextAt && !armed.has(`sla-${x.id}-${x.slaNextAt.getTime()}`));
          expect(missing).toHaveLength(0);
          const breaches = await t.dataSource.getRepository(TicketEvent).count({ where: { type: 'sla_breached' } });
          expect(breaches).toBe(100);
        },
        3 * EVENTUALLY_MS,
        500,
      );
      const breachedIds = new Set((await t.dataSource.getRepository(TicketEvent).find({ where: { type: 'sla_breached' } })).map((e) => e.ticketId));
      expect([...breachedIds].sort()).toEqual([...soon].sort());
    },
    5 * EVENTUALLY_MS,
  );
});
