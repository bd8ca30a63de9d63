import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { DataSource, In, IsNull } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeTicketBody } from './support/factories.js';
import { REVIEW_TOKEN } from './support/review-api.js';
import { disposeEnv, EVENTUALLY_MS, expectEventually, isolatedEnv } from './support/test-app.js';
import { OutboxMessage } from '../src/jobs/outbox.entity.js';
import { QueueName } from '../src/jobs/job.constants.js';
import { appDataSourceOptions } from '../src/entities.js';

/**
 * Two webs and two workers (four `node dist/main.js` processes) on one database and one Redis; 20
 * moderators claim 500 tickets at once. No ticket is handed out twice, none is lost, and every SLA
 * timer fires exactly once although two workers run the timers queue.
 *
 * Nothing here depends on how fast the machine is: the moderators stop when the pipeline has settled
 * and the queue is empty (not at a wall-clock deadline), and the timers queue is paused while tickets
 * are submitted and claimed, so every timer fires on a claimed ticket however long that took.
 */

const MAIN = join(process.cwd(), 'dist/main.js');
const TICKETS = 500;
const MODERATORS = 20;
const SUBMIT_CONCURRENCY = 10;
/**
 * The decision clock runs from each ticket's arrival: its warning is due 5 s in, its breach 20 s in.
 * The timers queue stays paused until every ticket is claimed and every warning is due; then both
 * workers race for the due timers. A ticket whose breach was due too by then gets the breach alone (a
 * late timer reports no stale warning); the others get their warning, then their breach.
 */
const SLA_POLICY = { default: { first_response: '1h', decision: '20s', warn_at: 0.25 } };
/** pino's numeric levels: 50 is error, 60 fatal. */
const PINO_ERROR = 50;

type Role = 'web' | 'worker';

interface AppProcess {
  name: string;
  role: Role;
  base: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `node dist/main.js` as `npm start` would, in the test's own folder. */
async function startProcess(name: string, role: Role, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, ROLE: role, PORT: String(port) },
    cwd: env.TEST_DIR,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, role, base: `http://127.0.0.1:${port}`, child, output: () => out, exited };
}

/**
 * A web is ready when /health/ready answers 200; a worker never listens, so it is ready once it logs
 * that it started (main.ts). A process that dies while booting fails at once, with its output.
 */
async function waitReady(p: AppProcess): Promise<void> {
  const ready = expectEventually(
    async () => {
      if (p.role === 'worker') expect(p.output()).toContain('worker started (ROLE=worker)');
      else expect((await fetch(`${p.base}/health/ready`)).status).toBe(200);
    },
    EVENTUALLY_MS,
    100,
  );
  const died = p.exited.then((code) => {
    throw new Error(`${p.name} exited with ${code} while starting:\n${p.output()}`);
  });
  await Promise.race([ready, died]);
}

async function stopProcess(p: AppProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
  if ((await Promise.race([p.exited, timeout])) === 'timeout') {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}

/** The JSON log lines at error level or above (non-JSON output is kept too: a stack trace on stderr). */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    if (!line.trim()) return false;
    if (!line.startsWith('{')) return true;
    try {
      return (JSON.parse(line) as { level?: number }).level! >= PINO_ERROR;
    } catch {
      return true;
    }
  });
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let nextIndex = 0;
  const lane = async () => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/** A moderator's pause after "nobody waits": client back-off, not a wait for some state. */
const backOff = () => new Promise((r) => setTimeout(r, 100));

describe('two webs and two workers on one database and one Redis', () => {
  let env: Record<string, string>;
  const processes: AppProcess[] = [];
  let webs: AppProcess[] = [];
  let dataSource: DataSource;
  /** The app's timers queue, paused in Redis (so for both workers) while moderators claim. */
  let timersQueue: Queue;

  beforeAll(async () => {
    env = isolatedEnv({
      LOG_LEVEL: 'info',
      DEMO_DATA: 'false',
      REVIEW_API_TOKEN: REVIEW_TOKEN,
      RECONCILE_INTERVAL: '5s',
      INTAKE_RATE_LIMIT: '0',
      INTAKE_USERNAME_RATE_LIMIT: '0',
    });
    env.SLA_POLICY_FILE = join(env.TEST_DIR, 'sla-policy.json');
    writeFileSync(env.SLA_POLICY_FILE, JSON.stringify(SLA_POLICY));

    // Every process migrates on boot. On PostgreSQL an advisory lock makes them take turns; on SQLite
    // nothing does (database/migrate.ts), so the first process migrates alone before the others start.
    const first = await startProcess('web-1', 'web', env);
    processes.push(first);
    await waitReady(first);
    const rest = await Promise.all([startProcess('web-2', 'web', env), startProcess('worker-1', 'worker', env), startProcess('worker-2', 'worker', env)]);
    processes.push(...rest);
    await Promise.all(rest.map(waitReady));
    webs = [first, rest[0]];

    dataSource = await new DataSource(appDataSourceOptions(loadConfig(env).database)).initialize();
    timersQueue = new Queue(QueueName.Timers, { connection: { url: env.REDIS_URL, maxRetriesPerRequest: null }, prefix: env.REDIS_PREFIX });
  }, 3 * EVENTUALLY_MS);

  afterAll(async () => {
    await timersQueue?.close();
    await dataSource?.destroy();
    await Promise.all(processes.map(stopProcess));
    if (env) await disposeEnv(env);
  }, 60_000);

  /** The timeline lines this test looks at, for every ticket. */
  const timelines = () =>
    dataSource.getRepository(TicketEvent).find({
      where: { type: In(['claimed', 'sla_warning', 'sla_breached']) },
      select: { ticketId: true, type: true, actor: true, data: true, createdAt: true },
    });

  /** Per ticket, its lines of one type for one SLA clock (`data` is JSON text: {"clock": …}). */
  function perTicket(lines: TicketEvent[], type: string, clock: 'response' | 'decision'): Map<string, TicketEvent[]> {
    const out = new Map<string, TicketEvent[]>();
    for (const e of lines) if (e.type === type && e.data.clock === clock) out.set(e.ticketId, [...(out.get(e.ticketId) ?? []), e]);
    return out;
  }

  /**
   * Nothing left that could still reach the queue: every ticket routed and every outbox row (assessments,
   * the syncs that add dispatch jobs) processed.
   */
  const pipelineSettled = async () =>
    (await dataSource.getRepository(OutboxMessage).countBy({ processedAt: IsNull() })) === 0 &&
    (await dataSource.getRepository(Ticket).countBy({ state: TicketState.Submitted })) === 0;

  it(
    'hands each of 500 tickets to exactly one of 20 moderators, and fires every SLA timer once',
    async () => {
      await timersQueue.pause();
      // Any unexpected answer stops every loop at once and fails the test with the server's error lines.
      let stopped = false;
      const fail = async (web: AppProcess, what: string, res: Response): Promise<never> => {
        stopped = true;
        const text = await res.text();
        // The server logs its error just after answering: give the line a moment to come through.
        const logged = await expectEventually(
          () => {
            const lines = errorLines(web.output());
            if (lines.length === 0) throw new Error('not logged yet');
            return lines;
          },
          5000,
          50,
        ).catch(() => ['(no error logged)']);
        throw new Error(`${what} via ${web.name}: ${res.status} ${text}\n${logged.slice(-3).join('\n')}`);
      };

      // --- 500 new tickets, alternately on each web, 10 requests in flight.
      const submitted: string[] = [];
      let submittingDone = false;
      const submitting = inParallel(
        Array.from({ length: TICKETS }, (_, i) => i),
        SUBMIT_CONCURRENCY,
        async (i) => {
          if (stopped) return;
          const web = webs[i % 2];
          const tag = `mp${String(i).padStart(3, '0')}`;
          const res = await fetch(`${web.base}/api/v1/tickets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(makeTicketBody({ username: `user-${tag}`, contact_email: `${tag}@example.org` })),
          });
          if (res.status !== 201) await fail(web, `submitting ticket ${tag}`, res);
          submitted.push(((await res.json()) as { reference: string }).reference);
        },
      ).finally(() => {
        submittingDone = true;
      });

      // --- Meanwhile 20 moderators work the queue, each alternating between the two webs. A 204 means
      // nobody waits right now (tickets may still be in the pipeline): try again shortly. They stop when
      // all are claimed, or when a 204 comes after every ticket was submitted and the pipeline settled:
      // nothing can join the queue any more, so a ticket still unclaimed then is lost.
      const claims: Array<{ reference: string; moderator: string; body: Record<string, unknown> }> = [];
      const claimed = new Set<string>();
      let drained = false;
      const moderatorLoop = async (id: string, first: number) => {
        // After a 204, the pipeline is looked at before the next call: a 204 to that call, made once
        // everything had settled, means the queue is empty for good.
        let settledBefore = false;
        for (let call = first; !stopped && !drained && claimed.size < TICKETS; call++) {
          const web = webs[call % 2];
          const res = await fetch(`${web.base}/api/v1/review/next`, {
            method: 'POST',
            headers: { authorization: `Bearer ${REVIEW_TOKEN}`, 'x-moderator': id },
          });
          if (res.status === 204) {
            if (settledBefore) drained = true;
            else if (!(settledBefore = submittingDone && (await pipelineSettled()))) await backOff();
            continue;
          }
          settledBefore = false;
          if (res.status !== 200) await fail(web, `${id} asking for work`, res);
          const body = (await res.json()) as Record<string, unknown> & { reference: string };
          claims.push({ reference: body.reference, moderator: id, body });
          claimed.add(body.reference);
        }
      };
      const moderatorIds = Array.from({ length: MODERATORS }, (_, i) => `mod-${String(i + 1).padStart(2, '0')}`);
      const loops = [submitting, ...moderatorIds.map((id, i) => moderatorLoop(id, i))].map((loop) =>
        loop.catch((error: unknown) => {
          stopped = true;
          throw error;
        }),
      );
      // Every loop has ended before the first failure is reported: none outlives the processes.
      const failed = (await Promise.allSettled(loops)).find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;

      // 1. Each reference handed out exactly once, and all 500 of them.
      expect(submitted).toHaveLength(TICKETS);
      expect(new Set(submitted).size).toBe(TICKETS);
      const seen = new Map<string, string[]>();
      for (const c of claims) seen.set(c.reference, [...(seen.get(c.reference) ?? []), c.moderator]);
      const handedOutTwice = [...seen].filter(([, holders]) => holders.length > 1);
      expect(handedOutTwice).toEqual([]);
      expect(claimed.size).toBe(TICKETS); // none lost: all were claimed before the queue ran dry
      expect(claims.length).toBe(TICKETS);
      expect([...claimed].sort()).toEqual([...submitted].sort());
      for (const c of claims) expect(c.body).toMatchObject({ state: TicketState.InReview, claimed_by: `moderator:${c.moderator}` });

      // 2. SQL agrees: every ticket in review, held by the moderator who got it, one `claimed` line each.
      const holderOf = new Map(claims.map((c) => [c.reference, `moderator:${c.moderator}`]));
      const tickets = await dataSource.getRepository(Ticket).find({ select: { id: true, reference: true, state: true, claimedBy: true } });
      expect(tickets).toHaveLength(TICKETS);
      const notHeldAsClaimed = tickets.filter((t) => t.state !== TicketState.InReview || t.claimedBy !== holderOf.get(t.reference));
      expect(notHeldAsClaimed).toEqual([]);
      const holderById = new Map(tickets.map((t) => [t.id, holderOf.get(t.reference)]));
      const claimLines = (await timelines()).filter((e) => e.type === 'claimed');
      expect(claimLines).toHaveLength(TICKETS);
      expect(new Set(claimLines.map((e) => e.ticketId)).size).toBe(TICKETS);
      expect(claimLines.filter((e) => e.actor !== holderById.get(e.ticketId))).toEqual([]);

      // 3. Every timer fires once. Nothing fired while the queue was paused. Once every warning is due
      // (a wait for the clock, not a measurement), both workers race for the timers. Wait for each
      // ticket's decision breach, then for the outbox to drain: the syncs the breaches asked for have
      // run, so no timer is left armed that could fire again.
      expect(await timelines()).toHaveLength(TICKETS); // the claims only
      const clocks = await dataSource.getRepository(Ticket).find({ select: { id: true, decisionWarnAt: true, decisionDueAt: true } });
      const warnDue = Math.max(...clocks.map((c) => c.decisionWarnAt!.getTime()));
      await expectEventually(() => expect(Date.now()).toBeGreaterThan(warnDue), EVENTUALLY_MS, 100);
      const resumedAt = Date.now();
      await timersQueue.resume();
      await expectEventually(async () => expect(perTicket(await timelines(), 'sla_breached', 'decision').size).toBe(TICKETS), 2 * EVENTUALLY_MS, 500);
      await expectEventually(async () => expect(await dataSource.getRepository(OutboxMessage).countBy({ processedAt: IsNull() })).toBe(0), EVENTUALLY_MS, 250);
      const final = await timelines();
      const warnings = perTicket(final, 'sla_warning', 'decision');
      const breaches = perTicket(final, 'sla_breached', 'decision');
      expect(breaches.size).toBe(TICKETS);
      expect([...warnings.values(), ...breaches.values()].filter((lines) => lines.length !== 1)).toEqual([]);
      // A warning comes before its breach; a ticket whose breach was already due when the timers
      // resumed is reported breached without a stale warning.
      const breachAt = new Map([...breaches].map(([id, [line]]) => [id, line.createdAt.getTime()]));
      expect([...warnings].filter(([id, [warning]]) => warning.createdAt.getTime() > breachAt.get(id)!)).toEqual([]);
      const overdueAtResume = new Set(clocks.filter((c) => c.decisionDueAt!.getTime() <= resumedAt).map((c) => c.id));
      expect([...warnings.keys()].filter((id) => overdueAtResume.has(id))).toEqual([]);
      // Claiming was the first response, long before its 1 h budget: that clock never warned or breached.
      expect(perTicket(final, 'sla_warning', 'response').size + perTicket(final, 'sla_breached', 'response').size).toBe(0);
      // The timers fired on claimed tickets, as the scenario means them to: every mark came after the last claim.
      const lastClaim = Math.max(...claimLines.map((e) => e.createdAt.getTime()));
      expect(final.filter((e) => e.type !== 'claimed' && e.createdAt.getTime() < lastClaim)).toEqual([]);

      // 4. No process crashed, and none logged an error.
      for (const p of processes) {
        expect({ name: p.name, exitCode: p.child.exitCode, signal: p.child.signalCode }).toEqual({ name: p.name, exitCode: null, signal: null });
        expect({ name: p.name, errors: errorLines(p.output()) }).toEqual({ name: p.name, errors: [] });
      }
    },
    10 * EVENTUALLY_MS,
  );
});
