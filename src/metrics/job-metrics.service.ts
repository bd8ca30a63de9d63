import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JobWorkers } from '../jobs/job-workers.service.js';
import type { DecisionMetric } from './metrics.registry.js';
import { MetricsRegistry } from './metrics.registry.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import type { CommandType } from '../tickets/ticket-transitions.js';

/** The commands that count as a moderator's decision, by their metric label. */
const DECISIONS: Partial<Record<CommandType, DecisionMetric>> = {
  ask: 'info_requested',
  deny: 'denied',
  approve: 'approved',
  second_approval: 'second_approval',
};

/**
 * Counts what happens as it happens, from the two places that see everything: the ticket writer (claims,
 * decisions and SLA marks, each once its transaction committed, so a rolled-back one never counts) and
 * the job workers (every attempt's duration and each failure). A job moved back to delayed counts neither.
 */
@Injectable()
export class JobMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly writer: TicketWriter,
    private readonly workers: JobWorkers,
  ) {}

  onModuleInit(): void {
    this.writer.onCommitted((t) => {
      if (t.command === 'claim') this.metrics.claimed();
      const decision = DECISIONS[t.command];
      if (decision) this.metrics.decided(decision);
      if (t.marks.length > 0) this.metrics.slaMarked(t.marks);
    });
    this.workers.onFinished((job) => this.metrics.jobFinished(job.queue, job.name, job.outcome, job.seconds));
  }
}
