import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { TicketEvent } from '../tickets/ticket.entity.js';
import type { TicketEventType } from '../tickets/ticket.types.js';

/** What the requester adds to an open ticket after submitting it: status-page messages and repeated requests. */
const ADDITIONS: TicketEventType[] = ['message', 'follow_up'];

/**
 * The per-ticket cap on what a requester adds (REQUESTER_MESSAGES_PER_TICKET). Each addition is kept,
 * assessed again and shown on the status page, so without a cap one status link or one contact address
 * could grow a ticket, its page and the scorer's work without bound. The client rate limit does not
 * bound it: a status link needs no new request.
 */
@Injectable()
export class RequesterAdditions {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Refuses (409, naming the cap) an addition past the cap. Call inside the writing transaction: the
   * write bumps the ticket's version, so two racing additions are retried one after the other and the
   * second counts the first. An answer to the team's question is always taken: the team asked for it,
   * and one is taken per question, so the team's own questions bound them.
   */
  async assertRoomFor(em: EntityManager, ticketId: string, answersQuestion: boolean): Promise<void> {
    if (answersQuestion) return;
    const cap = this.config.intake.messagesPerTicket;
    const added = await em.count(TicketEvent, { where: { ticketId, actor: 'requester', type: In(ADDITIONS) } });
    if (added < cap) return;
    throw new DomainError(
      DomainErrorCode.Conflict,
      `This request already holds ${cap} messages and repeated requests from you, the most one request takes. ` +
        'The team reads all of them; if they need more from you, they will ask on your status page, and you can answer there.',
    );
  }
}
