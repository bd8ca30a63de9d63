import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { In, IsNull, Not, type DataSource } from 'typeorm';
import { JobName, QueueName } from '../../src/jobs/job.constants.js';
import { OutboxMessage, OutboxTopic } from '../../src/jobs/outbox.entity.js';
import { desiredJobs } from '../../src/tickets/dispatch-order.js';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../../src/tickets/ticket-state.js';
import { makeTicketBody } from '../support/factories.js';
import { DisposableRedis } from '../support/redis-server.js';
import { REVIEW_TOKEN } from '../support/review-api.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { disposeEnv, EVENTUALLY_MS, expectEventually, isolatedEnv } from '../support/test-app.js';
import { type AppProcess, databaseKind, openDatabase, startProcess, stopProcess } from './fault-processes.js';

/**
 * docs/security.md #25 and #26: the app's Redis (a private redis-server, no persistence) loses everything,
 * once by FLUSHALL and once by being killed and started again empty, under a web and a worker process
 * (`node dist/main.js`). Requesters keep filing throughout, one request after another: every one is
 * answered 201 (without Redis the intake commits to SQL and its outbox waits). Within 60 s of Redis being
 * back, every job SQL calls for is in Redis again: each open ticket's dispatch job, SLA timer and lease
 * expiry, the periodic job schedulers, and a job for every mail still waiting in the outbox (the SMTP
 * server is away meanwhile, so mail stays pending); once it is back, every mail is delivered exactly once.
 */

const STARTING_TICKETS = 30;
const CLAIMED = 5;
const PERIODIC = [JobName.CloseUnanswered, JobName.WeeklySummary, JobName.Calibrate].sort();
/** Redis back, everything back within this (docs/security.md #26). */
const RESTORE_MS = 60_000;

describe(`Redis loses its data under the running processes (${databaseKind()})`, () => {
  const redis = new DisposableRedis();
  const smtp = new SmtpSink();
  let env: Record<string, string>;
  const processes: AppProcess[] = [];
  let web: AppProcess;
  let ds: DataSource;
  let worker: AppProcess;
  let queues: { dispatch: Queue; timers: Queue; mail: Queue; periodic: Queue };
  const figures: string[] = [];

  beforeAll(async () => {
    await redis.start();
    await smtp.start();
    env = isolatedEnv({
      REDIS_URL: redis.url,
      DEMO_DATA: 'false',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      REVIEW_API_TOKEN: REVIEW_TOKEN,
      RECONCILE_INTERVAL: '5s',
      WEEKLY_SUMMARY: 'true',
      CLOSE_UNANSWERED_AFTER: '30d',
      // A real limit, far above what the test sends: the limiter is asked (in Redis) on every request.
      INTAKE_RATE_LIMIT: '100000',
      INTAKE_USERNAME_RATE_LIMIT: '100000',
    });
    web = await startProcess('web', 'web', env);
    worker = await startProcess('worker', 'worker', env);
    processes.push(web, worker);
    ds = await openDatabase(env);
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const queue = (name: QueueName) => new Queue(name, { connection, prefix: env.REDIS_PREFIX });
    queues = { dispatch: queue(QueueName.Dispatch), timers: queue(QueueName.Timers), mail: queue(QueueName.Mail), periodic: queue(QueueName.Periodic) };
  }, 3 * EVENTUALLY_MS);

  afterAll(async () => {
    console.log([`Redis loss on ${databaseKind()}:`, ...figures.map((f) => `  ${f}`)].join('\n'));
    await redis.start(); // BullMQ closes cleanly only with Redis there
    await Promise.all(Object.values(queues ?? {}).map((q) => q.close()));
    await ds?.destroy();
    for (const p of processes) await stopProcess(p);
    if (env) await disposeEnv(env);
    await redis.stop();
    await smtp.stop();
  }, 2 * EVENTUALLY_MS);

  let filed = 0;
  const post = async (tag: string) => {
    filed++;
    const res = await fetch(`${web.base}/api/v1/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeTicketBody({ username: `redis-${tag}-${filed}`, contact_email: `redis-${tag}-${filed}@example.org` })),
    });
    return { status: res.status, text: await res.text() };
  };

  /**
   * Files requests one after another until stopped; `while` tells which phase each answer fell in. Every
   * answer must be 201. The pause between two requests is the requesters' pace, not a wait for a state.
   */
  function keepFiling(tag: string) {
    const answers: Array<{ status: number; text: string; phase: string }> = [];
    let phase = 'before';
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        answers.push({ ...(await post(tag)), phase });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return {
      answers,
      setPhase: (p: string) => (phase = p),
      count: (p: string) => answers.filter((a) => a.phase === p).length,
      stop: async () => {
        stopped = true;
        await loop;
        return answers;
      },
    };
  }

  /** What SQL calls for and Redis lacks: jobs of open tickets, periodic schedulers, jobs of waiting mail. */
  async function missingFromRedis(): Promise<string[]> {
    const missing: string[] = [];
    const present = new Set<string>();
    for (const q of [queues.dispatch, queues.timers]) {
      for (const id of await q.getRanges(['prioritized', 'waiting', 'delayed', 'active'], 0, -1)) present.add(`${q.name}:${id}`);
    }
    const open = await ds.getRepository(Ticket).find({ where: { state: In([...OPEN_STATES]) } });
    for (const spec of open.flatMap((t) => desiredJobs(t, false))) {
      if (!present.has(`${spec.queue}:${spec.id}`)) missing.push(`${spec.queue}:${spec.id}`);
    }
    const schedulers = (await queues.periodic.getJobSchedulers(0, -1)).map((s) => s.key).sort();
    for (const name of PERIODIC) if (!schedulers.includes(name)) missing.push(`scheduler ${name}`);
    const waitingMail = await ds.getRepository(OutboxMessage).find({ where: { topic: OutboxTopic.Mail, processedAt: IsNull() }, select: { id: true } });
    for (const { id } of waitingMail) if (!(await queues.mail.getJob(id))) missing.push(`mail:${id}`);
    return missing;
  }

  /** Every ticket assessed and routed (nothing is left in `submitted`), and every outbox row but mail processed. */
  async function pipelineSettled(): Promise<void> {
    expect(await ds.getRepository(Ticket).countBy({ state: TicketState.Submitted })).toBe(0);
    expect(await ds.getRepository(OutboxMessage).countBy({ topic: Not(OutboxTopic.Mail), processedAt: IsNull() })).toBe(0);
  }

  /**
   * Polls (never a bare sleep) until nothing is missing and the pipeline settled; returns how long that
   * took. The worker's log since `logFrom` must show a reconciler pass that set the schedulers and the
   * waiting mail again: what is back was put back, not left over.
   */
  async function everythingBack(from: number, logFrom: number): Promise<number> {
    await expectEventually(
      async () => {
        await pipelineSettled();
        expect(await missingFromRedis()).toEqual([]);
      },
      RESTORE_MS,
      250,
    );
    const ms = Date.now() - from;
    const log = worker.output().slice(logFrom);
    // Redis came back empty, so every scheduler there was put back by a reconciler pass. A pass that runs
    // while Redis is coming back may set one and fail before it logs, so the logged passes together name
    // at least one of them, and nothing else.
    const restored = new Set(
      [...log.matchAll(/"schedulersRestored":\[([^\]]*)\]/g)].flatMap((m) =>
        m[1]
          .split(',')
          .filter(Boolean)
          .map((n) => JSON.parse(n) as string),
      ),
    );
    expect(restored.size).toBeGreaterThan(0);
    for (const name of restored) expect(PERIODIC).toContain(name);
    expect(log).toMatch(/"outboxRepublished":[1-9]/);
    return ms;
  }

  /** Starts the SMTP server, waits for every mail row to be processed, and checks each was delivered exactly once. */
  async function mailDeliveredOnce(): Promise<number> {
    await smtp.start();
    await expectEventually(
      async () => expect(await ds.getRepository(OutboxMessage).countBy({ topic: OutboxTopic.Mail, processedAt: IsNull() })).toBe(0),
      RESTORE_MS,
      250,
    );
    const rows = await ds.getRepository(OutboxMessage).find({ where: { topic: OutboxTopic.Mail }, select: { id: true } });
    const ids = smtp.messages.map((m) => /Message-ID: <([^@>]+)@recovery-desk>/i.exec(m.data)?.[1]);
    const times = new Map<string | undefined, number>();
    for (const id of ids) times.set(id, (times.get(id) ?? 0) + 1);
    expect(rows.filter((r) => times.get(r.id) !== 1).map((r) => ({ id: r.id, delivered: times.get(r.id) ?? 0 }))).toEqual([]);
    expect(ids).toHaveLength(rows.length);
    return rows.length;
  }

  it(
    'before any fault: tickets waiting and claimed, every job in Redis, mail waiting for the SMTP server',
    async () => {
      await smtp.stop(); // the mail server is away: acknowledgements wait in the outbox, retried by their jobs
      for (let i = 0; i < STARTING_TICKETS; i++) expect((await post('start')).status).toBe(201);
      await expectEventually(pipelineSettled, EVENTUALLY_MS, 250);
      for (let i = 0; i < CLAIMED; i++) {
        const res = await fetch(`${web.base}/api/v1/review/next`, {
          method: 'POST',
          headers: { authorization: `Bearer ${REVIEW_TOKEN}`, 'x-moderator': `mod-${i}` },
        });
        expect(res.status).toBe(200);
      }
      await expectEventually(async () => expect(await missingFromRedis()).toEqual([]), EVENTUALLY_MS, 250);
      expect(await ds.getRepository(OutboxMessage).countBy({ topic: OutboxTopic.Mail, processedAt: IsNull() })).toBe(STARTING_TICKETS);
      expect(await ds.getRepository(Ticket).countBy({ state: TicketState.InReview })).toBe(CLAIMED);
    },
    3 * EVENTUALLY_MS,
  );

  it(
    'FLUSHALL: intake answers 201 throughout, and every job, timer, scheduler and waiting mail is back within 60 s',
    async () => {
      const filing = keepFiling('flush');
      await expectEventually(() => expect(filing.count('before')).toBeGreaterThanOrEqual(3), EVENTUALLY_MS, 50);
      const admin = new Redis(redis.url);
      const logFrom = worker.output().length;
      const flushedAt = Date.now();
      filing.setPhase('after the flush');
      await admin.flushall();
      admin.disconnect();
      await expectEventually(() => expect(filing.count('after the flush')).toBeGreaterThanOrEqual(3), EVENTUALLY_MS, 50);
      const answers = await filing.stop();
      expect(answers.filter((a) => a.status !== 201)).toEqual([]);
      const ms = await everythingBack(flushedAt, logFrom);
      const mails = await mailDeliveredOnce();
      await smtp.stop();
      figures.push(
        `FLUSHALL: ${answers.length} requests during it, all 201; everything back ${(ms / 1000).toFixed(1)} s after the flush; ${mails} mails so far, each delivered once`,
      );
    },
    4 * EVENTUALLY_MS,
  );

  it(
    'Redis killed and started again empty: intake answers 201 while it is away, and everything is back within 60 s',
    async () => {
      const filing = keepFiling('kill');
      await expectEventually(() => expect(filing.count('before')).toBeGreaterThanOrEqual(3), EVENTUALLY_MS, 50);
      filing.setPhase('while away');
      const logFrom = worker.output().length;
      await redis.stop(); // SIGKILL; no persistence, so it comes back empty
      await expectEventually(() => expect(filing.count('while away')).toBeGreaterThanOrEqual(10), EVENTUALLY_MS, 50);
      expect((await fetch(`${web.base}/health/ready`)).status).toBe(503);
      await redis.start();
      const backAt = Date.now();
      filing.setPhase('after the restart');
      await expectEventually(() => expect(filing.count('after the restart')).toBeGreaterThanOrEqual(3), EVENTUALLY_MS, 50);
      const answers = await filing.stop();
      expect(answers.filter((a) => a.status !== 201)).toEqual([]);
      const ms = await everythingBack(backAt, logFrom);
      const mails = await mailDeliveredOnce();
      await expectEventually(async () => expect((await fetch(`${web.base}/health/ready`)).status).toBe(200), EVENTUALLY_MS, 250);
      const tickets = await ds.getRepository(Ticket).count();
      expect(tickets).toBe(filed);
      figures.push(
        `killed and restarted: ${answers.length} requests (${answers.filter((a) => a.phase === 'while away').length} while Redis was away), all 201; ` +
          `everything back ${(ms / 1000).toFixed(1)} s after the restart; ${tickets} tickets, ${mails} mails, each delivered once`,
      );
      for (const p of processes)
        expect({ name: p.name, exit: p.child.exitCode, signal: p.child.signalCode }).toEqual({ name: p.name, exit: null, signal: null });
    },
    4 * EVENTUALLY_MS,
  );
});
