import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { ReviewService } from './review.service.js';
import { JobName, QueueName, type JobData } from '../jobs/job.constants.js';

/** Stray jobs skipped in one "work next" before giving up (each is a ticket no longer waiting). */
const MAX_SKIPS = 50;

/**
 * "Work next": pops the top dispatch job with BullMQ's manual fetching (atomic in Redis, so two
 * moderators on two servers never get the same job), records the claim in SQL, then finishes the job
 * (docs/architecture.md, principle 4). If this process dies in between, the job's lock runs out and BullMQ's
 * stalled check puts it back; the SQL claim, conditional on the ticket still waiting, refuses a repeat.
 */
@Injectable()
export class WorkNextService implements OnModuleDestroy {
  private readonly logger = new Logger(WorkNextService.name);
  private worker: Worker<JobData[JobName.Dispatch]> | null = null;

  constructor(
    private readonly review: ReviewService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shutdown: Shutdown,
  ) {}

  /** The claimed ticket, or null when nobody is waiting. */
  async next(moderatorId: string): Promise<Ticket | null> {
    const worker = this.fetcher();
    for (let skipped = 0; skipped <= MAX_SKIPS; skipped++) {
      const token = randomUUID();
      const job = await worker.getNextJob(token, { block: false });
      if (!job) return null;
      let claimed: Ticket | null;
      try {
        claimed = await this.review.claim(String(job.data.ticketId), moderatorId);
      } catch (error) {
        // The database failed us: the job goes straight back (and should that fail too, its lock
        // lapses and the stalled check returns it), so the ticket keeps its turn.
        await job.moveToWait(token).catch(() => undefined);
        throw error;
      }
      // Done either way: a claim is in SQL now, or the job was a stray for a ticket no longer waiting.
      await job.moveToCompleted(null, token, false).catch((e: Error) => this.logger.warn(`dispatch job ${job.id}: ${e.message}`));
      if (claimed) return claimed;
    }
    this.logger.warn(`work next: ${MAX_SKIPS} stray dispatch jobs in a row; the reconciler will clean up`);
    return null;
  }

  /** A claim cut short by the deadline leaves its job locked: the stalled check gives it back (see above). */
  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    if (worker)
      await this.shutdown.drain(
        'dispatch fetcher',
        () => worker.close(),
        () => worker.disconnect(),
      );
  }

  /** One manual-fetch worker per process, made on first use (ROLE=worker processes never need it). */
  private fetcher(): Worker<JobData[JobName.Dispatch]> {
    if (!this.worker) {
      this.worker = new Worker(QueueName.Dispatch, null, {
        connection: { url: this.config.redis.url, maxRetriesPerRequest: null },
        prefix: this.config.redis.prefix,
        autorun: false,
        // A claim takes milliseconds; a job left active longer belongs to a process that died.
        lockDuration: 30_000,
        maxStalledCount: 1_000_000,
      });
      logConnectionErrors(this.worker, this.logger, `dispatch fetcher`);
      void this.worker.startStalledCheckTimer();
    }
    return this.worker;
  }
}
