import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, IsNull, Not } from 'typeorm';
import { Clock } from '../common/clock.js';
import { usernameKey } from '../common/normalize.js';
import { hashToken, newReference, newSecretToken } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, isUniqueViolation, Transactions } from '../database/transactions.js';
import { DirectoryService } from '../directory/directory.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxRelay } from '../notifications/outbox-relay.service.js';
import { Ticket, TicketAccessToken, TicketLink } from '../tickets/ticket.entity.js';
import { TicketState } from '../tickets/ticket-state.js';
import { mergeClaims } from '../tickets/claims.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { SlaService } from '../sla/sla.service.js';
import { requestAssessment } from '../evidence/assessment-requests.js';
import { CODE_OF_CONDUCT } from './code-of-conduct.js';
import type { CreateTicketDto, TriStateInput } from './dto/create-ticket.dto.js';
import { IntakeRateLimiter } from './rate-limiter.service.js';
import { NO_REPORT_FIGURES, type TicketClaims, type TriState } from '../tickets/ticket.types.js';
import { MailTemplate } from '../notifications/mail-template.js';

export type SubmissionResult =
  | { kind: 'created'; reference: string; statusUrl: string; state: TicketState }
  | { kind: 'follow_up'; reference: string; state: TicketState };

const TRI: Record<string, TriState> = { true: 'yes', false: 'no', unknown: 'unknown' };
const tri = (value: TriStateInput | undefined): TriState => TRI[String(value ?? 'unknown')];

export function claimsOf(dto: CreateTicketDto): TicketClaims {
  return {
    // Addresses still read are addresses used on the account too: the scorer weighs them as claims.
    previousEmails: [...new Set([...(dto.previous_emails ?? []), ...(dto.emails_still_read ?? [])])],
    emailsStillRead: dto.emails_still_read ?? [],
    projects: dto.projects ?? [],
    joinedApprox: dto.joined_approx || null,
    has2fa: tri(dto.has_2fa),
    hasRecoveryCodes: tri(dto.has_recovery_codes),
    details: dto.details ?? '',
  };
}

/**
 * The requester's way in. A ticket is committed (with its timeline, status token and mail) before
 * anything is answered; a second request from the same address for the same account is folded into
 * the open ticket; one from another address opens a ticket and marks both as competing.
 * The same work is done whether or not the account exists, so neither answer nor timing tells.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly transactions: Transactions,
    private readonly directory: DirectoryService,
    private readonly notifications: NotificationsService,
    private readonly relay: OutboxRelay,
    private readonly limiter: IntakeRateLimiter,
    private readonly sla: SlaService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async submit(dto: CreateTicketDto, clientAddress: string): Promise<SubmissionResult> {
    await this.limiter.consume(clientAddress, usernameKey(dto.username));
    // Read outside the write transaction: the directory is not written here, and the lock is shorter.
    const accountId = await this.directory.findAccountId(dto.username);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.transactions.run((em) => this.record(em, dto, accountId, clientAddress));
        void this.relay.kick();
        return result;
      } catch (error) {
        // A racing duplicate took the open slot (or a reference collided): look again.
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  private async record(em: EntityManager, dto: CreateTicketDto, accountId: string | null, clientAddress: string): Promise<SubmissionResult> {
    const now = this.clock.now();
    const key = usernameKey(dto.username);
    const openKey = `${key}|${dto.contact_email}`;
    const token = newSecretToken();
    const statusUrl = `${this.config.publicBaseUrl}/status/${token}`;

    const open = await em.findOne(Ticket, { where: { openKey } });
    if (open) {
      await addTicketEvent(em, {
        ticketId: open.id, type: 'follow_up', actor: 'requester', public: true, createdAt: now,
        data: { request_type: dto.request_type, claims: claimsOf(dto) },
      }, clientAddress);
      // The follow-up's claims join the ticket's, and the ticket is assessed again with them.
      await em.update(Ticket, { id: open.id }, { claims: mergeClaims(open.claims, claimsOf(dto)), updatedAt: now });
      await requestAssessment(em, open.id, 'follow_up', now);
      await this.addAccessToken(em, open.id, token, now);
      await this.notifications.queueMail(em, dto.contact_email, MailTemplate.StatusLinkAgain,
        { reference: open.reference, username: open.username, statusUrl });
      return { kind: 'follow_up', reference: open.reference, state: open.state };
    }

    const ticket: Ticket = {
      id: randomUUID(), reference: newReference(), username: dto.username, usernameKey: key, accountId,
      contactEmail: dto.contact_email, requestType: dto.request_type, claims: claimsOf(dto),
      state: TicketState.Submitted, openKey, competing: false,
      cocVersion: CODE_OF_CONDUCT.version, cocAcceptedAt: now, cocMethod: null, cocRecordedBy: null, delayAcknowledgedAt: now, coolingOffEndsAt: null,
      createdAt: now, updatedAt: now, decidedAt: null, closedAt: null, version: 1,
      ...NO_REPORT_FIGURES,
      score: null, band: null, recommendation: null, riskFlags: null, ruleVersion: null, assessedAt: null,
      claimedBy: null, claimedAt: null, leaseExpiresAt: null, escalated: false,
      // The SLA clock runs from arrival; its timer is armed once the pipeline routes the ticket.
      ...this.sla.start({ requestType: dto.request_type, createdAt: now }),
    };
    await insertRows(em, Ticket, ticket);
    await addTicketEvent(em, {
      ticketId: ticket.id, type: 'submitted', actor: 'requester', public: true, createdAt: now,
      data: { coc_version: CODE_OF_CONDUCT.version },
    }, clientAddress);
    await this.markCompeting(em, ticket, now);
    await requestAssessment(em, ticket.id, 'submitted', now);
    await this.addAccessToken(em, ticket.id, token, now);
    await this.notifications.queueMail(em, dto.contact_email, MailTemplate.Acknowledgement,
      { reference: ticket.reference, username: ticket.username, statusUrl });
    return { kind: 'created', reference: ticket.reference, statusUrl, state: ticket.state };
  }

  /** Other open tickets for the same account came from other addresses: link them all and flag them. */
  private async markCompeting(em: EntityManager, ticket: Ticket, now: Date): Promise<void> {
    const rivals = await em.find(Ticket, {
      where: { usernameKey: ticket.usernameKey, openKey: Not(IsNull()), id: Not(ticket.id) },
      select: { id: true, reference: true },
    });
    if (rivals.length === 0) return;
    await em.update(Ticket, { id: In([ticket.id, ...rivals.map((r) => r.id)]) }, { competing: true, updatedAt: now });
    for (const rival of rivals) {
      // A rival request is a risk the rival's assessment must show too.
      await requestAssessment(em, rival.id, 'competing_request', now);
      await insertRows(em, TicketLink, [
        { ticketId: ticket.id, linkedTicketId: rival.id, reason: 'competing_request', createdAt: now },
        { ticketId: rival.id, linkedTicketId: ticket.id, reason: 'competing_request', createdAt: now },
      ]);
      await addTicketEvent(em, { ticketId: rival.id, type: 'competing_request', actor: 'system', public: false, createdAt: now, data: { reference: ticket.reference } });
      await addTicketEvent(em, { ticketId: ticket.id, type: 'competing_request', actor: 'system', public: false, createdAt: now, data: { reference: rival.reference } });
    }
  }

  private async addAccessToken(em: EntityManager, ticketId: string, token: string, now: Date): Promise<void> {
    await insertRows(em, TicketAccessToken, { id: randomUUID(), ticketId, tokenHash: hashToken(token), createdAt: now, revokedAt: null });
  }
}
