import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { IntakeApiController } from './intake-api.controller.js';
import { IntakePagesController } from './intake-pages.controller.js';
import { IntakeService } from './intake.service.js';
import { IntakeRateLimiter } from './intake-rate-limits.js';
import { RequesterAdditions } from './requester-additions.js';
import { StatusPagesController } from './status-pages.controller.js';
import { StatusService } from './status.service.js';

/** The requester's side: the form and the JSON API, and the private status page. */
@Module({
  imports: [DirectoryModule, EvidenceModule, RedisModule, TicketsModule],
  controllers: [IntakeApiController, IntakePagesController, StatusPagesController],
  providers: [IntakeService, IntakeRateLimiter, RequesterAdditions, StatusService],
  exports: [IntakeService],
})
export class IntakeModule {}
