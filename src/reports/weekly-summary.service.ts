import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUniqueViolation, Transactions } from '../database/transactions.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { ReportsService } from './reports.service.js';
import { lastFullWeek, weeklySummaryContext, weeklySummaryId } from './weekly-summary.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { OutboxMessage } from '../jobs/outbox.entity.js';
import { JobName } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';

export interface WeeklySummaryOutcome {
  outcome: 'queued' | 'already_queued';
  from: string;
  to: string;
}

/**
 * Mails ops the report of the last seven full days (the weekly-summary job). At most once per week: the
 * mail's outbox row has a key made from the week, so a job that runs twice (a retry, two workers) finds
 * it, or loses the insert race on the primary key, and queues nothing.
 */
@Injectable()
export class WeeklySummaryService {
  private readonly logger = new Logger(WeeklySummaryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly reports: ReportsService,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(JobName.WeeklySummary)
  async send(): Promise<WeeklySummaryOutcome> {
    const range = lastFullWeek(this.clock.now(), this.config.reports.timeZone);
    const id = weeklySummaryId(range);
    const already: WeeklySummaryOutcome = { outcome: 'already_queued', from: range.from, to: range.to };
    if (await this.dataSource.getRepository(OutboxMessage).existsBy({ id })) return already;
    // The mail gives the number of breaches, not the list.
    const report = await this.reports.build(range, { breachesListed: 0 });
    const context = weeklySummaryContext(report, this.config.publicBaseUrl);
    try {
      await this.transactions.run((em) => this.notifications.queueMail(em, this.config.ops.email, MailTemplate.WeeklySummary, context, id));
    } catch (error) {
      if (isUniqueViolation(error)) return already;
      throw error;
    }
    this.logger.log({ from: range.from, to: range.to }, 'weekly summary queued');
    return { outcome: 'queued', from: range.from, to: range.to };
  }
}
