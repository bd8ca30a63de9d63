import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { AuthModule } from '../auth/auth.module.js';
import { PROJECT_ROOT } from '../common/paths.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DecisionsController } from './decisions.controller.js';
import { DecisionsService, REPLY_TEMPLATES } from './decisions.service.js';
import { QueueViewService } from './queue-view.service.js';
import { QueueController } from './queue.controller.js';
import { loadReplyTemplatesFile } from './reply-templates.js';
import { TicketViewService } from './ticket-view.service.js';

/** The moderators' dashboard pages: the queue, "Work next", the ticket page and its decisions (issue 5). */
@Module({
  imports: [AuthModule],
  controllers: [QueueController, DecisionsController],
  providers: [
    DecisionsService,
    // Read once at boot: a bad file stops the boot with every problem listed.
    { provide: REPLY_TEMPLATES, inject: [APP_CONFIG], useFactory: (c: AppConfig) => loadReplyTemplatesFile(resolve(PROJECT_ROOT, c.recovery.replyTemplatesFile)) },
    QueueViewService, TicketViewService,
  ],
})
export class ModerationModule {}
