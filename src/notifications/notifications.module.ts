import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MailProcessor } from './mail.processor.js';
import { FileMailTransport, SmtpMailTransport } from './mail-transport.js';
import { MAIL_TRANSPORT } from './notifications.constants.js';
import { NotificationsService } from './notifications.service.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { QueueName } from '../jobs/job.constants.js';

@Module({})
export class NotificationsModule {
  /** The mail worker runs only where jobs are processed (ROLE=worker or all). */
  static forRole(withWorkers: boolean): DynamicModule {
    const transport = {
      provide: MAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.mail.smtpUrl ? new SmtpMailTransport(config.mail.smtpUrl) : new FileMailTransport(config.mail.dir),
    };
    return {
      module: NotificationsModule,
      global: true,
      // The outbox relay publishes to most queues, so every queue is registered (once) here and shared.
      imports: [BullModule.registerQueue(
        { name: QueueName.Mail }, { name: QueueName.Review }, { name: QueueName.Dispatch }, { name: QueueName.Timers }, { name: QueueName.Periodic },
      )],
      providers: [NotificationsService, OutboxRelay, ...(withWorkers ? [transport, MailProcessor] : [])],
      exports: [NotificationsService, OutboxRelay, BullModule],
    };
  }
}
