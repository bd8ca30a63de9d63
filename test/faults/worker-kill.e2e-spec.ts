import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { IsNull } from 'typeorm';
import { AuditEntry } from '../../src/audit/audit-entry.entity.js';
import { QueueName, slaTimerId, coolingOffTimerId } from '../../src/jobs/job.constants.js';
import { OutboxMessage, OutboxTopic } from '../../src/jobs/outbox.entity.js';
import { DecisionsService } from '../../src/moderation/decisions.service.js';
import { ReviewService } from '../../src/review-queue/review.service.js';
import { Recovery } from '../../src/tickets/recovery.entity.js';
import { Ticket, TicketEvent } from '../../src/tickets/ticket.entity.js';
import { TicketState } from '../../src/tickets/ticket-state.js';
import { makeAccount, makeTicketBody, seedDirectory } from '../support/factories.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { EVENTUALLY_MS, expectEventually, startTestApp, type TestApp } from '../support/test-app.js';
import { type AppProcess, databaseKind, killHard, startProcess, stopProcess } from './fault-processes.js';

/**
 * docs/security.md #23: a worker process (`node dist/main.js`, ROLE=worker) SIGKILLed in the middle of a
 * job, at a known point, then started again. The web is an in-process app (ROLE=web) on the same database
 * and Redis; only the worker is killed.
 *
 * - Mail: the SMTP server holds its reply to the message's end (the DATA phase) until the worker is
 *   dead, so the server never took the message; after the restart it is delivered exactly once.
 * - SLA breach and reset link: TEST_PAUSE_BEFORE_COMMIT holds the job's transaction open with its writes
 *   made (the breach line and the ops mail; the link, its timeline line and audit entry); the kill rolls
 *   them back, and after the restart there is exactly one of each.
 *
 * A killed job is BullMQ's "stalled" job: the restarted worker takes it again once its lock has lapsed
 * and its stalled check has seen it (JOB_LOCK_DURATION, 5 s here).
 */

const OWNER = makeAccount({
  username: 'kill-owner',
  emails: [{ address: 'owner@kill.example', verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null }],
});
/** `compromised` tickets breach their decision target 4 s after arrival; every other type has an hour. */
const SLA_POLICY = {
  default: { first_response: '1h', decision: '1h', warn_at: 0.75 },
  request_types: { compromised: { decision: '4s', warn_at: 0.5 } },
};
/** How long a scenario waits for the restarted worker to take the killed job again (far above 2 × JOB_LOCK_DURATION). */
const RETRY_WAIT_MS = EVENTUALLY_MS;

describe(`a worker SIGKILLed in the middle of a job (${databaseKind()})`, () => {
  const smtp = new SmtpSink();
  let t: TestApp;
  let policyDir: string;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    await smtp.start();
    policyDir = mkdtempSync(join(tmpdir(), 'rd-fault-policy-'));
    writeFileSync(join(policyDir, 'sla-policy.json'), JSON.stringify(SLA_POLICY));
    t = await startTestApp({
      ROLE: 'web',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SLA_POLICY_FILE: join(policyDir, 'sla-policy.json'),
      COOLING_OFF: '2s',
      COOLING_OFF_LONG: '2s',
      RECONCILE_INTERVAL: '2s',
      OPS_EMAIL: 'ops@desk.example',
      // A killed worker's job is taken again 5 to 10 s after the kill, not 30 to 60 s (the default 30 s lock).
      JOB_LOCK_DURATION: '5s',
    });
    await seedDirectory(t, [OWNER]);
  });
  afterAll(async () => {
    smtp.release();
    for (const w of workers) await stopProcess(w);
    await t?.close();
    await smtp.stop();
    rmSync(policyDir, { recursive: true, force: true });
  });

  /** A worker on the web's database and Redis; `pause` names the TEST_PAUSE_BEFORE_COMMIT points. */
  const startWorker = async (name: string, pause = 'none') => {
    const w = await startProcess(name, 'worker', { ...t.env, TEST_PAUSE_BEFORE_COMMIT: pause });
    workers.push(w);
    return w;
  };
  const submit = async (body: Record<string, unknown>) =>
    (await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201)).body as { reference: string };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  /** Messages the SMTP server took for `address` whose text (quoted-printable soft breaks undone) has `containing`. */
  const delivered = (address: string, containing = '') =>
    smtp.messages.filter((m) => m.to.includes(address) && m.data.replace(/=\n/g, '').includes(containing));
  const queue = (name: QueueName) => t.app.get<Queue>(getQueueToken(name));
  /** Until BullMQ has finished with the job: completed (kept a while, or removed at once for timers) and not to be retried. */
  const jobDone = (name: QueueName, id: string) =>
    expectEventually(
      async () => {
        const job = await queue(name).getJob(id);
        if (job) expect(await job.getState()).toBe('completed');
      },
      RETRY_WAIT_MS,
      250,
    );

  it(
    'mail: killed while the mail server holds the message, it is delivered exactly once after the restart',
    async () => {
      const worker = await startWorker('worker (mail)');
      smtp.hold();
      const { reference } = await submit({ contact_email: 'mail-kill@example.org' });
      // The acknowledgement sits in the DATA phase: its end was sent, the server's reply is held.
      await expectEventually(() => expect(smtp.waiting).toBe(1), EVENTUALLY_MS, 50);
      const row = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ topic: OutboxTopic.Mail, processedAt: IsNull() });
      await killHard(worker);
      await expectEventually(() => expect(smtp.dropped.map((m) => m.to)).toEqual([['mail-kill@example.org']]), EVENTUALLY_MS, 50);
      smtp.release();
      expect(delivered('mail-kill@example.org')).toHaveLength(0);
      expect(await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: row.id })).toMatchObject({ processedAt: null });

      await startWorker('worker (mail), restarted');
      await expectEventually(() => expect(delivered('mail-kill@example.org')).toHaveLength(1), RETRY_WAIT_MS, 250);
      await jobDone(QueueName.Mail, row.id);
      const [mail] = delivered('mail-kill@example.org');
      expect(mail.data).toContain(`Subject: [${reference}]`);
      expect(mail.data).toContain(`Message-ID: <${row.id}@recovery-desk>`);
      expect(await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ id: row.id })).toMatchObject({ payload: null, lastError: null });
      expect(delivered('mail-kill@example.org')).toHaveLength(1);
      console.log(`worker kill, mail (${databaseKind()}): killed mid-DATA, 1 message dropped by the server, delivered after the restart: 1`);
    },
    4 * EVENTUALLY_MS,
  );

  it(
    'SLA breach: killed with the breach written but not committed, the ticket has exactly one breach after the restart',
    async () => {
      for (const w of workers) await stopProcess(w);
      const worker = await startWorker('worker (breach)', 'sla-breach');
      const { reference } = await submit({ contact_email: 'breach-kill@example.org', request_type: 'compromised' });
      const ticket = await ticketOf(reference);
      await expectEventually(() => expect(worker.output()).toContain('test pause: sla-breach holds its transaction open'), EVENTUALLY_MS, 100);
      // Mid-transaction: the breach is written in the worker's open transaction, so nothing of it shows yet.
      const breaches = () => t.dataSource.getRepository(TicketEvent).findBy({ ticketId: ticket.id, type: 'sla_breached' });
      expect(await breaches()).toEqual([]);
      const armedFor = (await ticketOf(reference)).slaNextAt!;
      await killHard(worker);

      await startWorker('worker (breach), restarted');
      await expectEventually(async () => expect(await breaches()).toHaveLength(1), RETRY_WAIT_MS, 250);
      await jobDone(QueueName.Timers, slaTimerId(ticket.id, armedFor));
      // The ops mail the breach queued in the same transaction: one row, one delivery.
      await expectEventually(() => expect(delivered('ops@desk.example', reference)).toHaveLength(1), RETRY_WAIT_MS, 250);
      const [line] = await breaches();
      expect(line.data).toMatchObject({ clock: 'decision' });
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ ticketId: ticket.id, action: 'sla_breached' })).toBe(1);
      expect(await breaches()).toHaveLength(1);
      expect(delivered('ops@desk.example', reference)).toHaveLength(1);
      console.log(`worker kill, SLA breach (${databaseKind()}): killed before commit, breach lines after the restart: 1, breach mails: 1`);
    },
    4 * EVENTUALLY_MS,
  );

  it(
    'reset link: killed with the link written but not committed, there is exactly one link, audit entry and mail after the restart',
    async () => {
      for (const w of workers) await stopProcess(w);
      const worker = await startWorker('worker (reset link)', 'reset-link');
      const { reference } = await submit({ username: 'kill-owner', contact_email: 'reset-kill@example.org' });
      // Assessed and routed by the worker; then a senior takes it and approves (against the recommendation: a
      // second senior agrees), through the same services the dashboard uses. The cooling-off is 2 s.
      await expectEventually(async () => expect((await ticketOf(reference)).state).toBe(TicketState.AwaitingReview), EVENTUALLY_MS, 100);
      const ticket = await ticketOf(reference);
      expect(await t.app.get(ReviewService).claim(ticket.id, 'mia')).not.toBeNull();
      const decisions = t.app.get(DecisionsService);
      const senior = (name: string) => ({ id: name, name, role: 'senior' as const, signedInAt: Date.now() });
      const { needsSecond } = await decisions.approve(
        reference,
        senior('mia'),
        {
          reset_address: 'owner@kill.example',
          override_reason: 'The owner called us from the number on the invoice.',
          code: '000000',
        },
        'totp',
      );
      if (needsSecond) await decisions.secondApproval(reference, senior('sam'), 'totp');
      const recovery = () => t.dataSource.getRepository(Recovery).findOneByOrFail({ ticketId: ticket.id });
      expect((await recovery()).state).toBe('cooling_off');
      const endsAt = (await ticketOf(reference)).coolingOffEndsAt!;

      await expectEventually(() => expect(worker.output()).toContain('test pause: reset-link holds its transaction open'), EVENTUALLY_MS, 100);
      const linkAudits = () => t.dataSource.getRepository(AuditEntry).countBy({ ticketId: ticket.id, action: 'reset_link_sent' });
      expect(await linkAudits()).toBe(0);
      expect((await recovery()).state).toBe('cooling_off');
      await killHard(worker);

      await startWorker('worker (reset link), restarted');
      await expectEventually(async () => expect((await recovery()).state).toBe('link_sent'), RETRY_WAIT_MS, 250);
      await jobDone(QueueName.Timers, coolingOffTimerId(ticket.id, endsAt));
      await expectEventually(() => expect(delivered('owner@kill.example', '/reset/')).toHaveLength(1), RETRY_WAIT_MS, 250);
      expect(await linkAudits()).toBe(1);
      expect(await t.dataSource.getRepository(TicketEvent).countBy({ ticketId: ticket.id, type: 'reset_link_sent' })).toBe(1);
      expect((await ticketOf(reference)).state).toBe(TicketState.ResetIssued);
      expect(delivered('owner@kill.example', '/reset/')).toHaveLength(1);
      console.log(`worker kill, reset link (${databaseKind()}): killed before commit, reset_link_sent audit entries after the restart: 1, link mails: 1`);
    },
    4 * EVENTUALLY_MS,
  );
});
