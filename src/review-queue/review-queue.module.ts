import { type DynamicModule, Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module.js';
import { CloseUnansweredService } from './close-unanswered.service.js';
import { JobSchedules } from './job-schedules.service.js';
import { PeriodicProcessor } from './periodic.processor.js';
import { PipelineProcessor } from './pipeline.processor.js';
import { QueueMirror } from './queue-mirror.service.js';
import { ReconcilerService } from './reconciler.service.js';
import { ReviewApiController } from './review-api.controller.js';
import { ReviewService } from './review.service.js';
import { TimersProcessor } from './timers.processor.js';
import { WebhookSender } from './webhook-sender.service.js';
import { WorkNextService } from './work-next.service.js';

@Module({})
export class ReviewQueueModule {
  /**
   * Web processes claim (work next) and serve the staff API; worker processes run the pipeline, the
   * timers, the reconciler and the periodic jobs, and set those jobs' schedulers. ROLE=all does both.
   */
  static forRole(withWeb: boolean, withWorkers: boolean): DynamicModule {
    return {
      module: ReviewQueueModule,
      global: true,
      // The weekly summary (a periodic job) is built by the reports module.
      imports: withWorkers ? [ReportsModule] : [],
      controllers: withWeb ? [ReviewApiController] : [],
      providers: [
        ReviewService, QueueMirror, WorkNextService,
        ...(withWorkers
          ? [PipelineProcessor, TimersProcessor, WebhookSender, ReconcilerService, CloseUnansweredService, PeriodicProcessor, JobSchedules]
          : []),
      ],
      exports: [ReviewService, WorkNextService, QueueMirror],
    };
  }
}
