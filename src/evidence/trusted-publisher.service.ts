import { Inject, Injectable } from '@nestjs/common';
import { assertTicketOpen } from './open-ticket.js';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, LessThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, Transactions } from '../database/transactions.js';
import { AccountRepository } from '../directory/account.repository.js';
import { Outbox } from '../jobs/outbox.service.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { Ticket, type TicketEvent } from '../tickets/ticket.entity.js';
import { Challenge } from './challenge.entity.js';
import { digestsEqual } from './challenge-codes.js';
import { OIDC_TOKEN_VERIFIER, type OidcTokenVerifier } from './oidc-token-verifier.js';
import { matchAccountPublisher, normaliseTokenInput, type PublisherClaims, workflowSnippet } from './trusted-publisher-rules.js';

/** Trusted-publisher checks one request may start in all: each has its own tries. */
export const MAX_PUBLISHER_CHALLENGES = 10;
const PENDING_TARGET = 'GitHub Actions';

/** What the requester learns of a pasted token: never whether it named one of the account's publishers. */
export type PublisherTokenResult =
  | { result: 'received' }
  | { result: 'invalid'; reason: string; triesLeft: number }
  | { result: 'locked'; reason: string }
  | { result: 'unavailable' }
  | { result: 'none' };

/** Shown once, in the answer to "start": the nonce is kept only as a digest. */
export interface PublisherChallengeStart {
  nonce: string;
  snippet: string;
  expiresAt: Date;
}

/** What the status page shows of the open check (the nonce is not among it). */
export interface PublisherChallengeStatus {
  pending: boolean;
  expiresAt: Date | null;
  triesLeft: number;
}

/**
 * The trusted-publisher challenge (docs/evidence.md, "Proving control"): the requester gets a one-time
 * nonce and a workflow job that asks GitHub Actions for an OIDC token with the nonce as its audience,
 * and pastes the token back. The token must be signed by the issuer's keys, be within its times, carry
 * this check's nonce, and come from a trusted publisher (repository, workflow, environment) of one of
 * the account's projects. It then counts as a passed repository challenge of that project.
 *
 * Every requester gets the same nonce, workflow and answers, whatever the account holds: whether the token
 * matched a publisher is written only for the moderators ("received" either way; docs/security.md #1).
 * The nonce is random, kept as an HMAC bound to the challenge, expires, and is used once: the first
 * token that carries it ends the check by a conditional UPDATE, whatever the token proved.
 */
@Injectable()
export class TrustedPublisherService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OIDC_TOKEN_VERIFIER) private readonly verifier: OidcTokenVerifier,
  ) {}

  /** A new check: an older open one stops working (one nonce at a time). */
  async start(em: EntityManager, ticket: Ticket, actor = 'requester'): Promise<PublisherChallengeStart> {
    assertTicketOpen(ticket);
    const now = this.clock.now();
    const started = await em.count(Challenge, { where: { ticketId: ticket.id, kind: 'publisher' } });
    if (started >= MAX_PUBLISHER_CHALLENGES) {
      throw new DomainError(DomainErrorCode.Conflict, `At most ${MAX_PUBLISHER_CHALLENGES} trusted-publisher checks can be started for one request.`);
    }
    await em.update(Challenge, { ticketId: ticket.id, kind: 'publisher', state: 'pending' }, { state: 'superseded', resolvedAt: now });
    const account = await this.accounts.record(ticket.accountId, em);
    const id = randomUUID();
    const nonce = randomBytes(32).toString('base64url');
    const challenge: Challenge = {
      id,
      ticketId: ticket.id,
      kind: 'publisher',
      target: PENDING_TARGET,
      project: null,
      secretHash: nonceDigest(this.config.secretKey, id, nonce),
      token: null,
      // For the moderators only: no project of the account has a publisher, so no token can pass. The
      // requester's side is the same in every way.
      decoy: !account?.projects.some((p) => (p.trustedPublishers ?? []).length > 0),
      state: 'pending',
      attempts: 0,
      expiresAt: new Date(now.getTime() + this.config.trustedPublishers.challengeTtlMs),
      createdBy: actor,
      createdAt: now,
      resolvedAt: null,
      note: null,
    };
    await insertRows(em, Challenge, challenge);
    await this.event(em, ticket.id, 'publisher_challenge_started', actor, true, now, {
      challenge_id: id,
      public_text: 'A trusted-publisher check was started: run the workflow job shown and paste the token it prints.',
    });
    return { nonce, snippet: workflowSnippet(nonce), expiresAt: challenge.expiresAt };
  }

  /**
   * The requester pastes a token. The try is counted first, by a conditional UPDATE (`attempts < max`),
   * so tries in parallel cannot pass the limit; the token is verified outside any transaction (the
   * issuer's keys may have to be fetched); the result is written only if the check is still pending,
   * again conditionally, so a nonce is used once even by two tokens at the same time.
   */
  async submitToken(ticket: Ticket, raw: unknown): Promise<PublisherTokenResult> {
    const token = normaliseTokenInput(raw);
    if (token === null) {
      throw DomainError.validation([{ field: 'id_token', reasons: ['id_token must be the token the workflow printed (three parts separated by dots)'] }]);
    }
    assertTicketOpen(ticket);
    const challenge = await this.takeTry(ticket.id);
    if (challenge === 'none') return { result: 'none' };
    if (challenge === 'locked') return { result: 'locked', reason: 'too many tokens were refused' };

    const check = await this.verifier.verify(token, this.clock.now());
    if (check.outcome === 'unavailable') {
      await this.transactions.run((em) =>
        this.event(em, ticket.id, 'publisher_token_rejected', 'requester', false, this.clock.now(), { attempts: challenge.attempts, reason: check.reason }),
      );
      return { result: 'unavailable' };
    }
    if (check.outcome === 'valid' && !digestsEqual(challenge.secretHash ?? '', nonceDigest(this.config.secretKey, challenge.id, check.audience))) {
      return this.refuse(ticket.id, challenge, 'the token was made for another check: its audience is not the nonce shown with this check');
    }
    if (check.outcome === 'invalid') return this.refuse(ticket.id, challenge, check.reason);

    return this.transactions.run(async (em) => {
      const now = this.clock.now();
      const match = matchAccountPublisher(await this.accounts.record(ticket.accountId, em), check.claims as PublisherClaims, ticket.createdAt);
      const repository = typeof check.claims.repository === 'string' ? check.claims.repository.slice(0, 300) : 'no repository';
      const state = match.project !== null ? 'passed' : 'failed';
      const note =
        match.project !== null
          ? `OIDC token from ${repository}, workflow ${match.publisher.workflow}${match.publisher.environment ? `, environment ${match.publisher.environment}` : ''}: the trusted publisher of ${match.project}`
          : `OIDC token did not prove control: ${match.reason}`;
      const used = await em
        .createQueryBuilder()
        .update(Challenge)
        .set({ state, project: match.project, target: repository, note: note.slice(0, 1000), resolvedAt: now })
        .where('id = :id AND state = :pending', { id: challenge.id, pending: 'pending' })
        .execute();
      // Another token used the nonce meanwhile: this one proves nothing more.
      if (!used.affected) return { result: 'none' } as const;
      await this.event(em, ticket.id, 'publisher_token_checked', 'requester', false, now, {
        challenge_id: challenge.id,
        repository,
        state,
        project: match.project,
        note,
      });
      await this.event(em, ticket.id, 'publisher_token_checked', 'requester', true, now, {
        public_text: 'We received a token from your workflow. Thank you: the team will take it into account.',
      });
      await this.outbox.requestAssessment(em, ticket.id, 'challenge');
      return { result: 'received' } as const;
    });
  }

  async statusFor(ticketId: string): Promise<PublisherChallengeStatus> {
    const now = this.clock.now();
    const open = await this.dataSource.getRepository(Challenge).findOne({
      where: { ticketId, kind: 'publisher', state: 'pending' },
      order: { createdAt: 'DESC' },
      select: { id: true, attempts: true, expiresAt: true },
    });
    const pending = !!open && open.expiresAt > now;
    return {
      pending,
      expiresAt: pending ? open.expiresAt : null,
      triesLeft: pending ? this.config.trustedPublishers.attempts - open.attempts : 0,
    };
  }

  /** Counts a try on the ticket's open check; `locked` when it had none left (it is locked now). */
  private async takeTry(ticketId: string): Promise<Challenge | 'none' | 'locked'> {
    return this.transactions.run(async (em) => {
      const now = this.clock.now();
      await em.update(Challenge, { ticketId, kind: 'publisher', state: 'pending', expiresAt: LessThanOrEqual(now) }, { state: 'expired', resolvedAt: now });
      const open = await em.findOne(Challenge, { where: { ticketId, kind: 'publisher', state: 'pending' }, order: { createdAt: 'DESC' } });
      if (!open) return 'none';
      const max = this.config.trustedPublishers.attempts;
      const taken = await em
        .createQueryBuilder()
        .update(Challenge)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND state = :pending AND attempts < :max', { id: open.id, pending: 'pending', max })
        .execute();
      if (!taken.affected) {
        const locked = await em.update(Challenge, { id: open.id, state: 'pending' }, { state: 'locked', resolvedAt: now });
        return locked.affected ? 'locked' : 'none';
      }
      return em.findOneByOrFail(Challenge, { id: open.id });
    });
  }

  /** A token that proves nothing for reasons of its own (never of the account): the try stays counted. */
  private async refuse(ticketId: string, challenge: Challenge, reason: string): Promise<PublisherTokenResult> {
    const max = this.config.trustedPublishers.attempts;
    return this.transactions.run(async (em) => {
      const now = this.clock.now();
      await this.event(em, ticketId, 'publisher_token_rejected', 'requester', false, now, { attempts: challenge.attempts, reason });
      if (challenge.attempts < max) return { result: 'invalid', reason, triesLeft: max - challenge.attempts };
      const locked = await em.update(Challenge, { id: challenge.id, state: 'pending' }, { state: 'locked', resolvedAt: now, note: `locked: ${reason}` });
      if (locked.affected) {
        await this.event(em, ticketId, 'publisher_challenge_locked', 'requester', true, now, {
          public_text: 'Too many tokens were refused: this trusted-publisher check no longer works. You can start a new one.',
        });
      }
      return { result: 'locked', reason };
    });
  }

  private async event(
    em: EntityManager,
    ticketId: string,
    type: TicketEvent['type'],
    actor: string,
    isPublic: boolean,
    now: Date,
    data: Record<string, string | number | null>,
  ): Promise<void> {
    await addTicketEvent(em, { ticketId, type, actor, public: isPublic, createdAt: now, data });
  }
}

/** What the database keeps of a nonce: an HMAC under the app's secret, bound to the challenge. */
export function nonceDigest(secret: Buffer, challengeId: string, nonce: string): string {
  return createHmac('sha256', secret).update(`publisher-nonce:${challengeId}:${nonce}`).digest('hex');
}
