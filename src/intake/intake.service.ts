import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type EntityManager, IsNull, Not } from 'typeorm';
import { Clock } from '../common/clock.js';
import { usernameKey } from '../common/normalize.js';
import { hashToken, newReference, newSecretToken } from '../common/tokens.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, isUniqueViolation, Transactions } from '../database/transactions.js';
import { DirectoryService } from '../directory/directory.service.js';
import { Ticket, TicketAccessToken, TicketLink } from '../tickets/ticket.entity.js';
import { TicketState } from '../tickets/ticket-state.js';
import { CODE_OF_CONDUCT } from './code-of-conduct.js';
import type { CreateTicketDto, TriStateInput } from './dto/create-ticket.dto.js';
import { IntakeRateLimiter } from './intake-rate-limits.js';
import { RequesterAdditions } from './requester-additions.js';
import { mergeOverflow } from '../tickets/claims.js';
import { TicketChanged } from '../tickets/ticket-changed.error.js';
import { DomainError } from '../common/domain.exception.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import type { TicketClaims, TriState } from '../tickets/ticket.types.js';

export type SubmissionResult =
  { kind: 'created'; reference: string; statusUrl: string; state: TicketState } | { kind: 'follow_up'; reference: string; state: TicketState };

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
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
    private readonly limiter: IntakeRateLimiter,
    private readonly additions: RequesterAdditions,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async submit(dto: CreateTicketDto, clientAddress: string): Promise<SubmissionResult> {
    await this.limiter.consume(clientAddress, usernameKey(dto.username));
    // Read outside the write transaction: the directory is not written here, and the lock is shorter.
    const accountId = await this.directory.findAccountId(dto.username);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.run((em) => this.record(em, dto, accountId, clientAddress));
      } catch (error) {
        // A racing duplicate took the open slot, a reference collided, or the open ticket changed: look again.
        if (attempt < 4 && (isUniqueViolation(error) || error instanceof TicketChanged)) continue;
        throw error;
      }
    }
  }

  private async record(em: EntityManager, dto: CreateTicketDto, accountId: string | null, clientAddress: string): Promise<SubmissionResult> {
    const now = this.clock.now();
    const key = usernameKey(dto.username);
    const token = newSecretToken();
    const statusUrl = `${this.config.publicBaseUrl}/status/${token}`;

    const open = await this.tickets.openByKey(`${key}|${dto.contact_email}`, em);
    if (open) {
      const claims = claimsOf(dto);
      await this.additions.assertRoomFor(em, open.id, false);
      // Refused rather than cut: the answer says the follow-up was added, so all of it must be.
      const overflow = mergeOverflow(open.claims, claims);
      if (overflow.length > 0) throw DomainError.validation(overflow);
      await this.writer.execute(
        em,
        { ticket: open, recovery: null },
        {
          type: 'follow_up',
          claims,
          requestType: dto.request_type,
          statusUrl,
          ip: clientAddress,
        },
      );
      await this.addAccessToken(em, open.id, token, now);
      return { kind: 'follow_up', reference: open.reference, state: open.state };
    }

    const submitted = await this.writer.execute(
      em,
      { ticket: null, recovery: null },
      {
        type: 'submit',
        statusUrl,
        ip: clientAddress,
        ticket: {
          id: randomUUID(),
          reference: newReference(),
          username: dto.username,
          usernameKey: key,
          accountId,
          contactEmail: dto.contact_email,
          requestType: dto.request_type,
          claims: claimsOf(dto),
          cocVersion: CODE_OF_CONDUCT.version,
        },
      },
    );
    await this.markCompeting(em, submitted.ticket, now);
    await this.addAccessToken(em, submitted.ticket.id, token, now);
    return { kind: 'created', reference: submitted.ticket.reference, statusUrl, state: submitted.ticket.state };
  }

  /**
   * Other open tickets for the same account came from other addresses: the new ticket is flagged and
   * linked to the earliest of them, which stands for the group, and any rival not flagged yet is flagged
   * (and so assessed again, as the flag is a risk its assessment must show). A rival flagged before
   * already shows the risk and is left alone: the work of a new ticket does not grow with the number
   * of open rivals (linking and re-assessing every rival each time made 300 rivals cost 94,686 link
   * rows). The group is every open ticket with the username; each links to its earliest.
   */
  private async markCompeting(em: EntityManager, ticket: Ticket, now: Date): Promise<void> {
    const rivalOf = { usernameKey: ticket.usernameKey, openKey: Not(IsNull()), id: Not(ticket.id) };
    const earliest = await em.findOne(Ticket, { where: rivalOf, order: { createdAt: 'ASC', id: 'ASC' } });
    if (!earliest) return;
    // Once a group has two tickets all its open tickets are flagged, so this is the earliest ticket when
    // the group forms and nothing after (a reopened ticket aside).
    const unflagged = await em.find(Ticket, { where: { ...rivalOf, competing: false }, order: { createdAt: 'ASC', id: 'ASC' } });
    for (const rival of unflagged) {
      await this.writer.execute(em, { ticket: rival, recovery: null }, { type: 'flag_competing', rival: ticket.reference, reassess: true });
    }
    await this.writer.execute(em, { ticket, recovery: null }, { type: 'flag_competing', rival: earliest.reference, reassess: false });
    const linked = [earliest, ...unflagged.filter((rival) => rival.id !== earliest.id)];
    await insertRows(
      em,
      TicketLink,
      linked.flatMap((rival) => [
        { ticketId: ticket.id, linkedTicketId: rival.id, reason: 'competing_request' as const, createdAt: now },
        { ticketId: rival.id, linkedTicketId: ticket.id, reason: 'competing_request' as const, createdAt: now },
      ]),
    );
  }

  private async addAccessToken(em: EntityManager, ticketId: string, token: string, now: Date): Promise<void> {
    await insertRows(em, TicketAccessToken, { id: randomUUID(), ticketId, tokenHash: hashToken(token), createdAt: now, revokedAt: null });
  }
}
