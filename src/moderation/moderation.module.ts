import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { QueueViewService } from './queue-view.service.js';
import { QueueController } from './queue.controller.js';
import { TicketViewService } from './ticket-view.service.js';

/** The moderators' dashboard pages: the queue, "Work next" and the ticket page (issue 5). */
@Module({
  imports: [AuthModule],
  controllers: [QueueController],
  providers: [QueueViewService, TicketViewService],
})
export class ModerationModule {}
