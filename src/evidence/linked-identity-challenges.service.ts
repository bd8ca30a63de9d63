import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { assertTicketOpen } from './open-ticket.js';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { SealedBox } from '../common/sealed-box.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, Transactions } from '../database/transactions.js';
import { AccountRepository } from '../directory/account.repository.js';
import { Outbox } from '../jobs/outbox.service.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { Ticket, type TicketEvent } from '../tickets/ticket.entity.js';
import { Challenge, type ChallengeState } from './challenge.entity.js';
import { GITHUB_DEVICE_FLOW, type GitHubDeviceFlowClient } from './github-device-flow.client.js';
import { GitHubDeviceFlow } from './github-device-flow.entity.js';
import { githubTarget, isLinkedGithubAccount, PENDING_GITHUB_TARGET } from './github-device-flow.js';

/** Linked-identity checks a ticket may start in all (each asks GitHub for a new device code). */
export const MAX_GITHUB_IDENTITY_CHECKS = 3;
/** Polls of GitHub per check: a 15-minute code at GitHub's 5-second interval is 180. */
export const MAX_GITHUB_POLLS = 200;

/**
 * What the requester is told after pressing "I have entered the code". `signed_in` reads the same
 * whether the GitHub account is the linked one, another one, or the account links none at all
 * (docs/security.md #1): the status page never tells which.
 */
export type GithubCheckOutcome = 'signed_in' | 'pending' | 'expired' | 'denied' | 'unavailable' | 'locked';

export interface GithubIdentityView {
  id: string;
  userCode: string;
  verificationUri: string;
  expiresAt: Date;
  open: boolean;
  stateText: string;
}

export interface GithubIdentityStatus {
  /** No more checks may be started on this ticket. */
  exhausted: boolean;
  checks: GithubIdentityView[];
}

/** The same words for a match, a mismatch and an account with no linked id. */
const REQUESTER_STATE: Partial<Record<ChallengeState, string>> = {
  pending: 'Waiting: enter the code at GitHub, then press "I have entered the code".',
  passed: 'Signed in to GitHub. The team will take it into account.',
  other_identity: 'Signed in to GitHub. The team will take it into account.',
  failed: 'Not completed on GitHub. Start again if you still want to.',
  locked: 'Checked too often. Start again if you still want to.',
  expired: 'Expired: start again if you still need it.',
};

/**
 * Proof of control of the GitHub account linked to the index account, through GitHub's OAuth device
 * flow (docs/evidence.md, "Proving control"). The desk asks GitHub for a device code and shows the user
 * code; the requester enters it at GitHub and approves; on "I have entered the code" the desk polls
 * GitHub for the access token (once per interval, server side), reads `GET /user` with it, and drops
 * it. The check passes only when GitHub's numeric user id equals the account's `linked_github_id`: a
 * login can be renamed and registered again by someone else.
 *
 * Every requester is offered the check and goes through the same steps, whether or not the account
 * exists or links a GitHub id; the answer after a sign-in is the same too.
 */
@Injectable()
export class LinkedIdentityChallengesService {
  private readonly logger = new Logger(LinkedIdentityChallengesService.name);
  private readonly box: SealedBox;

  constructor(
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(GITHUB_DEVICE_FLOW) private readonly github: GitHubDeviceFlowClient | null,
  ) {
    this.box = new SealedBox(config.secretKey, 'github-device-code');
  }

  /** Whether the desk has a GitHub OAuth app (GITHUB_OAUTH_CLIENT_ID): otherwise the check is not offered to anyone. */
  get offered(): boolean {
    return !!this.github;
  }

  /**
   * Asks GitHub for a device code and records the check. The network call runs outside any transaction;
   * the limit is checked before it and again when the check is written.
   */
  async start(ticket: Ticket): Promise<{ outcome: 'started' } | { outcome: 'unavailable' }> {
    const github = this.client();
    assertTicketOpen(ticket);
    await this.assertRoom(this.dataSource.manager, ticket.id);
    const code = await github.start();
    if ('unavailable' in code) {
      this.logger.warn({ ticketId: ticket.id, reason: code.unavailable }, 'GitHub device flow could not start');
      return { outcome: 'unavailable' };
    }
    await this.transactions.run(async (em) => {
      const fresh = await em.findOneBy(Ticket, { id: ticket.id });
      if (!fresh) throw DomainError.notFound();
      assertTicketOpen(fresh);
      await this.assertRoom(em, ticket.id);
      const now = this.clock.now();
      // One running check at a time: an older one stops, and its device code goes.
      const running = await em.find(Challenge, { where: { ticketId: ticket.id, kind: 'github_identity', state: 'pending' }, select: { id: true } });
      for (const { id } of running) await this.finish(em, id, { state: 'superseded', resolvedAt: now });
      const challenge: Challenge = {
        id: randomUUID(),
        ticketId: ticket.id,
        kind: 'github_identity',
        target: PENDING_GITHUB_TARGET,
        project: null,
        secretHash: null,
        token: code.userCode,
        decoy: false,
        state: 'pending',
        attempts: 0,
        expiresAt: new Date(now.getTime() + code.expiresInSeconds * 1000),
        createdBy: 'requester',
        createdAt: now,
        resolvedAt: null,
        note: code.verificationUri,
      };
      await insertRows(em, Challenge, challenge);
      await insertRows(em, GitHubDeviceFlow, {
        challengeId: challenge.id,
        deviceCodeSealed: this.box.seal(code.deviceCode),
        intervalSeconds: code.intervalSeconds,
        nextPollAt: now,
      });
      await this.event(em, ticket.id, 'github_identity_started', 'requester', true, now, {
        challenge_id: challenge.id,
        public_text: 'You started signing in to GitHub to show that you control the GitHub account linked to the account.',
      });
    });
    return { outcome: 'started' };
  }

  /**
   * "I have entered the code": asks GitHub once for the access token, unless the interval since the last
   * poll has not passed (then the answer is "still waiting", and GitHub is not asked). The poll is
   * claimed in SQL first (`next_poll_at`, and `attempts < MAX_GITHUB_POLLS`), so presses in parallel
   * make at most one request to GitHub per interval.
   */
  async check(ticket: Ticket, challengeId: string): Promise<GithubCheckOutcome> {
    const github = this.client();
    assertTicketOpen(ticket);
    const challenge = await this.dataSource.getRepository(Challenge).findOneBy({ id: challengeId, ticketId: ticket.id, kind: 'github_identity' });
    if (!challenge || challenge.state !== 'pending') throw DomainError.notFound();
    if (challenge.expiresAt <= this.clock.now()) {
      await this.transactions.run((em) => this.resolve(em, ticket.id, challenge.id, 'expired', { outcome: 'expired' }));
      return 'expired';
    }

    const claim = await this.transactions.run(async (em) => {
      const now = this.clock.now();
      const flow = await em.findOneBy(GitHubDeviceFlow, { challengeId: challenge.id });
      if (!flow) return 'gone' as const;
      const next = new Date(now.getTime() + flow.intervalSeconds * 1000);
      const slot = await em
        .createQueryBuilder()
        .update(GitHubDeviceFlow)
        .set({ nextPollAt: next })
        .where('challenge_id = :id AND next_poll_at <= :now', { id: challenge.id, now })
        .execute();
      if (!slot.affected) return 'too_soon' as const;
      const counted = await em
        .createQueryBuilder()
        .update(Challenge)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND state = :pending AND attempts < :max', { id: challenge.id, pending: 'pending', max: MAX_GITHUB_POLLS })
        .execute();
      if (!counted.affected) {
        await this.resolve(em, ticket.id, challenge.id, 'locked', { outcome: 'too_many_checks' });
        return 'locked' as const;
      }
      return { deviceCode: this.box.open(flow.deviceCodeSealed), intervalSeconds: flow.intervalSeconds };
    });
    if (claim === 'gone') throw DomainError.notFound();
    if (claim === 'too_soon') return 'pending';
    if (claim === 'locked') return 'locked';

    const step = await github.poll(claim.deviceCode, claim.intervalSeconds);
    switch (step.step) {
      case 'pending':
        return 'pending';
      case 'slow_down':
        await this.transactions.run((em) =>
          em.update(
            GitHubDeviceFlow,
            { challengeId: challenge.id },
            { intervalSeconds: step.intervalSeconds, nextPollAt: new Date(this.clock.now().getTime() + step.intervalSeconds * 1000) },
          ),
        );
        return 'pending';
      case 'expired':
        await this.transactions.run((em) => this.resolve(em, ticket.id, challenge.id, 'expired', { outcome: 'expired' }));
        return 'expired';
      case 'denied':
        await this.transactions.run((em) => this.resolve(em, ticket.id, challenge.id, 'failed', { outcome: 'declined_on_github' }));
        return 'denied';
      case 'unavailable':
        this.logger.warn({ ticketId: ticket.id, reason: step.reason }, 'GitHub device flow poll failed');
        await this.transactions.run((em) =>
          this.event(em, ticket.id, 'github_identity_checked', 'system', false, this.clock.now(), {
            challenge_id: challenge.id,
            outcome: 'unavailable',
            reason: step.reason,
          }),
        );
        return 'unavailable';
      case 'token':
        break;
    }

    // The access token's one use; it is never stored or logged, and goes out of scope here.
    const user = await github.user(step.accessToken);
    if ('unavailable' in user) {
      // GitHub hands the token out once: this device code is spent, so the check ends and can be started again.
      await this.transactions.run((em) => this.resolve(em, ticket.id, challenge.id, 'failed', { outcome: 'unavailable', reason: user.unavailable }));
      return 'unavailable';
    }
    const resolved = await this.transactions.run(async (em) => {
      const fresh = await em.findOneBy(Challenge, { id: challenge.id });
      if (!fresh || fresh.state !== 'pending') return false;
      const account = await this.accounts.record(ticket.accountId, em);
      const matches = isLinkedGithubAccount(account?.linkedGithubId, user);
      const now = this.clock.now();
      await this.finish(em, challenge.id, {
        state: matches ? 'passed' : 'other_identity',
        target: githubTarget(user.id),
        note: user.login ? `@${user.login}` : null,
        resolvedAt: now,
      });
      await this.event(em, ticket.id, 'github_identity_checked', 'system', false, now, {
        challenge_id: challenge.id,
        github_id: user.id,
        login: user.login,
        matches: matches ? 1 : 0,
      });
      await this.event(em, ticket.id, 'github_identity_checked', 'requester', true, now, {
        public_text: 'You signed in to GitHub. Thank you: the team will take it into account.',
      });
      await this.outbox.requestAssessment(em, ticket.id, 'challenge');
      return true;
    });
    if (!resolved) throw DomainError.notFound();
    return 'signed_in';
  }

  /** What the status page shows; null when the desk offers no linked-identity check. */
  async statusFor(ticketId: string): Promise<GithubIdentityStatus | null> {
    if (!this.github) return null;
    const now = this.clock.now();
    const all = await this.dataSource.getRepository(Challenge).find({ where: { ticketId, kind: 'github_identity' }, order: { createdAt: 'ASC' } });
    return {
      exhausted: all.length >= MAX_GITHUB_IDENTITY_CHECKS,
      checks: all
        .filter((c) => c.state !== 'superseded')
        .map((c) => {
          const expired = c.state === 'pending' && c.expiresAt <= now;
          return {
            id: c.id,
            userCode: c.token ?? '',
            verificationUri: c.state === 'pending' ? (c.note ?? '') : '',
            expiresAt: c.expiresAt,
            open: c.state === 'pending' && !expired,
            stateText: REQUESTER_STATE[expired ? 'expired' : c.state] ?? REQUESTER_STATE.failed!,
          };
        }),
    };
  }

  // ---- internals ----------------------------------------------------------------------------------

  private client(): GitHubDeviceFlowClient {
    if (!this.github) throw new DomainError(DomainErrorCode.Conflict, 'Signing in to GitHub is not available on this desk.');
    return this.github;
  }

  private async assertRoom(em: EntityManager, ticketId: string): Promise<void> {
    const started = await em.count(Challenge, { where: { ticketId, kind: 'github_identity' } });
    if (started >= MAX_GITHUB_IDENTITY_CHECKS) {
      throw new DomainError(DomainErrorCode.Conflict, `At most ${MAX_GITHUB_IDENTITY_CHECKS} GitHub sign-ins can be started on a request.`);
    }
  }

  /** Ends a check that is still pending: its device code is deleted with it. */
  private async resolve(em: EntityManager, ticketId: string, challengeId: string, state: ChallengeState, data: Record<string, string>): Promise<void> {
    const now = this.clock.now();
    const done = await this.finish(em, challengeId, { state, resolvedAt: now });
    if (done) await this.event(em, ticketId, 'github_identity_checked', 'system', false, now, { challenge_id: challengeId, ...data });
  }

  private async finish(em: EntityManager, challengeId: string, changes: Partial<Challenge>): Promise<boolean> {
    await em.delete(GitHubDeviceFlow, { challengeId });
    const result = await em
      .createQueryBuilder()
      .update(Challenge)
      .set(changes)
      .where('id = :id AND state = :pending', { id: challengeId, pending: 'pending' })
      .execute();
    return (result.affected ?? 0) > 0;
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
