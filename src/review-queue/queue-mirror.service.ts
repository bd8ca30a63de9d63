import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, type JobType, Queue } from 'bullmq';
import { DataSource, In, MoreThan } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES } from '../tickets/ticket-state.js';
import { jobOptions, QueueName, dispatchJobId } from '../jobs/job.constants.js';
import { desiredJobs, type JobSpec, type MirroredFields } from '../tickets/dispatch-order.js';
import { Outbox, type SyncPayload } from '../jobs/outbox.service.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';

const MIRRORED = {
  id: true,
  state: true,
  claimedBy: true,
  escalated: true,
  slaLevel: true,
  recommendation: true,
  createdAt: true,
  leaseExpiresAt: true,
  slaNextAt: true,
  coolingOffEndsAt: true,
} satisfies Record<keyof MirroredFields, true>;
const PAGE = 1000;
const WAITING: JobType[] = ['prioritized', 'waiting', 'delayed'];

export interface MirrorReport {
  tickets: number;
  added: number;
  removed: number;
}

/**
 * Makes Redis hold exactly the jobs SQL calls for (docs/architecture.md, principle 1): for one ticket after each
 * change (a sync outbox row), and for all open tickets in the reconciler's sweep.
 */
@Injectable()
export class QueueMirror {
  private readonly logger = new Logger(QueueMirror.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Dispatch) private readonly dispatch: Queue,
    @InjectQueue(QueueName.Timers) private readonly timers: Queue,
  ) {
    logConnectionErrors(dispatch, this.logger, `queue ${QueueName.Dispatch}`);
    logConnectionErrors(timers, this.logger, `queue ${QueueName.Timers}`);
  }

  /** One sync job: idempotent, so the outbox row is marked only once Redis matches. */
  @OnJob(JobName.Sync)
  async processOutbox({ outboxId }: JobData[JobName.Sync]): Promise<void> {
    await this.outbox.work(outboxId, async (payload) => {
      const { ticketId, stale } = JSON.parse(payload) as SyncPayload;
      await this.syncTicket(ticketId, stale);
    });
  }

  async syncTicket(ticketId: string, stale: string[] = []): Promise<void> {
    const ticket = await this.dataSource.getRepository(Ticket).findOne({ where: { id: ticketId }, select: MIRRORED });
    await this.syncFrom(ticketId, ticket, stale);
  }

  /** The same, from fields the caller has just committed (saves reading the ticket again). */
  async syncFrom(ticketId: string, ticket: MirroredFields | null, stale: string[] = [], fast = false): Promise<void> {
    for (const id of stale) await this.removeWaiting(id.startsWith('d-') ? this.dispatch : this.timers, id);
    const desired = ticket ? desiredJobs(ticket, this.config.review.fastLane) : [];
    if (!desired.some((spec) => spec.queue === QueueName.Dispatch)) await this.removeWaiting(this.dispatch, dispatchJobId(ticketId));
    await Promise.all(desired.map((spec) => this.ensure(spec, fast)));
  }

  /**
   * The sweep: every open ticket's jobs are added if missing; jobs no open ticket calls for are removed.
   * Redis is listed before SQL is read, and only jobs older than the sweep are removed, so a job added
   * by a change made during the sweep is never taken for a stray.
   */
  async reconcile(): Promise<MirrorReport> {
    const sweepStartedAt = Date.now();
    const present = new Map<string, Queue>();
    for (const queue of [this.dispatch, this.timers]) {
      for (const id of await queue.getRanges(WAITING, 0, -1)) present.set(id, queue);
    }
    const wanted = new Set<string>();
    const missing: JobSpec[] = [];
    let tickets = 0;
    for await (const page of this.openTickets()) {
      tickets += page.length;
      for (const spec of page.flatMap((t) => desiredJobs(t, this.config.review.fastLane))) {
        wanted.add(spec.id);
        if (!present.has(spec.id)) missing.push(spec);
      }
    }
    for (let i = 0; i < missing.length; i += 500) await this.addBulk(missing.slice(i, i + 500));
    // BullMQ ignores an add whose id still has a job hash (a finished job, or one orphaned when Redis
    // lost part of its keys): those are replaced one by one.
    const nowPresent = new Set<string>();
    for (const queue of [this.dispatch, this.timers]) {
      for (const id of await queue.getRanges([...WAITING, 'active'], 0, -1)) nowPresent.add(id);
    }
    for (const spec of missing.filter((s) => !nowPresent.has(s.id))) await this.ensure(spec);
    const added = missing.length;
    let removed = 0;
    for (const [id, queue] of present) {
      if (wanted.has(id)) continue;
      const job = await queue.getJob(id);
      if (job && job.timestamp < sweepStartedAt && (await this.removeQuietly(job))) removed++;
    }
    return { tickets, added, removed };
  }

  private async *openTickets(): AsyncGenerator<MirroredFields[]> {
    let after = '';
    for (;;) {
      const page = await this.dataSource.getRepository(Ticket).find({
        where: { state: In([...OPEN_STATES]), id: MoreThan(after) },
        select: MIRRORED,
        order: { id: 'ASC' },
        take: PAGE,
      });
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].id;
    }
  }

  /**
   * Adds the job, or moves an existing one to its new place; a finished or orphaned leftover is
   * replaced. `fast` (a timer just armed after a fired one) skips the look-up: a new id rarely exists,
   * BullMQ ignores an add whose id does, and the reconciler replaces what such an add missed.
   */
  private async ensure(spec: JobSpec, fast = false): Promise<void> {
    const queue = spec.queue === QueueName.Dispatch ? this.dispatch : this.timers;
    if (fast && spec.queue === QueueName.Timers) {
      await queue.add(spec.name, spec.data, this.optionsFor(spec));
      return;
    }
    const existing = await queue.getJob(spec.id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed' || state === 'unknown') {
        await this.removeQuietly(existing);
      } else {
        if (spec.priority !== undefined && state === 'prioritized' && existing.priority !== spec.priority) {
          await existing.changePriority({ priority: spec.priority });
        }
        return;
      }
    }
    await queue.add(spec.name, spec.data, this.optionsFor(spec));
  }

  private async addBulk(specs: JobSpec[]): Promise<void> {
    for (const queue of [this.dispatch, this.timers]) {
      const mine = specs.filter((s) => (s.queue === QueueName.Dispatch) === (queue === this.dispatch));
      if (mine.length) await queue.addBulk(mine.map((s) => ({ name: s.name, data: s.data, opts: this.optionsFor(s) })));
    }
  }

  private optionsFor(spec: JobSpec) {
    return {
      ...jobOptions(spec.name, spec.id),
      ...(spec.priority !== undefined ? { priority: spec.priority } : {}),
      // BullMQ counts delays on the wall clock; a deadline already past fires at once.
      ...(spec.at ? { delay: Math.max(0, spec.at.getTime() - Date.now()) } : {}),
    };
  }

  private async removeWaiting(queue: Queue, id: string): Promise<void> {
    const job = await queue.getJob(id);
    if (job) await this.removeQuietly(job);
  }

  /** An active job is locked (being claimed or firing): it cannot be removed, and need not be. */
  private async removeQuietly(job: Job): Promise<boolean> {
    try {
      await job.remove();
      return true;
    } catch {
      return false;
    }
  }
}
