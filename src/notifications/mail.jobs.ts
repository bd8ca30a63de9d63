import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';
import { OutboxMessage } from '../jobs/outbox.entity.js';
import type { MailTransport } from './mail-transport.js';
import { MAIL_TRANSPORT } from './notifications.constants.js';
import { NotificationsService } from './notifications.service.js';

/** Sends one queued mail. Safe to run twice: a delivered row is marked and its payload emptied. */
@Injectable()
export class MailJobs implements OnApplicationShutdown {
  private readonly logger = new Logger(MailJobs.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
  ) {}

  @OnJob(JobName.SendMail)
  async send({ outboxId }: JobData[JobName.SendMail]): Promise<{ sent: boolean }> {
    const row = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id: outboxId });
    const mail = row && !row.processedAt ? this.notifications.openMail(row) : null;
    if (!mail) return { sent: false };
    try {
      await this.transport.send(mail);
    } catch (error) {
      await this.transactions.run((em) =>
        em.update(OutboxMessage, { id: outboxId }, { attempts: row!.attempts + 1, lastError: String((error as Error).message).slice(0, 500) }),
      );
      throw error;
    }
    await this.transactions.run((em) =>
      em.update(OutboxMessage, { id: outboxId }, { processedAt: this.clock.now(), payload: null, attempts: row!.attempts + 1, lastError: null }),
    );
    this.logger.log({ outboxId }, 'mail sent');
    return { sent: true };
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
