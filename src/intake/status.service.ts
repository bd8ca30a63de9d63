import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, MoreThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { hashToken } from '../common/tokens.js';
import { Transactions } from '../database/transactions.js';
import { Ticket, TicketAccessToken, TicketEvent } from '../tickets/ticket.entity.js';
import { isOpen, QUEUED_STATES, STATE_IN_PLAIN_WORDS, TicketState } from '../tickets/ticket-state.js';
import { TicketChanged } from '../tickets/ticket-changed.error.js';
import { messageCommand } from '../tickets/ticket-workflow.js';
import { TicketWriter } from '../tickets/ticket-writer.service.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { type ChallengeStatus, ChallengesService, type CodeResult } from '../evidence/challenges.service.js';
import type { VerifierResult } from '../evidence/repository-verifier.js';
import {
  type PublisherChallengeStart,
  type PublisherChallengeStatus,
  type PublisherTokenResult,
  TrustedPublisherService,
} from '../evidence/trusted-publisher.service.js';
import { type GithubCheckOutcome, type GithubIdentityStatus, LinkedIdentityChallengesService } from '../evidence/linked-identity-challenges.service.js';
import { describeForRequester, type EventLine } from '../tickets/ticket-event-text.js';
import { RequesterAdditions } from './requester-additions.js';
import { estimateWait, type WaitEstimate } from './wait-estimate.js';

/** What a requester's action on a closed request is answered (409). */
export const CLOSED_REQUEST = 'This request is closed. If you still need help, please submit a new request.';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const DECISION_WINDOW_DAYS = 30;

export interface StatusView {
  reference: string;
  state: TicketState;
  stateText: string;
  open: boolean;
  submittedAt: Date;
  position: number | null;
  wait: WaitEstimate | null;
  question: string | null;
  /**
   * Waiting on the recovery-code answer, which only tickets routed before every ticket went to the queue
   * got (routing no longer looks at the account: docs/security.md #1); the requester may contest.
   */
  recoveryCodesAnswer: boolean;
  timeline: EventLine[];
  challenges: ChallengeStatus;
  /** The open trusted-publisher check, if any (docs/evidence.md, "Proving control"). */
  publisher: PublisherChallengeStatus;
  /** The linked GitHub identity check; null when the desk offers none (no GitHub OAuth app configured). */
  githubIdentity: GithubIdentityStatus | null;
}

/** What the requester sees and does through their private status link. */
@Injectable()
export class StatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly challenges: ChallengesService,
    private readonly linkedIdentity: LinkedIdentityChallengesService,
    private readonly writer: TicketWriter,
    private readonly tickets: TicketRepository,
    private readonly additions: RequesterAdditions,
    private readonly clock: Clock,
    private readonly publishers: TrustedPublisherService,
  ) {}

  /**
   * The ticket behind a status token; any unknown, malformed or revoked token is the same not-found.
   * Inside a transaction pass its manager: a read through another connection could wait on a full pool.
   */
  async ticketFor(token: string, em: EntityManager = this.dataSource.manager): Promise<Ticket> {
    if (!TOKEN_SHAPE.test(token)) throw DomainError.notFound();
    const access = await em.findOne(TicketAccessToken, { where: { tokenHash: hashToken(token), revokedAt: IsNull() }, select: { ticketId: true } });
    const ticket = access && (await em.findOneBy(Ticket, { id: access.ticketId }));
    if (!ticket) throw DomainError.notFound();
    return ticket;
  }

  async view(ticket: Ticket): Promise<StatusView> {
    const events = await this.dataSource.getRepository(TicketEvent).find({ where: { ticketId: ticket.id, public: true }, order: { id: 'ASC' } });
    const position = QUEUED_STATES.includes(ticket.state) ? await this.placeInQueue(ticket) : null;
    const wait = position === null ? null : estimateWait(position, await this.recentDecisions(), DECISION_WINDOW_DAYS);
    const lastQuestion = [...events].reverse().find((e) => e.type === 'info_requested' || e.type === 'recovery_codes_answer');
    const waiting = ticket.state === TicketState.AwaitingRequester;
    return {
      reference: ticket.reference,
      state: ticket.state,
      stateText: STATE_IN_PLAIN_WORDS[ticket.state],
      open: isOpen(ticket.state),
      submittedAt: ticket.createdAt,
      position,
      wait,
      question: waiting && lastQuestion?.type === 'info_requested' && typeof lastQuestion.data.message === 'string' ? lastQuestion.data.message || null : null,
      recoveryCodesAnswer: waiting && lastQuestion?.type === 'recovery_codes_answer',
      timeline: events.map(describeForRequester),
      challenges: await this.challenges.statusFor(ticket.id),
      publisher: await this.publishers.statusFor(ticket.id),
      githubIdentity: await this.linkedIdentity.statusFor(ticket.id),
    };
  }

  /** A one-time code typed on the status page. */
  async submitCode(token: string, code: unknown): Promise<CodeResult> {
    return this.transactions.run(async (em) => this.challenges.submitCode(em, await this.openTicket(token, em), code));
  }

  /** The requester names a repository to prove control of; the page then shows the token to publish. */
  async startRepositoryChallenge(token: string, repository: unknown): Promise<void> {
    await this.transactions.run(async (em) => this.challenges.startRepositoryChallenge(em, await this.openTicket(token, em), repository));
  }

  async checkRepositoryChallenge(token: string, challengeId: string): Promise<VerifierResult | { outcome: 'manual' }> {
    return this.challenges.checkRepositoryChallenge(await this.openTicket(token, this.dataSource.manager), challengeId);
  }

  /** A trusted-publisher check: the nonce and the workflow job, shown this once. */
  async startPublisherChallenge(token: string): Promise<PublisherChallengeStart> {
    return this.transactions.run(async (em) => this.publishers.start(em, await this.openTicket(token, em)));
  }

  /** The token the workflow printed, pasted on the status page. */
  async submitPublisherToken(token: string, idToken: unknown): Promise<PublisherTokenResult> {
    return this.publishers.submitToken(await this.openTicket(token, this.dataSource.manager), idToken);
  }

  /** The requester starts signing in to GitHub (device flow): the page then shows the code to enter there. */
  async startGithubIdentity(token: string): Promise<{ outcome: 'started' } | { outcome: 'unavailable' }> {
    return this.linkedIdentity.start(await this.openTicket(token, this.dataSource.manager));
  }

  /** "I have entered the code": GitHub is asked (at most once per interval) whether the sign-in is done. */
  async checkGithubIdentity(token: string, challengeId: string): Promise<GithubCheckOutcome> {
    return this.linkedIdentity.check(await this.openTicket(token, this.dataSource.manager), challengeId);
  }

  async addMessage(token: string, message: string): Promise<void> {
    await this.unlessChangedMeanwhile(async (em) => {
      const ticket = await this.openTicket(token, em);
      const command = messageCommand(ticket, message);
      await this.additions.assertRoomFor(em, ticket.id, command.type === 'answer');
      await this.writer.execute(em, { ticket, recovery: null }, command);
    });
  }

  /** "I cannot use recovery codes": the ticket goes to the moderators' queue after all. */
  async contestRecoveryCodes(token: string): Promise<void> {
    await this.unlessChangedMeanwhile(async (em) => {
      const ticket = await this.openTicket(token, em);
      const waitingFor = ticket.state === TicketState.AwaitingRequester ? await this.waitingFor(em, ticket.id) : null;
      await this.writer.execute(em, { ticket, recovery: null }, { type: 'contest', waitingFor });
    });
  }

  async withdraw(token: string): Promise<void> {
    await this.unlessChangedMeanwhile(async (em) => {
      const ticket = await this.openTicket(token, em);
      await this.writer.execute(em, await this.tickets.aggregate(ticket, em), { type: 'withdraw' });
    });
  }

  /** What the ticket waits on the requester for: the latest of our question and the recovery-codes answer. */
  private async waitingFor(em: EntityManager, ticketId: string): Promise<'recovery_codes' | 'question' | null> {
    const last = await em.findOne(TicketEvent, {
      where: { ticketId, type: In(['recovery_codes_answer', 'info_requested']) },
      order: { id: 'DESC' },
      select: { type: true },
    });
    return last ? (last.type === 'recovery_codes_answer' ? 'recovery_codes' : 'question') : null;
  }

  private async openTicket(token: string, em: EntityManager): Promise<Ticket> {
    const ticket = await this.ticketFor(token, em);
    if (!isOpen(ticket.state)) {
      throw new DomainError(DomainErrorCode.Conflict, CLOSED_REQUEST);
    }
    return ticket;
  }

  /**
   * Runs a requester's change in a transaction, again (reading the ticket afresh) when the ticket changed
   * between the read and the write: most often the pipeline routing it or a moderator taking it, which
   * do not touch what the requester asked for. The action's own checks still apply on the fresh read.
   */
  private async unlessChangedMeanwhile(work: (em: EntityManager) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.transactions.run(work);
        return;
      } catch (error) {
        if (!(error instanceof TicketChanged)) throw error;
        if (attempt === 3) throw new DomainError(DomainErrorCode.Conflict, 'The request changed meanwhile; please reload the page.');
      }
    }
  }

  /** FIFO: tickets queued before this one, plus one. */
  private async placeInQueue(ticket: Ticket): Promise<number> {
    const ahead = await this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .where('t.state IN (:...states)', { states: QUEUED_STATES })
      .andWhere('(t.created_at < :created OR (t.created_at = :created AND t.id < :id))', { created: ticket.createdAt, id: ticket.id })
      .getCount();
    return ahead + 1;
  }

  private async recentDecisions(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - DECISION_WINDOW_DAYS * 86_400_000);
    return this.dataSource.getRepository(Ticket).count({ where: { decidedAt: MoreThanOrEqual(since), state: In(DECIDED_STATES) } });
  }
}

const DECIDED_STATES = [TicketState.Approved, TicketState.CoolingOff, TicketState.ResetIssued, TicketState.Completed, TicketState.Denied];
