import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { EvidenceService } from '../evidence/evidence.service.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { ClosingWorkerHost } from '../redis/closing-worker-host.js';
import { QueueMirror } from './queue-mirror.service.js';
import { ReviewService } from './review.service.js';
import { WebhookSender } from './webhook-sender.service.js';
import { JobName, QueueName } from '../jobs/job.constants.js';

/** The review pipeline: assess → route (one transaction), sync Redis with SQL, ops webhooks. */
@Processor(QueueName.Review, { concurrency: 4 })
export class PipelineProcessor extends ClosingWorkerHost {
  protected readonly logger = new Logger(PipelineProcessor.name);
  protected readonly queueName = QueueName.Review;

  constructor(
    private readonly evidence: EvidenceService,
    private readonly review: ReviewService,
    private readonly mirror: QueueMirror,
    private readonly webhooks: WebhookSender,
    private readonly relay: OutboxRelay,
  ) {
    super();
  }

  async process(job: Job<{ outboxId?: unknown }>): Promise<void> {
    const started = Date.now();
    const outboxId = job.data?.outboxId;
    if (typeof outboxId !== 'string') throw new Error(`job ${job.id} has no outboxId`);
    switch (job.name) {
      case JobName.Assess:
        await this.evidence.processOutbox(outboxId, (em, ticketId) => this.review.routeInside(em, ticketId));
        // Routing wrote a sync row (and maybe mail): publish it now rather than at the relay's next round.
        void this.relay.kick();
        break;
      case JobName.Sync:
        await this.mirror.processOutbox(outboxId);
        break;
      case JobName.Webhook:
        await this.webhooks.processOutbox(outboxId);
        break;
      default:
        throw new Error(`queue ${QueueName.Review} has no handler for job ${job.name}`);
    }
    this.logger.debug({ jobId: job.id, job: job.name, queue: QueueName.Review, ms: Date.now() - started }, 'job done');
  }
}
