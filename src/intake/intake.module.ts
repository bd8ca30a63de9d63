import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import { IntakeApiController } from './intake-api.controller.js';
import { IntakePagesController } from './intake-pages.controller.js';
import { IntakeService } from './intake.service.js';
import { IntakeRateLimiter } from './rate-limiter.service.js';
import { StatusPagesController } from './status-pages.controller.js';
import { StatusService } from './status.service.js';

@Module({
  imports: [DirectoryModule],
  controllers: [IntakeApiController, IntakePagesController, StatusPagesController],
  providers: [IntakeService, IntakeRateLimiter, StatusService],
  exports: [IntakeService],
})
export class IntakeModule {}
