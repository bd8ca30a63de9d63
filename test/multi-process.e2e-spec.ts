import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DataSource, In, IsNull } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { OutboxMessage } from '../src/notifications/outbox.entity.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { makeTicketBody } from './support/factories.js';
import { REVIEW_TOKEN } from './support/review-api.js';
import { disposeEnv, expectEventually, isolatedEnv } from './support/test-app.js';

/**
 * The scenario: two webs and two workers (four `node dist/main.js` processes) on one database
 * and one Redis; 20 moderators claim 500 tickets at once. No ticket is handed out twice, none is lost,
 * and every SLA timer fires exactly once although two workers run the timers queue.
 */

const MAIN = join(process.cwd(), 'dist/main.js');
const TICKETS = 500;
const MODERATORS = 20;
const SUBMIT_CONCURRENCY = 10;
/** How long the moderators may take to claim everything (the pipeline routes tickets meanwhile). */
const CLAIM_DEADLINE_MS = 60_000;
/**
 * The decision clock runs from each ticket's arrival. Submitting and claiming 500 tickets takes a
 * few seconds; the warning (at 60%, 24 s) and the breach (40 s) come well after the last claim, yet
 * the last breach still lands about 45 s into the test.
 */
const SLA_POLICY = { default: { first_response: '1h', decision: '40s', warn_at: 0.6 } };
/** pino's numeric levels: 50 is error, 60 fatal. */
const PINO_ERROR = 50;

interface AppProcess {
  name: string;
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
async function startProcess(name: string, role: 'web' | 'worker', env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, ROLE: role, PORT: String(port) }, cwd: env.TEST_DIR,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, base: `http://127.0.0.1:${port}`, child, output: () => out, exited };
}

/**
 * A web is ready when /health/ready answers 200; a worker never listens, so it is ready once it logs
 * that it started (main.ts). A process that dies while booting fails at once, with its output.
 */
async function waitReady(p: AppProcess, role: 'web' | 'worker'): Promise<void> {
  const ready = expectEventually(async () => {
    if (role === 'worker') expect(p.output()).toContain('worker started (ROLE=worker)');
    else expect((await fetch(`${p.base}/health/ready`)).status).toBe(200);
  }, 30_000, 100);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two webs and two workers on one database and one Redis', () => {
  let env: Record<string, string>;
  let processes: AppProcess[] = [];
  let webs: AppProcess[] = [];
  let dataSource: DataSource;

  beforeAll(async () => {
    env = isolatedEnv({
      LOG_LEVEL: 'info', DEMO_DATA: 'false', REVIEW_API_TOKEN: REVIEW_TOKEN, RECONCILE_INTERVAL: '5s',
      INTAKE_RATE_LIMIT: '0', INTAKE_USERNAME_RATE_LIMIT: '0',
    });
    env.SLA_POLICY_FILE = join(env.TEST_DIR, 'sla-policy.json');
    writeFileSync(env.SLA_POLICY_FILE, JSON.stringify(SLA_POLICY));

    // Every process migrates on boot. On PostgreSQL an advisory lock makes them take turns; on SQLite
    // nothing does (database/migrate.ts), so the first process migrates alone before the others start.
    const first = await startProcess('web-1', 'web', env);
    processes.push(first);
    await waitReady(first, 'web');
    const rest = await Promise.all([
      startProcess('web-2', 'web', env), startProcess('worker-1', 'worker', env), startProcess('worker-2', 'worker', env),
    ]);
    processes.push(...rest);
    await Promise.all(rest.map((p) => waitReady(p, p.name.startsWith('web') ? 'web' : 'worker')));
    webs = [first, rest[0]];

    dataSource = await new DataSource(dataSourceOptions(loadConfig(env).database)).initialize();
  }, 90_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await Promise.all(processes.map(stopProcess));
    if (env) await disposeEnv(env);
  }, 60_000);

  it('hands each of 500 tickets to exactly one of 20 moderators, and fires every SLA timer once', async () => {
    const started = Date.now();

    // --- 500 new tickets, alternately on each web, 10 requests in flight.
    const submitted: string[] = [];
    const submitting = inParallel(Array.from({ length: TICKETS }, (_, i) => i), SUBMIT_CONCURRENCY, async (i) => {
      const tag = `mp${String(i).padStart(3, '0')}`;
      const res = await fetch(`${webs[i % 2].base}/api/v1/tickets`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify(makeTicketBody({ username: `user-${tag}`, contact_email: `${tag}@example.org` })),
      });
      if (res.status !== 201) {
        throw new Error(`ticket ${tag}: ${res.status} ${await res.text()}\n${errorLines(webs[i % 2].output()).join('\n')}`);
      }
      submitted.push(((await res.json()) as { reference: string }).reference);
    });

    // --- Meanwhile 20 moderators work the queue, each alternating between the two webs. A 204 means
    // nobody waits right now (tickets may still be in the pipeline): try again shortly.
    const claims: Array<{ reference: string; moderator: string; body: Record<string, unknown> }> = [];
    const claimed = new Set<string>();
    const unexpected: string[] = [];
    const deadline = Date.now() + CLAIM_DEADLINE_MS;
    const moderatorLoop = async (id: string, first: number) => {
      for (let call = first; claimed.size < TICKETS && Date.now() < deadline; call++) {
        const res = await fetch(`${webs[call % 2].base}/api/v1/review/next`, {
          method: 'POST', headers: { authorization: `Bearer ${REVIEW_TOKEN}`, 'x-moderator': id },
        });
        if (res.status === 204) {
          await sleep(100);
          continue;
        }
        if (res.status !== 200) {
          unexpected.push(`${id} via ${webs[call % 2].name}: ${res.status} ${await res.text()}`);
          await sleep(100);
          continue;
        }
        const body = (await res.json()) as Record<string, unknown> & { reference: string };
        claims.push({ reference: body.reference, moderator: id, body });
        claimed.add(body.reference);
      }
    };
    const moderatorIds = Array.from({ length: MODERATORS }, (_, i) => `mod-${String(i + 1).padStart(2, '0')}`);
    await Promise.all([submitting, ...moderatorIds.map((id, i) => moderatorLoop(id, i))]);
    const claimsDoneAt = Date.now();

    // 1. Each reference handed out exactly once, and all 500 of them.
    expect(unexpected).toEqual([]);
    expect(submitted).toHaveLength(TICKETS);
    expect(new Set(submitted).size).toBe(TICKETS);
    const seen = new Map<string, string[]>();
    for (const c of claims) seen.set(c.reference, [...(seen.get(c.reference) ?? []), c.moderator]);
    const handedOutTwice = [...seen].filter(([, holders]) => holders.length > 1);
    expect(handedOutTwice).toEqual([]);
    expect(claims).toHaveLength(TICKETS);
    expect([...claimed].sort()).toEqual([...submitted].sort());
    for (const c of claims) expect(c.body).toMatchObject({ state: 'in_review', claimed_by: `moderator:${c.moderator}` });

    // 2. SQL agrees: every ticket in review, held by the moderator who got it, one `claimed` line each.
    const holderOf = new Map(claims.map((c) => [c.reference, `moderator:${c.moderator}`]));
    const tickets = await dataSource.getRepository(Ticket).find({ select: { id: true, reference: true, state: true, claimedBy: true } });
    expect(tickets).toHaveLength(TICKETS);
    for (const t of tickets) expect({ ref: t.reference, state: t.state, claimedBy: t.claimedBy }).toEqual({ ref: t.reference, state: 'in_review', claimedBy: holderOf.get(t.reference) });
    const events = () => dataSource.getRepository(TicketEvent).find({
      where: { type: In(['claimed', 'sla_warning', 'sla_breached']) }, select: { ticketId: true, type: true, actor: true, data: true },
    });
    const refOf = new Map(tickets.map((t) => [t.id, t.reference]));
    const claimLines = (await events()).filter((e) => e.type === 'claimed');
    expect(claimLines).toHaveLength(TICKETS);
    expect(new Set(claimLines.map((e) => e.ticketId)).size).toBe(TICKETS);
    for (const e of claimLines) expect(e.actor).toBe(holderOf.get(refOf.get(e.ticketId)!));

    // 3. Every timer fires once: wait for each ticket's decision breach, then for the outbox to drain
    // (the syncs the breaches asked for have run: no timer is left armed to fire a second time).
    const count = (list: TicketEvent[], type: string, clock: string) => {
      const perTicket = new Map<string, number>();
      for (const e of list) if (e.type === type && e.data.clock === clock) perTicket.set(e.ticketId, (perTicket.get(e.ticketId) ?? 0) + 1);
      return perTicket;
    };
    await expectEventually(async () => expect(count(await events(), 'sla_breached', 'decision').size).toBe(TICKETS), 60_000, 500);
    await expectEventually(async () => expect(await dataSource.getRepository(OutboxMessage).countBy({ processedAt: IsNull() })).toBe(0), 30_000, 250);
    const final = await events();
    const warnings = count(final, 'sla_warning', 'decision');
    const breaches = count(final, 'sla_breached', 'decision');
    expect(warnings.size).toBe(TICKETS);
    expect(breaches.size).toBe(TICKETS);
    expect([...warnings.values(), ...breaches.values()].filter((n) => n !== 1)).toEqual([]);
    // Claiming was the first response, long before its 1 h budget: that clock never warned or breached.
    expect(count(final, 'sla_warning', 'response').size).toBe(0);
    expect(count(final, 'sla_breached', 'response').size).toBe(0);

    // 4. No process crashed, and none logged an error.
    for (const p of processes) {
      expect({ name: p.name, exitCode: p.child.exitCode, signal: p.child.signalCode }).toEqual({ name: p.name, exitCode: null, signal: null });
      expect({ name: p.name, errors: errorLines(p.output()) }).toEqual({ name: p.name, errors: [] });
    }
    console.log(`multi-process: ${TICKETS} claimed in ${claimsDoneAt - started} ms; timers settled after ${Date.now() - started} ms`);
  }, 180_000);
});
