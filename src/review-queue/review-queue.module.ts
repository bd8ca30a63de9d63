import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { AssessmentLanes } from './assessment-lanes.service.js';
import { CloseUnansweredService } from './close-unanswered.service.js';
import { JobSchedules } from './job-schedules.service.js';
import { PipelineJobs } from './pipeline.jobs.js';
import { QueueMirror } from './queue-mirror.service.js';
import { ReconcilerService } from './reconciler.service.js';
import { ReviewApiController } from './review-api.controller.js';
import { ReviewService } from './review.service.js';
import { TimerJobs } from './timer.jobs.js';
import { WebhookSender } from './webhook-sender.service.js';
import { WorkNextService } from './work-next.service.js';

/**
 * The moderators' queue: claims (work next) and the staff API in web processes; the pipeline, the
 * timers, the reconciler and the periodic jobs' schedules in worker processes (ROLE=all does both).
 */
@Module({
  imports: [JobsModule, TicketsModule, EvidenceModule],
  controllers: [ReviewApiController],
  providers: [
    AssessmentLanes,
    ReviewService,
    QueueMirror,
    WorkNextService,
    PipelineJobs,
    TimerJobs,
    WebhookSender,
    ReconcilerService,
    CloseUnansweredService,
    JobSchedules,
  ],
  exports: [ReviewService, WorkNextService, QueueMirror, TimerJobs],
})
export class ReviewQueueModule {}
