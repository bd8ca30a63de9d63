import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { ClosingWorkerHost } from '../redis/closing-worker-host.js';
import { SlaService } from '../sla/sla.service.js';
import { COOLING_OFF_HANDLER, type CoolingOffHandler } from './cooling-off.port.js';
import { QueueMirror } from './queue-mirror.service.js';
import { ReviewService } from './review.service.js';
import { JobName, QueueName } from '../jobs/job.constants.js';

/**
 * Wake-ups (DESIGN.md principle 3): SLA marks, lease expiry, the end of a cooling-off. Each re-reads
 * the ticket and acts only if the deadline it was armed for still holds. The services' conditional updates make a second firing do nothing.
 */
@Processor(QueueName.Timers, { concurrency: 20 })
export class TimersProcessor extends ClosingWorkerHost {
  protected readonly logger = new Logger(TimersProcessor.name);
  protected readonly queueName = QueueName.Timers;

  constructor(
    private readonly sla: SlaService,
    private readonly review: ReviewService,
    private readonly mirror: QueueMirror,
    private readonly relay: OutboxRelay,
    @Inject(COOLING_OFF_HANDLER) private readonly coolingOff: CoolingOffHandler,
  ) {
    super();
  }

  async process(job: Job<{ ticketId?: unknown; at?: unknown }>, token?: string): Promise<string> {
    const ticketId = job.data?.ticketId;
    if (typeof ticketId !== 'string') throw new Error(`job ${job.id} has no ticketId`);
    switch (job.name) {
      case JobName.SlaCheck: {
        const outcome = await this.sla.fire(ticketId);
        if (outcome.kind === 'not_due' && token) {
          // Woken early (clocks differ a little between machines): sleep again until the deadline.
          await job.moveToDelayed(outcome.at.getTime(), token);
          throw new DelayedError();
        }
        if (outcome.kind === 'marked') {
          this.logger.log({ ticketId, marks: outcome.marks }, 'SLA marked');
          if (outcome.marks.some((m) => m.level === 'breached')) void this.relay.kick(); // ops mail, webhook
          // The stale timer is this very job: it ends by itself.
          await this.mirror.syncFrom(ticketId, outcome.ticket, outcome.stale.filter((id) => id !== job.id), true)
            .catch((e: Error) => this.logger.warn(`Redis sync of ${ticketId} after SLA marks: ${e.message}; the reconciler will redo it`));
        }
        return outcome.kind;
      }
      case JobName.LeaseExpiry:
        return this.review.expireLease(ticketId);
      case JobName.CoolingOffEnd: {
        const outcome = await this.coolingOff.coolingOffEnded(ticketId);
        if (outcome.kind === 'not_due' && token) {
          await job.moveToDelayed(outcome.at.getTime(), token);
          throw new DelayedError();
        }
        return outcome.kind;
      }
      default:
        throw new Error(`queue ${QueueName.Timers} has no handler for job ${job.name}`);
    }
  }
}
