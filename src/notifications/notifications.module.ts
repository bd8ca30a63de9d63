import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MailJobs } from './mail.jobs.js';
import { FileMailTransport, SmtpMailTransport } from './mail-transport.js';
import { MAIL_TRANSPORT } from './notifications.constants.js';
import { NotificationsService } from './notifications.service.js';

/** Mail: queued in the caller's transaction, sent by the mail job (in worker processes). */
@Module({
  imports: [JobsModule],
  providers: [
    NotificationsService,
    MailJobs,
    {
      provide: MAIL_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.mail.smtpUrl ? new SmtpMailTransport(config.mail.smtpUrl) : new FileMailTransport(config.mail.dir)),
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
