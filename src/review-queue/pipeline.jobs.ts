import { Injectable } from '@nestjs/common';
import { EvidenceService } from '../evidence/evidence.service.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';
import { ReviewService } from './review.service.js';

/** The review pipeline: a ticket is assessed and routed in one transaction, exactly when the assessment is stored. */
@Injectable()
export class PipelineJobs {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly review: ReviewService,
  ) {}

  @OnJob(JobName.Assess)
  async assess({ outboxId }: JobData[JobName.Assess]): Promise<void> {
    await this.evidence.processOutbox(outboxId, (em, ticketId) => this.review.routeInside(em, ticketId));
  }
}
