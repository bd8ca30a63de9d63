import { InjectQueue } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { periodicJobOptions, periodicJobs, QueueName } from '../jobs/job.constants.js';
import { RUNS_WORKERS } from '../jobs/job-workers.service.js';

/**
 * Makes the periodic queue's job schedulers match the configuration, once per worker process at boot:
 * upserted under their fixed ids (a restart or a second worker changes nothing, a new pattern replaces the
 * old one), removed when switched off. Not awaited at boot: while Redis is away the commands wait for it.
 * After boot the reconciler calls `ensure()` on every pass, so a scheduler lost with Redis's data (a
 * flush, a new empty Redis) comes back like every other job.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobSchedules.name);
  private stopped = false;

  constructor(
    @InjectQueue(QueueName.Periodic) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNS_WORKERS) private readonly runsWorkers: boolean,
  ) {
    logConnectionErrors(queue, this.logger, `queue ${QueueName.Periodic}`);
  }

  onApplicationBootstrap(): void {
    if (!this.runsWorkers) return;
    void this.apply();
  }

  /** Not waited for: with Redis away it would never finish; closing the queue ends it. */
  beforeApplicationShutdown(): void {
    this.stopped = true;
  }

  /**
   * Re-creates the configured schedulers that Redis no longer has, leaving present ones alone (an upsert
   * on every pass would be harmless for cron patterns, but a look is cheaper than a rewrite). Returns the
   * names it restored. Errors go to the caller: the reconciler logs them and tries again next pass.
   */
  async ensure(): Promise<string[]> {
    const restored: string[] = [];
    for (const { name, repeat } of periodicJobs(this.config)) {
      if (!repeat || (await this.queue.getJobScheduler(name))) continue;
      await this.queue.upsertJobScheduler(name, repeat, { name, data: {}, opts: periodicJobOptions() });
      restored.push(name);
    }
    return restored;
  }

  /** Each scheduler on its own: a refused pattern (logged) does not keep the other from being set. */
  apply(): Promise<void> {
    return Promise.all(
      periodicJobs(this.config).map(async ({ name, repeat }) => {
        try {
          if (repeat) await this.queue.upsertJobScheduler(name, repeat, { name, data: {}, opts: periodicJobOptions() });
          else await this.queue.removeJobScheduler(name);
        } catch (error) {
          if (this.stopped) return;
          const what = repeat ? `set (${repeat.pattern}${repeat.tz ? ` in ${repeat.tz}` : ''})` : 'removed';
          this.logger.error(`job scheduler ${name} not ${what}: ${(error as Error).message}`);
        }
      }),
    ).then(() => undefined);
  }
}
