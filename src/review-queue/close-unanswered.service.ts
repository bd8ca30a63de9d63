import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { JobName } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';
import { TicketChanged } from '../tickets/ticket-changed.error.js';
import { isRefusal } from '../tickets/ticket-workflow.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { TicketState } from '../tickets/ticket-state.js';
import { unansweredCutoff } from '../tickets/unanswered.js';

const BATCH = 500;

export interface CloseUnansweredReport {
  closed: number;
  /** Answered, or changed by someone, between the selection and the closing: left open. */
  skipped: number;
  failed: number;
}

/**
 * Closes tickets left waiting on the requester longer than CLOSE_UNANSWERED_AFTER (the hourly
 * close-unanswered job). Each ticket is closed in its own transaction, re-read and conditional on it being
 * unchanged, so a requester answering at that moment wins or loses cleanly, and a second run closes nothing twice.
 */
@Injectable()
export class CloseUnansweredService {
  private readonly logger = new Logger(CloseUnansweredService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One sweep; throws after it if any ticket failed to close, so the job is retried (safe: the rest are closed). */
  @OnJob(JobName.CloseUnanswered)
  async closeDue(): Promise<CloseUnansweredReport> {
    const report: CloseUnansweredReport = { closed: 0, skipped: 0, failed: 0 };
    const cutoff = unansweredCutoff(this.clock.now(), this.config.review.closeUnansweredMs);
    if (cutoff === null) return report;
    // Keyset on id: a ticket left open (answered meanwhile, or failing) is not selected again in this sweep.
    for (let after = ''; ;) {
      const batch = await this.dataSource.getRepository(Ticket).find({
        where: { state: TicketState.AwaitingRequester, slaPausedSince: LessThan(cutoff), id: MoreThan(after) },
        select: { id: true },
        order: { id: 'ASC' },
        take: BATCH,
      });
      for (const { id } of batch) {
        await this.closeOne(id, cutoff).then(
          (closed) => (closed ? report.closed++ : report.skipped++),
          (error: Error) => {
            report.failed++;
            this.logger.warn(`closing unanswered ticket ${id}: ${error.message}`);
          },
        );
      }
      if (batch.length < BATCH) break;
      after = batch[batch.length - 1].id;
    }
    if (report.closed + report.skipped + report.failed > 0) this.logger.log(report, 'closed tickets nobody answered');
    if (report.failed > 0) throw new Error(`${report.failed} unanswered ticket(s) could not be closed; see the warnings above`);
    return report;
  }

  private async closeOne(ticketId: string, cutoff: Date): Promise<boolean> {
    try {
      return await this.transactions.run(async (em) => {
        const ticket = await this.tickets.byId(ticketId, em);
        const decision = ticket && this.writer.decide({ ticket, recovery: null }, { type: 'close_unanswered', cutoff });
        if (!decision || isRefusal(decision)) return false;
        await this.writer.apply(em, decision);
        return true;
      });
    } catch (error) {
      if (error instanceof TicketChanged) return false;
      throw error;
    }
  }
}
