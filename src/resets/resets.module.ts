import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { ResetPagesController } from './reset-pages.controller.js';
import { ResetsService } from './resets.service.js';

/**
 * Reset links (docs/architecture.md, `resets/`): the end of the cooling-off (its timer job), the stop
 * link, the single-use reset link and the page that sets the password.
 */
@Module({
  imports: [DirectoryModule, TicketsModule, EvidenceModule],
  controllers: [ResetPagesController],
  providers: [ResetsService],
  exports: [ResetsService],
})
export class ResetsModule {}
