import { InjectQueue } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, In, IsNull, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { JOB_QUEUE, jobOptions, QueueName } from './job.constants.js';
import { OutboxMessage, OutboxTopic, TOPIC_JOB } from './outbox.entity.js';

const BATCH = 200;
const ADD_TIMEOUT_MS = 3000;
/** How long a failed outbox job stays in Redis (jobOptions' removeOnFail, the same for every topic). */
const FAILED_KEPT_MS = (jobOptions(TOPIC_JOB[OutboxTopic.Mail], 'any').removeOnFail as { age: number }).age * 1000;

/** An unpublished outbox row as the relay reads it. */
export type PendingRow = Pick<OutboxMessage, 'id' | 'topic' | 'payload'>;

/**
 * BullMQ priorities for some of a batch's rows, by row id (rows not in the map go without one, ahead of
 * every prioritised job). Given by a layer that knows what the rows are about (the review pipeline's
 * assessment lanes): the relay itself knows only topics and ids.
 */
export type JobPriorities = (rows: readonly PendingRow[]) => Promise<ReadonlyMap<string, number>>;

/**
 * Hands committed outbox rows to BullMQ: right after a commit (`kick`) and on an interval, so rows
 * written while Redis was away go out once it is back. Job id = row id, so a row published twice
 * (a crash between adding and marking) is one job.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;
  private priorities: JobPriorities | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Mail) private readonly mailQueue: Queue,
    @InjectQueue(QueueName.Review) private readonly reviewQueue: Queue,
    private readonly shutdown: Shutdown,
  ) {
    logConnectionErrors(mailQueue, this.logger, `queue ${QueueName.Mail}`);
    logConnectionErrors(reviewQueue, this.logger, `queue ${QueueName.Review}`);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.kick(), this.config.jobs.outboxRelayIntervalMs);
    this.timer.unref();
    void this.kick();
  }

  /**
   * Before, not on, application shutdown: the database pool closes on shutdown, and pg-pool drops a
   * connection request that is still queued when it closes, which would leave the pass hanging.
   * Rows a pass could not publish in time stay unpublished in the outbox: the next process sends them.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const running = this.running;
    if (running) await this.shutdown.drain('outbox relay pass', () => running);
  }

  /** Set once at start-up (before the first pass), by the module that knows what the jobs are about. */
  prioritiseWith(priorities: JobPriorities): void {
    this.priorities = priorities;
  }

  /** Publishes what is waiting; concurrent calls share one pass (and ask for one more after it). */
  kick(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.publishPending()
      .catch((error: Error) => {
        this.logger.warn(`outbox relay paused: ${error.message}`);
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  private async publishPending(): Promise<number> {
    let published = 0;
    for (;;) {
      const rows = await this.dataSource.getRepository(OutboxMessage).find({
        where: { publishedAt: IsNull() },
        order: { createdAt: 'ASC' },
        take: BATCH,
        select: { id: true, topic: true, payload: true },
      });
      if (rows.length === 0) return published;
      const priorities = this.priorities ? await this.priorities(rows) : new Map<string, number>();
      for (const row of rows) await withTimeout(this.publish(row, priorities.get(row.id)), ADD_TIMEOUT_MS);
      const ids = rows.map((row) => row.id);
      await this.transactions.run((em) => em.update(OutboxMessage, { id: In(ids) }, { publishedAt: this.clock.now() }));
      published += rows.length;
      if (rows.length < BATCH) return published;
    }
  }

  /**
   * Publishes again the rows whose job Redis lost (a flush, or a Redis restarted without its data):
   * published, not yet processed, and no job with their id left in Redis (docs/security.md #26). The
   * reconciler calls it. A job that failed for good stays in Redis for FAILED_KEPT_MS, so it is found and
   * left alone; rows older than that are not looked at, so such a job is not started again once removed.
   */
  async republishLost(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - FAILED_KEPT_MS);
    let republished = 0;
    let after = '';
    for (;;) {
      const rows = await this.dataSource.getRepository(OutboxMessage).find({
        where: { publishedAt: MoreThan(since), processedAt: IsNull(), id: MoreThan(after) },
        order: { id: 'ASC' },
        take: BATCH,
        select: { id: true, topic: true, payload: true },
      });
      const lost: PendingRow[] = [];
      for (const row of rows) if (!(await withTimeout(this.queueOf(row).getJob(row.id), ADD_TIMEOUT_MS))) lost.push(row);
      // In the lane the relay would have chosen (the assessment lanes, docs/security.md #31).
      const priorities = this.priorities && lost.length ? await this.priorities(lost) : new Map<string, number>();
      for (const row of lost) {
        await withTimeout(this.publish(row, priorities.get(row.id)), ADD_TIMEOUT_MS);
        republished++;
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].id;
    }
    if (republished > 0) this.logger.log({ republished }, 'outbox rows published again: Redis had lost their jobs');
    return republished;
  }

  private queueOf(row: Pick<OutboxMessage, 'topic'>): Queue {
    return JOB_QUEUE[TOPIC_JOB[row.topic]] === QueueName.Mail ? this.mailQueue : this.reviewQueue;
  }

  private async publish(row: PendingRow, priority: number | undefined): Promise<void> {
    const name = TOPIC_JOB[row.topic];
    // add(), not addBulk(): the job id must deduplicate.
    await this.queueOf(row).add(name, { outboxId: row.id }, { ...jobOptions(name, row.id), ...(priority === undefined ? {} : { priority }) });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
