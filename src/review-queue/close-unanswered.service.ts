import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { updateTicketIfUnchanged } from '../tickets/ticket-updates.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { TicketState } from '../tickets/ticket-state.js';
import { ReviewService } from './review.service.js';
import { requestSync } from './sync-requests.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { isUnanswered, unansweredCutoff } from '../tickets/unanswered.js';

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
    private readonly review: ReviewService,
    private readonly notifications: NotificationsService,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One sweep; throws after it if any ticket failed to close, so the job is retried (safe: the rest are closed). */
  async closeDue(): Promise<CloseUnansweredReport> {
    const report: CloseUnansweredReport = { closed: 0, skipped: 0, failed: 0 };
    const cutoff = unansweredCutoff(this.clock.now(), this.config.reports.closeUnansweredMs);
    if (cutoff === null) return report;
    // Keyset on id: a ticket left open (answered meanwhile, or failing) is not selected again in this sweep.
    for (let after = ''; ;) {
      const batch = await this.dataSource.getRepository(Ticket).find({
        where: { state: TicketState.AwaitingRequester, slaPausedSince: LessThan(cutoff), id: MoreThan(after) },
        select: { id: true }, order: { id: 'ASC' }, take: BATCH,
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
    if (report.closed > 0) void this.relay.kick();
    if (report.closed + report.skipped + report.failed > 0) this.logger.log(report, 'closed tickets nobody answered');
    if (report.failed > 0) throw new Error(`${report.failed} unanswered ticket(s) could not be closed; see the warnings above`);
    return report;
  }

  private async closeOne(ticketId: string, cutoff: Date): Promise<boolean> {
    return this.transactions.run(async (em) => {
      const ticket = await em.findOneBy(Ticket, { id: ticketId });
      if (!ticket || !isUnanswered(ticket, cutoff)) return false;
      const now = this.clock.now();
      const waitingSince = ticket.slaPausedSince!;
      const { changes, stale } = this.review.closing(ticket, now, 'closed_no_response');
      const won = await updateTicketIfUnchanged(em, ticket, {
        ...changes, state: TicketState.ClosedNoResponse, openKey: null, closedAt: now, updatedAt: now,
      });
      if (!won) return false;
      await addTicketEvent(em, {
        ticketId: ticket.id, type: 'closed_no_response', actor: 'system', public: true, createdAt: now,
        data: { waiting_since: waitingSince.toISOString() },
      });
      await this.notifications.queueMail(em, ticket.contactEmail, MailTemplate.ClosedNoResponse, {
        reference: ticket.reference, username: ticket.username, waitingSince: waitingSince.toISOString().slice(0, 16).replace('T', ' '),
        contact: this.config.review.opsEmail, recoverUrl: `${this.config.publicBaseUrl}/recover`,
      });
      await requestSync(em, ticket.id, now, stale);
      return true;
    });
  }
}
