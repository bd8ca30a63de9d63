import { type DynamicModule, Module } from '@nestjs/common';
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
   * timers and the reconciler. ROLE=all does both.
   */
  static forRole(withWeb: boolean, withWorkers: boolean): DynamicModule {
    return {
      module: ReviewQueueModule,
      global: true,
      controllers: withWeb ? [ReviewApiController] : [],
      providers: [
        ReviewService, QueueMirror, WorkNextService,
        ...(withWorkers ? [PipelineProcessor, TimersProcessor, WebhookSender, ReconcilerService] : []),
      ],
      exports: [ReviewService, WorkNextService, QueueMirror],
    };
  }
}
