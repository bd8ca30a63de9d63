import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { resolve } from 'node:path';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { ResetsModule } from '../resets/resets.module.js';
import { ReviewQueueModule } from '../review-queue/review-queue.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { AuditPageController } from './audit-page.controller.js';
import { AuditViewService } from './audit-view.service.js';
import { PROJECT_ROOT } from '../common/paths.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DecisionsController } from './decisions.controller.js';
import { DecisionsService, REPLY_TEMPLATES } from './decisions.service.js';
import { QueueViewService } from './queue-view.service.js';
import { QueueController } from './queue.controller.js';
import { loadReplyTemplatesFile } from './reply-templates.js';
import { TicketPageService } from './ticket-page.service.js';
import { TicketViewService } from './ticket-view.service.js';

/** The staff dashboard: the queue, "Work next", the ticket page and its decisions, the audit page. */
@Module({
  imports: [DirectoryModule, AuditModule, AuthModule, EvidenceModule, ResetsModule, ReviewQueueModule, TicketsModule],
  controllers: [QueueController, DecisionsController, AuditPageController],
  providers: [
    DecisionsService,
    // Read once at boot: a bad file stops the boot with every problem listed.
    {
      provide: REPLY_TEMPLATES,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => loadReplyTemplatesFile(resolve(PROJECT_ROOT, c.moderation.replyTemplatesFile)),
    },
    QueueViewService,
    TicketViewService,
    TicketPageService,
    AuditViewService,
  ],
})
export class ModerationModule {}
