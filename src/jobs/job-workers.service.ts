import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { DelayedError, type Job, Worker } from 'bullmq';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { checkJobData, JOB_QUEUE, JobName, QueueName, WORKED_QUEUES } from './job.constants.js';
import { DelayJob, handledJob, type JobHandler, handlerProblems } from './job-handlers.js';

export interface FinishedJob {
  queue: QueueName;
  name: string;
  outcome: 'completed' | 'failed';
  seconds: number;
}

/** Whether this process works queues at all (ROLE=worker or all). */
export const RUNS_WORKERS = Symbol('RUNS_WORKERS');

/**
 * The worker processes' job runner: one BullMQ worker per worked queue, each job handed to the one
 * `@OnJob` method for its name (found at boot; a name without a handler stops the boot). It checks the
 * job's data, logs id, name, queue and duration, and rethrows the original error so BullMQ retries.
 */
@Injectable()
export class JobWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly handlers = new Map<JobName, JobHandler>();
  private readonly workers: Worker[] = [];
  private readonly listeners: Array<(job: FinishedJob) => void> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNS_WORKERS) private readonly runsWorkers: boolean,
    private readonly shutdown: Shutdown,
  ) {}

  /** Hears every finished job attempt of this process (the metrics time them). */
  onFinished(listener: (job: FinishedJob) => void): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    if (!this.runsWorkers) return;
    this.discoverHandlers();
    const worked = Object.keys(WORKED_QUEUES) as QueueName[];
    const problems = handlerProblems([...this.handlers.keys(), ...this.duplicates], worked);
    if (problems.length > 0) throw new Error(`refusing to start the job workers:\n- ${problems.join('\n- ')}`);
    for (const queue of worked) this.workers.push(this.start(queue, WORKED_QUEUES[queue]!.concurrency));
  }

  /**
   * Running jobs may finish while the database is still open, until the shutdown's drain deadline; past it
   * (Redis away, or a job too slow) the worker is disconnected without them: BullMQ hands a job whose
   * lock lapses to another worker, so it is run again, not lost.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) =>
        this.shutdown.drain(
          `worker ${worker.name}`,
          () => worker.close(),
          () => worker.disconnect(),
        ),
      ),
    );
  }

  private readonly duplicates: JobName[] = [];

  private discoverHandlers(): void {
    for (const { instance } of this.discovery.getProviders()) {
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const name = handledJob((instance as Record<string, unknown>)[method]);
        if (!name) continue;
        if (this.handlers.has(name)) this.duplicates.push(name);
        const fn = (instance as Record<string, JobHandler>)[method];
        this.handlers.set(name, fn.bind(instance));
      }
    }
  }

  private start(queue: QueueName, concurrency: number): Worker {
    const worker = new Worker(queue, (job, token) => this.run(queue, job, token), {
      connection: { url: this.config.redis.url, maxRetriesPerRequest: null },
      prefix: this.config.redis.prefix,
      concurrency,
      // A job whose worker died is found by the stalled check once its lock lapsed: both run on JOB_LOCK_DURATION.
      lockDuration: this.config.jobs.lockDurationMs,
      stalledInterval: this.config.jobs.lockDurationMs,
    });
    logConnectionErrors(worker, this.logger, `worker ${queue}`);
    worker.on('completed', (job: Job) => this.finished(queue, job, 'completed'));
    worker.on('failed', (job: Job | undefined) => {
      if (job) this.finished(queue, job, 'failed');
    });
    return worker;
  }

  private async run(queue: QueueName, job: Job, token: string | undefined): Promise<unknown> {
    const started = Date.now();
    const name = job.name as JobName;
    const handler = this.handlers.get(name);
    if (!handler || JOB_QUEUE[name] !== queue) throw new Error(`queue ${queue} has no handler for job ${job.name}`);
    const checked = checkJobData(name, job.data);
    if (!checked.ok) throw new Error(`job ${job.id}: ${checked.problem}`);
    const result = await handler(checked.data, { id: job.id, attemptsMade: job.attemptsMade });
    if (result instanceof DelayJob && token) {
      // Woken early (clocks differ a little between machines): sleep again until the instant it was armed for.
      await job.moveToDelayed(result.until.getTime(), token);
      throw new DelayedError();
    }
    this.logger.log({ jobId: job.id, job: job.name, queue, ms: Date.now() - started }, 'job done');
    return result instanceof DelayJob ? 'not_due' : result;
  }

  private finished(queue: QueueName, job: Job, outcome: 'completed' | 'failed'): void {
    // processedOn: this attempt's start; finishedOn is only set on completion or the final failure.
    const seconds = Math.max(0, (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
    for (const listener of this.listeners) listener({ queue, name: job.name, outcome, seconds });
  }
}
