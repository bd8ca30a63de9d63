import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { JobName, QueueName } from '../review-queue/queue.constants.js';
import { EvidenceService } from './evidence.service.js';

/** The review pipeline's worker; for now it assesses (routing and dispatch join it with issue 4). */
@Processor(QueueName.Review, { concurrency: 2 })
export class EvidenceProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EvidenceProcessor.name);

  constructor(private readonly evidence: EvidenceService) {
    super();
  }

  async process(job: Job<{ outboxId?: unknown }>): Promise<void> {
    const started = Date.now();
    if (job.name !== JobName.Assess) throw new Error(`queue ${QueueName.Review} has no handler for job ${job.name}`);
    const outboxId = job.data?.outboxId;
    if (typeof outboxId !== 'string') throw new Error(`job ${job.id} has no outboxId`);
    const stored = await this.evidence.processOutbox(outboxId);
    this.logger.log({ jobId: job.id, job: job.name, queue: QueueName.Review, ms: Date.now() - started, assessed: stored !== null }, 'job done');
  }

  onApplicationBootstrap(): void {
    logConnectionErrors(this.worker, this.logger, `worker ${QueueName.Review}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }
}
