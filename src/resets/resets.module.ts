import { Global, Module } from '@nestjs/common';
import { COOLING_OFF_HANDLER } from '../review-queue/cooling-off.port.js';
import { ResetPagesController } from './reset-pages.controller.js';
import { ResetsService } from './resets.service.js';

/**
 * Reset links (DESIGN.md, `resets/`): cooling-off, the stop link, the single-use reset link and the page
 * that sets the password. Global so that the timers queue (review-queue) can wake it without importing it.
 */
@Global()
@Module({
  controllers: [ResetPagesController],
  providers: [ResetsService, { provide: COOLING_OFF_HANDLER, useExisting: ResetsService }],
  exports: [ResetsService, COOLING_OFF_HANDLER],
})
export class ResetsModule {}
