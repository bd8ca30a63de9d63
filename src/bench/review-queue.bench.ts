// The review queue's two hot paths, each beside bare BullMQ on the same Redis in the same run:
// "work next" claims with many moderators at once, and SLA timers firing on time under load.
// Imported by main.ts only after DATABASE_URL is set (the entities read the dialect when they load).
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource, In, IsNull } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { insertRows, Transactions } from '../database/transactions.js';
import { ReconcilerService } from '../review-queue/reconciler.service.js';
import { WorkNextService } from '../review-queue/work-next.service.js';
import { Ticket, TicketEvent } from '../tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import type { BenchRow } from './report.js';
import { NO_REPORT_FIGURES } from '../tickets/ticket.types.js';
import { QueueName } from '../jobs/job.constants.js';
import { dispatchPriority, DispatchTier } from '../tickets/dispatch-order.js';
import { OutboxMessage, OutboxTopic } from '../jobs/outbox.entity.js';
import type { WorkflowPolicy } from '../tickets/ticket-workflow.js';
import { WORKFLOW_POLICY } from '../tickets/workflow-policy.provider.js';
import { slaColumns } from '../tickets/ticket-sla.js';
import { startSla } from '../sla/sla-clock.js';

export const MODERATORS = 20;
/** Concurrency of the bare timer worker: the app's TimersProcessor runs 20. */
const TIMER_CONCURRENCY = 20;
const INSERT_BATCH = 200;
const ADD_BATCH = 500;
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The SLA policy the queue bench boots with: the shipped default's targets, round the clock, written
 * out so a local edit of config/sla-policy.json (a business calendar, say) cannot move the deadlines.
 */
export const BENCH_SLA_POLICY = { default: { first_response: '72h', decision: '14d', warn_at: 0.75, calendar: '24x7' } };

type Log = (line: string) => void;

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

const ms = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(n >= 10 ? 1 : 2));
const count = (n: number) => n.toLocaleString('en-US');
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));

let serial = 0;

/** Unique 9-character references (`RD-` and 6 characters of the app's alphabet), in order. */
function nextReference(): string {
  let n = serial++;
  let code = '';
  for (let i = 0; i < 6; i++) {
    code = REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] + code;
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  return `RD-${code}`;
}

/** A ticket row as intake and routing leave it, its SLA clock started at `createdAt` by the app's own rules. */
function benchTicket(sla: WorkflowPolicy, state: TicketState, createdAt: Date): Ticket {
  const reference = nextReference();
  const name = `bench-${reference.slice(3).toLowerCase()}`;
  const contactEmail = `${name}@example.org`;
  return {
    id: randomUUID(),
    reference,
    username: name,
    usernameKey: name,
    accountId: null,
    contactEmail,
    requestType: 'lost_2fa',
    claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '' },
    state,
    openKey: `${name}|${contactEmail}`,
    competing: false,
    cocVersion: '2026-11',
    cocAcceptedAt: createdAt,
    cocMethod: null,
    cocRecordedBy: null,
    coolingOffEndsAt: null,
    delayAcknowledgedAt: createdAt,
    createdAt,
    updatedAt: createdAt,
    decidedAt: null,
    closedAt: null,
    ...NO_REPORT_FIGURES,
    score: null,
    band: null,
    recommendation: null,
    riskFlags: null,
    ruleVersion: null,
    assessedAt: null,
    claimedBy: null,
    claimedAt: null,
    leaseExpiresAt: null,
    escalated: false,
    ...slaColumns(startSla(createdAt, sla.targetsFor('lost_2fa'))),
    version: 1,
  };
}

async function storeTickets(app: INestApplication, tickets: Ticket[]): Promise<void> {
  await app.get(Transactions).run(async (em) => {
    for (let i = 0; i < tickets.length; i += INSERT_BATCH) await insertRows(em, Ticket, tickets.slice(i, i + INSERT_BATCH));
  });
}

/**
 * One reconciler pass that has seen the stored tickets: a pass already under way when asked is
 * shared (ReconcilerService.run) and may have read SQL before the insert, so ask again until one has.
 */
async function reconcileAtLeast(app: INestApplication, openTickets: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const report = await app.get(ReconcilerService).run();
    if (report && report.tickets >= openTickets) return;
  }
  throw new Error(`the reconciler did not see the ${count(openTickets)} open tickets`);
}

/** Until every sync row is processed: the background work one step leaves must not weigh on the next. */
async function settle(app: INestApplication, log: Log, timeoutMs = 60_000): Promise<void> {
  const outbox = app.get(DataSource).getRepository(OutboxMessage);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await outbox.count({ where: { topic: OutboxTopic.Sync, processedAt: IsNull() } })) === 0) return;
    await sleep(250);
  }
  log(`  (sync rows still pending after ${timeoutMs / 1000} s; going on)`);
}

/** The bare queues and workers open now, closed by closeBareClients() if the bench stops half-way. */
const bareClients = new Set<Queue | Worker>();

function track<T extends Queue | Worker>(client: T): T {
  bareClients.add(client);
  return client;
}

async function release(queue: Queue, worker: Worker): Promise<void> {
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  bareClients.delete(worker);
  bareClients.delete(queue);
}

export async function closeBareClients(): Promise<void> {
  for (const client of bareClients) await client.close().catch(() => undefined);
  bareClients.clear();
}

function bareConnection(config: AppConfig) {
  return { connection: { url: config.redis.url, maxRetriesPerRequest: null }, prefix: config.redis.prefix };
}

export interface ClaimsResult {
  row: BenchRow;
  /** Insert + reconcile time per ticket, to plan how far ahead the timers bench must set its deadlines. */
  armMsPerTicket: number;
}

/**
 * N tickets waiting for a moderator → 20 moderators calling WorkNextService.next() until the queue is
 * empty. Baseline: BullMQ's manual fetching alone (getNextJob + moveToCompleted) on N prioritised jobs.
 */
export async function benchClaims(app: INestApplication, config: AppConfig, total: number, log: Log): Promise<ClaimsResult> {
  const bare = await bareClaims(config, total, log);

  log(`  work next: storing ${count(total)} waiting tickets and their dispatch jobs…`);
  const workNext = app.get(WorkNextService);
  // Makes the fetcher and its Redis connection: an empty queue claims nothing.
  if (await workNext.next('bench-warmup')) throw new Error('the bench queue was not empty');
  const sla = app.get<WorkflowPolicy>(WORKFLOW_POLICY);
  const now = new Date();
  const tickets = Array.from({ length: total }, () => benchTicket(sla, TicketState.AwaitingReview, now));
  let started = performance.now();
  await storeTickets(app, tickets);
  await reconcileAtLeast(app, total);
  const armMsPerTicket = (performance.now() - started) / total;
  const dispatch = app.get<Queue>(getQueueToken(QueueName.Dispatch));
  const queued = await dispatch.getPrioritizedCount();
  if (queued !== total) throw new Error(`expected ${total} dispatch jobs, Redis holds ${queued}`);

  log(`  work next: ${MODERATORS} moderators claiming ${count(total)} tickets…`);
  const latencies: number[] = [];
  const claimed = new Set<string>();
  let repeats = 0;
  started = performance.now();
  await Promise.all(
    Array.from({ length: MODERATORS }, async (_, m) => {
      for (;;) {
        const t0 = performance.now();
        const ticket = await workNext.next(`bench-mod-${m}`);
        if (!ticket) return;
        latencies.push(performance.now() - t0);
        if (claimed.has(ticket.id)) repeats++;
        claimed.add(ticket.id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const inReview = await app.get(DataSource).getRepository(Ticket).countBy({ state: TicketState.InReview });
  const check =
    claimed.size === total && repeats === 0 && inReview === total
      ? `all ${count(total)} claimed once`
      : `CHECK FAILED: ${count(claimed.size)} distinct claims, ${repeats} repeats, ${count(inReview)} in review, of ${count(total)}`;
  await settle(app, log);
  return {
    armMsPerTicket,
    row: {
      what: `work next, ${MODERATORS} concurrent moderators, ${count(total)} waiting tickets (claims/s)`,
      figure: claimed.size / seconds,
      baseline: bare.rate,
      baselineName: 'bare BullMQ getNextJob + moveToCompleted',
      unit: '/s',
      higherIsBetter: true,
      extra:
        `one claim: p50 ${ms(percentile(latencies, 0.5))} ms, p99 ${ms(percentile(latencies, 0.99))} ms ` +
        `(bare: p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}); ${check}`,
    },
  };
}

async function bareClaims(config: AppConfig, total: number, log: Log): Promise<{ rate: number; p50: number; p99: number }> {
  log(`  work next baseline: bare BullMQ, ${count(total)} prioritised jobs, ${MODERATORS} loops…`);
  const name = 'bench-bare-dispatch';
  const queue = track(new Queue(name, bareConnection(config)));
  const worker = track(new Worker(name, null, { ...bareConnection(config), autorun: false, lockDuration: 30_000 }));
  try {
    if (await worker.getNextJob(randomUUID(), { block: false })) throw new Error(`${name} was not empty`);
    const priority = dispatchPriority(DispatchTier.InTurn, new Date());
    for (let i = 0; i < total; i += ADD_BATCH) {
      await queue.addBulk(
        Array.from({ length: Math.min(ADD_BATCH, total - i) }, (_, j) => ({
          name: 'dispatch',
          data: { ticketId: randomUUID() },
          opts: { jobId: `d-${i + j}`, priority, removeOnComplete: true, removeOnFail: true },
        })),
      );
    }
    const latencies: number[] = [];
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: MODERATORS }, async () => {
        for (;;) {
          const t0 = performance.now();
          const token = randomUUID();
          const job = await worker.getNextJob(token, { block: false });
          if (!job) return;
          await job.moveToCompleted(null, token, false);
          latencies.push(performance.now() - t0);
          done++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (done !== total) throw new Error(`bare BullMQ handed out ${done} of ${total} jobs`);
    return { rate: done / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  } finally {
    await release(queue, worker);
  }
}

/**
 * N open tickets whose SLA warning falls at evenly spread instants over the next spreadMs (`--timer-spread`),
 * armed by the reconciler (one delayed job each in the timers queue) and fired by the app's
 * TimersProcessor. Lateness = the sla_warning event's created_at − the planned instant.
 * Baseline: N bare BullMQ delayed jobs with the same spread, a worker of the same concurrency.
 */
export async function benchTimers(
  app: INestApplication,
  config: AppConfig,
  total: number,
  armMsPerTicket: number,
  log: Log,
  spreadMs: number,
): Promise<BenchRow> {
  const bare = await bareTimers(config, total, spreadMs, log);

  const sla = app.get<WorkflowPolicy>(WORKFLOW_POLICY);
  const targets = sla.targetsFor('lost_2fa');
  const warnAfter = Math.round(targets.firstResponseMs * targets.warnAt);
  // Arming must be over before the first deadline: planned from what storing and mirroring took in the
  // claims step (the same two steps, two jobs per ticket), with room to spare.
  const leadMs = Math.round(Math.min(120_000, Math.max(5_000, 3_000 + 2 * armMsPerTicket * total)));
  log(`  timers: arming ${count(total)} timers (deadlines from ${(leadMs / 1000).toFixed(1)} s to ${((leadMs + spreadMs) / 1000).toFixed(1)} s from now)…`);
  const firstAt = Date.now() + leadMs;
  const planned = new Map<string, number>();
  const tickets: Ticket[] = [];
  for (let i = 0; i < total; i++) {
    const at = firstAt + Math.floor((i * spreadMs) / total);
    // Created so that the response clock WARNS at `at`; its breach is hours later, out of the run.
    const ticket = benchTicket(sla, TicketState.AwaitingReview, new Date(at - warnAfter));
    if (ticket.slaNextAt?.getTime() !== at || ticket.responseWarnAt?.getTime() !== at) {
      throw new Error(`the SLA policy did not put the warning where planned (${ticket.slaNextAt?.toISOString()} vs ${new Date(at).toISOString()})`);
    }
    planned.set(ticket.id, at);
    tickets.push(ticket);
  }
  const open = await app
    .get(DataSource)
    .getRepository(Ticket)
    .countBy({ state: In([...OPEN_STATES]) });
  const armStarted = Date.now();
  await storeTickets(app, tickets);
  await reconcileAtLeast(app, open + total);
  const armedAt = Date.now();
  const timers = app.get<Queue>(getQueueToken(QueueName.Timers));
  const armedLate = [...planned.values()].filter((at) => at <= armedAt).length;
  const armNote =
    `armed in ${((armedAt - armStarted) / 1000).toFixed(1)} s, first deadline ${((firstAt - armedAt) / 1000).toFixed(1)} s later` +
    (armedLate ? `; ${count(armedLate)} were armed after their deadline (lateness includes it)` : '');
  log(`  timers: ${armNote}; ${count(await timers.getDelayedCount())} delayed jobs in the timers queue`);

  log(`  timers: waiting for ${count(total)} SLA warnings…`);
  const events = app.get(DataSource).getRepository(TicketEvent);
  const deadline = firstAt + spreadMs + 120_000;
  let fired = 0;
  while (Date.now() < deadline) {
    await sleep(1000);
    fired = await events.countBy({ type: 'sla_warning' });
    if (fired >= total) break;
  }
  const rows = await events.find({ where: { type: 'sla_warning' }, select: { ticketId: true, createdAt: true } });
  const lateness = rows.flatMap((e) => {
    const at = planned.get(e.ticketId);
    return at === undefined ? [] : [e.createdAt.getTime() - at];
  });
  const last = Math.max(...rows.map((e) => e.createdAt.getTime()));
  const missing = total - lateness.length;
  await settle(app, log);
  return {
    what: `SLA timers, ${count(total)} armed, deadlines spread over ${spreadMs / 1000} s: lateness p99`,
    figure: percentile(lateness, 0.99),
    baseline: bare.p99,
    baselineName: 'bare BullMQ delayed jobs, concurrency 20',
    unit: 'ms',
    higherIsBetter: false,
    extra:
      `p50 ${ms(percentile(lateness, 0.5))} ms, max ${ms(Math.max(...lateness))} ms (bare: p50 ${ms(bare.p50)}, max ${ms(bare.max)}); ` +
      `lateness = sla_warning created_at − planned warning instant; last fired ${((last - firstAt - spreadMs) / 1000).toFixed(1)} s after the last deadline; ` +
      `${armNote}; aim p99 < 1 s` +
      (missing ? `; MISSING: ${count(missing)} warnings never fired` : ''),
  };
}

async function bareTimers(config: AppConfig, total: number, spreadMs: number, log: Log): Promise<{ p50: number; p99: number; max: number }> {
  const name = 'bench-bare-timers';
  const lateness: number[] = [];
  let resolveAll: () => void = () => undefined;
  const allFired = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const queue = track(new Queue(name, bareConnection(config)));
  const worker = track(
    new Worker(
      name,
      async (job: Job<{ at: number }>) => {
        lateness.push(Date.now() - job.data.at);
        if (lateness.length >= total) resolveAll();
      },
      { ...bareConnection(config), concurrency: TIMER_CONCURRENCY },
    ),
  );
  try {
    await worker.waitUntilReady();
    const leadMs = 3_000;
    log(`  timers baseline: ${count(total)} bare BullMQ delayed jobs over ${spreadMs / 1000} s…`);
    const firstAt = Date.now() + leadMs;
    for (let i = 0; i < total; i += ADD_BATCH) {
      await queue.addBulk(
        Array.from({ length: Math.min(ADD_BATCH, total - i) }, (_, j) => {
          const at = firstAt + Math.floor(((i + j) * spreadMs) / total);
          return {
            name: 'sla-check',
            data: { at },
            opts: { jobId: `t-${i + j}`, delay: Math.max(0, at - Date.now()), removeOnComplete: true, removeOnFail: true },
          };
        }),
      );
    }
    if (Date.now() > firstAt) log(`  (adding the bare jobs took longer than ${leadMs / 1000} s: the first ones are late)`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), firstAt + spreadMs + 60_000 - Date.now());
    });
    const outcome = await Promise.race([allFired, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw new Error(`only ${lateness.length} of ${total} bare timers fired`);
    return { p50: percentile(lateness, 0.5), p99: percentile(lateness, 0.99), max: Math.max(...lateness) };
  } finally {
    await release(queue, worker);
  }
}

/** Removes every Redis key matching `pattern` (SCAN, so Redis is never blocked); returns how many. */
export async function removeRedisKeys(url: string, pattern: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  let removed = 0;
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
      const batch = keys as string[];
      if (batch.length) removed += await redis.unlink(...batch);
    }
  } finally {
    await redis.quit();
  }
  return removed;
}
