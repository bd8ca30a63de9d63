import { WorkerHost } from '@nestjs/bullmq';
import type { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { logConnectionErrors } from './connection-errors.js';

/**
 * What every processor of the app does around its jobs: warn once per Redis outage, and close its
 * worker before, not on, application shutdown, so running jobs finish while the database is open.
 */
export abstract class ClosingWorkerHost extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected abstract readonly logger: Logger;
  protected abstract readonly queueName: string;

  /** The worker exists once the module is initialised. */
  onApplicationBootstrap(): void {
    logConnectionErrors(this.worker, this.logger, `worker ${this.queueName}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }
}
