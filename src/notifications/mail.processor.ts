import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { logConnectionErrors } from '../redis/connection-errors.js';
import { QueueName } from '../review-queue/queue.constants.js';
import { MAIL_TRANSPORT } from './notifications.constants.js';
import type { MailTransport } from './mail-transport.js';
import { NotificationsService } from './notifications.service.js';
import { OutboxMessage } from './outbox.entity.js';

/** Sends one queued mail. Safe to run twice: a delivered row is marked and its payload emptied. */
@Processor(QueueName.Mail, { concurrency: 4 })
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
  ) {
    super();
  }

  async process(job: Job<{ outboxId: string }>): Promise<void> {
    const started = Date.now();
    const outboxId = job.data?.outboxId;
    if (typeof outboxId !== 'string') throw new Error(`job ${job.id} has no outboxId`);
    const row = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id: outboxId });
    const mail = row && !row.processedAt ? this.notifications.openMail(row) : null;
    if (mail) {
      try {
        await this.transport.send(mail);
      } catch (error) {
        await this.transactions.run((em) => em.update(OutboxMessage, { id: outboxId },
          { attempts: (row!.attempts ?? 0) + 1, lastError: String((error as Error).message).slice(0, 500) }));
        throw error;
      }
      await this.transactions.run((em) => em.update(OutboxMessage, { id: outboxId },
        { processedAt: this.clock.now(), payload: null, attempts: row!.attempts + 1, lastError: null }));
    }
    this.logger.log({ jobId: job.id, job: job.name, queue: QueueName.Mail, ms: Date.now() - started, sent: Boolean(mail) }, 'job done');
  }

  /** The worker exists once the module is initialised; warn once per Redis outage, as the queue does. */
  onApplicationBootstrap(): void {
    logConnectionErrors(this.worker, this.logger, `worker ${QueueName.Mail}`);
  }

  /** Let running jobs finish while the database is still open (it closes on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
