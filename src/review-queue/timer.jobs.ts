import { Inject, Injectable, Logger } from '@nestjs/common';
import { pauseBeforeCommit } from '../common/test-pause.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { DelayJob, type JobContext, OnJob } from '../jobs/job-handlers.js';
import type { SlaMark } from '../sla/sla-clock.js';
import { TicketChanged } from '../tickets/ticket-changed.error.js';
import { isOpen } from '../tickets/ticket-state.js';
import { isRefusal } from '../tickets/ticket-workflow.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { type MirroredFields } from '../tickets/dispatch-order.js';
import { QueueMirror } from './queue-mirror.service.js';
import { ReviewService } from './review.service.js';

/** Only what the clock, the breach notice and Redis need: a timer fires thousands of times a minute. */
const FIRE_COLUMNS = {
  id: true,
  reference: true,
  requestType: true,
  state: true,
  claimedBy: true,
  createdAt: true,
  slaNextAt: true,
  escalated: true,
  recommendation: true,
  leaseExpiresAt: true,
  coolingOffEndsAt: true,
  slaCycle: true,
  slaCycleStartedAt: true,
  firstRespondedAt: true,
  slaDecidedAt: true,
  slaPausedSince: true,
  slaPauses: true,
  responseWarnAt: true,
  responseDueAt: true,
  decisionWarnAt: true,
  decisionDueAt: true,
  slaResponseLevel: true,
  slaDecisionLevel: true,
  slaLevel: true,
  slaResponseMs: true,
  slaDecisionMs: true,
} as const;

/** What a fired SLA timer did. */
export type FireOutcome = { kind: 'marked'; marks: SlaMark[]; stale: string[]; ticket: MirroredFields } | { kind: 'not_due'; at: Date } | { kind: 'nothing' };

/**
 * Wake-ups (docs/architecture.md, principle 3): SLA marks and lease expiry. Each re-reads the ticket
 * and acts only if the deadline it was armed for still holds; the workflow's conditional updates make
 * a second firing do nothing. (The end of a cooling-off is the resets module's job.)
 */
@Injectable()
export class TimerJobs {
  private readonly logger = new Logger(TimerJobs.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly writer: TicketWriter,
    private readonly review: ReviewService,
    private readonly mirror: QueueMirror,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An SLA timer woke up: mark what is due, once (sla_due). */
  async fire(ticketId: string): Promise<FireOutcome> {
    return this.transactions.run(async (em): Promise<FireOutcome> => {
      const ticket = await em.findOne<Ticket>(Ticket, { where: { id: ticketId }, select: FIRE_COLUMNS });
      if (!ticket || !isOpen(ticket.state)) return { kind: 'nothing' };
      const decision = this.writer.decide({ ticket, recovery: null }, { type: 'sla_due' });
      if (isRefusal(decision)) return decision.reason === 'not_due' && decision.at ? { kind: 'not_due', at: decision.at } : { kind: 'nothing' };
      try {
        await this.writer.apply(em, decision);
      } catch (error) {
        // Another firing (or worker) marked first: the conditional update matched nothing.
        if (error instanceof TicketChanged) return { kind: 'nothing' };
        throw error;
      }
      if (decision.marks.some((m) => m.level === 'breached')) await pauseBeforeCommit(this.config, 'sla-breach', this.logger);
      return { kind: 'marked', marks: decision.marks, stale: decision.timers.cancel, ticket: decision.ticket };
    });
  }

  @OnJob(JobName.SlaCheck)
  async slaCheck({ ticketId }: JobData[JobName.SlaCheck], job: JobContext): Promise<unknown> {
    const outcome = await this.fire(ticketId);
    if (outcome.kind === 'not_due') return new DelayJob(outcome.at);
    if (outcome.kind === 'marked') {
      this.logger.log({ ticketId, marks: outcome.marks }, 'SLA marked');
      if (outcome.marks.some((m) => m.level === 'breached')) this.logger.warn({ ticketId, marks: outcome.marks }, 'SLA breached');
      // No sync row on this hot path: Redis is brought in line right after the commit, and should that
      // fail, the reconciler does it (docs/architecture.md, principle 2). The stale timer is this very job.
      await this.mirror
        .syncFrom(
          ticketId,
          outcome.ticket,
          outcome.stale.filter((id) => id !== job.id),
          true,
        )
        .catch((e: Error) => this.logger.warn(`Redis sync of ${ticketId} after SLA marks: ${e.message}; the reconciler will redo it`));
    }
    return outcome.kind;
  }

  @OnJob(JobName.LeaseExpiry)
  async leaseExpiry({ ticketId }: JobData[JobName.LeaseExpiry]): Promise<string> {
    return this.review.expireLease(ticketId);
  }
}
