import { Processor } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { ClosingWorkerHost } from '../redis/closing-worker-host.js';
import { MAIL_TRANSPORT } from './notifications.constants.js';
import type { MailTransport } from './mail-transport.js';
import { NotificationsService } from './notifications.service.js';
import { OutboxMessage } from './outbox.entity.js';
import { QueueName } from '../jobs/job.constants.js';

/** Sends one queued mail. Safe to run twice: a delivered row is marked and its payload emptied. */
@Processor(QueueName.Mail, { concurrency: 4 })
export class MailProcessor extends ClosingWorkerHost implements OnApplicationShutdown {
  protected readonly logger = new Logger(MailProcessor.name);
  protected readonly queueName = QueueName.Mail;

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

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
