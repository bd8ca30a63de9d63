import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { ClosingWorkerHost } from '../redis/closing-worker-host.js';
import { WeeklySummaryService } from '../reports/weekly-summary.service.js';
import { CloseUnansweredService } from './close-unanswered.service.js';
import { JobName, QueueName } from '../jobs/job.constants.js';

/**
 * The jobs BullMQ's job schedulers make (JobSchedules): the hourly close-unanswered sweep and the weekly
 * summary to ops. They carry no data; each service reads "now" from the Clock and is safe to run twice.
 */
@Processor(QueueName.Periodic, { concurrency: 1 })
export class PeriodicProcessor extends ClosingWorkerHost {
  protected readonly logger = new Logger(PeriodicProcessor.name);
  protected readonly queueName = QueueName.Periodic;

  constructor(
    private readonly unanswered: CloseUnansweredService,
    private readonly weeklySummary: WeeklySummaryService,
  ) {
    super();
  }

  async process(job: Job): Promise<unknown> {
    const started = Date.now();
    const done = (result: unknown) => {
      this.logger.log({ jobId: job.id, job: job.name, queue: QueueName.Periodic, ms: Date.now() - started, result }, 'job done');
      return result;
    };
    switch (job.name) {
      case JobName.CloseUnanswered:
        return done(await this.unanswered.closeDue());
      case JobName.WeeklySummary:
        return done(await this.weeklySummary.send());
      default:
        throw new Error(`queue ${QueueName.Periodic} has no handler for job ${job.name}`);
    }
  }
}
