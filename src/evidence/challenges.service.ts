import { Inject, Injectable } from '@nestjs/common';
import { assertTicketOpen } from './open-ticket.js';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, In, LessThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { emailKey, parseRepository } from '../common/normalize.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { insertRows, Transactions } from '../database/transactions.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { Ticket, TicketEvent } from '../tickets/ticket.entity.js';
import { Outbox } from '../jobs/outbox.service.js';
import { Challenge } from './challenge.entity.js';
import { codeDigest, digestsEqual, formatEmailCode, newEmailCode, newRepositoryToken, normaliseCodeInput, repositoryProofNames } from './challenge-codes.js';
import { addressesStillRead, MAX_AUTOMATIC_CODES, mayReceiveCode, projectForRepository } from './challenge-policy.js';
import { REPOSITORY_VERIFIERS, type RepositoryVerifier, type VerifierResult } from './repository-verifier.js';
import { SCORING_CONFIG } from './scoring-config.provider.js';
import { MailTemplate } from '../notifications/mail-template.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import type { AccountRecord } from '../scoring/account-record.js';
import { AccountRepository } from '../directory/account.repository.js';

/** A challenge's id as stored (randomUUID). */
const CHALLENGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Repository challenges a requester may have open at once, and checks per challenge. */
const MAX_OPEN_REPOSITORY_CHALLENGES = 3;
const MAX_REPOSITORY_CHECKS = 30;

export type CodeResult = { result: 'passed' } | { result: 'wrong'; triesLeft: number } | { result: 'locked' } | { result: 'none' };

export interface RepositoryChallengeView {
  id: string;
  repository: string;
  token: string;
  branch: string;
  file: string;
  /** What the requester reads: never whether the repository belongs to the account. */
  stateText: string;
  open: boolean;
}

/** A challenge as the moderator's ticket page shows it: what and where, never the code's digest or the token. */
export type ModeratorChallengeView = Omit<Challenge, 'ticketId' | 'secretHash' | 'token'>;

export interface ChallengeStatus {
  code: { pending: boolean; expiresAt: Date | null; triesLeft: number; locked: boolean };
  repositories: RepositoryChallengeView[];
}

/**
 * Proof-of-control challenges. E-mail: a one-time code to an address on file, typed back on the
 * status page; the code is kept only as a keyed digest and is never logged. Repository: a token the
 * requester pushes to a project's repository, checked by a verifier or recorded by a moderator.
 *
 * What the requester sees never depends on whether the account or an address exists: addresses that
 * may not receive a code get a decoy challenge that looks and counts tries the same way.
 */
@Injectable()
export class ChallengesService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
    @Inject(REPOSITORY_VERIFIERS) private readonly verifiers: RepositoryVerifier[],
  ) {}

  // ---- e-mail codes -------------------------------------------------------------------------------

  /**
   * Codes for the addresses the requester reads (the contact address and those named as still read)
   * that have none yet. Runs in the assessment's transaction, so the codes and their mails commit
   * together, once.
   */
  async sendAutomaticCodes(em: EntityManager, ticket: Ticket, account: AccountRecord | null, now: Date): Promise<number> {
    const existing = await em.find(Challenge, { where: { ticketId: ticket.id, kind: 'email', createdBy: 'system' }, select: { target: true } });
    const done = new Set(existing.map((c) => c.target));
    const fresh = addressesStillRead(ticket.contactEmail, ticket.claims.emailsStillRead)
      .filter((address) => !done.has(address))
      .slice(0, Math.max(0, MAX_AUTOMATIC_CODES - existing.length));
    for (const address of fresh) {
      await this.createEmailChallenge(em, ticket, address, !mayReceiveCode(account, address, this.scoring), 'system', now);
    }
    if (fresh.length > 0) {
      await this.event(em, ticket.id, 'codes_sent', 'system', true, now, {
        public_text: `If an address you can read is on the account, we e-mailed it a one-time code. Type it below within ${this.minutes()} minutes to prove the account is yours.`,
      });
    }
    return fresh.length;
  }

  /**
   * A moderator sends a code to an address on file (it must be verified, current and not on an expired
   * domain). Any code still pending on the ticket is superseded: one live code at a time.
   */
  async sendEmailChallenge(ticketId: string, address: string, actor: string): Promise<Challenge> {
    return this.transactions.run(async (em) => {
      const ticket = await this.openTicketById(em, ticketId);
      if (!mayReceiveCode(await this.accounts.record(ticket.accountId, em), address, this.scoring)) {
        throw DomainError.validation([{ field: 'address', reasons: ['address must be a verified, current address on file, not on an expired domain'] }]);
      }
      const now = this.clock.now();
      await em.update(Challenge, { ticketId, kind: 'email', state: 'pending' }, { state: 'superseded', resolvedAt: now });
      const challenge = await this.createEmailChallenge(em, ticket, emailKey(address), false, actor, now);
      await this.event(em, ticket.id, 'code_sent', actor, true, now, {
        challenge_id: challenge.id,
        public_text: `The team e-mailed a one-time code to an address on the account. Type it below within ${this.minutes()} minutes.`,
      });
      return challenge;
    });
  }

  /**
   * The requester types a code. It is tried against every pending code of the ticket; a wrong one
   * costs a try on each, and the last try locks them. A pass (or a lock) is new evidence: reassess.
   *
   * The try is counted before the code is compared, by a conditional UPDATE per code (takeCodeTries),
   * so tries in parallel cannot all read the same count: no more than the limit are ever compared
   * (test/try-limits.e2e-spec.ts). A right code keeps its try counted, as it always did.
   */
  async submitCode(em: EntityManager, ticket: Ticket, raw: unknown): Promise<CodeResult> {
    const code = normaliseCodeInput(raw);
    if (code === null) throw DomainError.validation([{ field: 'code', reasons: ['code must be the 8 digits from the e-mail'] }]);
    assertTicketOpen(ticket);
    const now = this.clock.now();
    const pending = await this.takeCodeTries(em, ticket.id, now);
    if (pending.length === 0) return { result: 'none' };

    const match = pending.find((c) => !c.decoy && c.secretHash !== null && digestsEqual(c.secretHash, codeDigest(this.config.secretKey, c.id, code)));
    if (match) {
      await em.update(Challenge, { id: match.id }, { state: 'passed', resolvedAt: now });
      // One proof is enough: the ticket's other pending codes stop working.
      await em.update(Challenge, { ticketId: ticket.id, kind: 'email', state: 'pending' }, { state: 'superseded', resolvedAt: now });
      await this.event(em, ticket.id, 'code_confirmed', 'requester', true, now, {
        challenge_id: match.id,
        public_text: 'You confirmed a one-time code sent to an address on the account.',
      });
      await this.outbox.requestAssessment(em, ticket.id, 'challenge');
      return { result: 'passed' };
    }

    // Every pending code shares the ticket's count of tries: the highest, this one included.
    const attempts = Math.max(...pending.map((c) => c.attempts));
    const locked = attempts >= this.config.evidence.emailChallengeAttempts;
    await em.update(Challenge, { id: In(pending.map((c) => c.id)) }, locked ? { attempts, state: 'locked', resolvedAt: now } : { attempts });
    if (locked) {
      await this.event(em, ticket.id, 'code_locked', 'requester', true, now, {
        public_text: 'Too many wrong codes: the code no longer works. The team can send a new one.',
      });
      await this.outbox.requestAssessment(em, ticket.id, 'challenge');
      return { result: 'locked' };
    }
    await this.event(em, ticket.id, 'code_rejected', 'requester', false, now, { attempts });
    return { result: 'wrong', triesLeft: this.config.evidence.emailChallengeAttempts - attempts };
  }

  // ---- repositories -------------------------------------------------------------------------------

  /** The requester names a repository they can push to; they get a token to publish there. */
  async startRepositoryChallenge(em: EntityManager, ticket: Ticket, repositoryInput: unknown, actor = 'requester'): Promise<Challenge> {
    const repository = typeof repositoryInput === 'string' && repositoryInput.length <= 300 ? parseRepository(repositoryInput) : null;
    if (!repository) {
      throw DomainError.validation([{ field: 'repository', reasons: ['repository must be a URL such as https://github.com/owner/name'] }]);
    }
    assertTicketOpen(ticket);
    const now = this.clock.now();
    await this.expireRepositoryChallenges(em, ticket.id, now);
    await em.update(Challenge, { ticketId: ticket.id, kind: 'repository', state: 'pending', target: repository.key }, { state: 'superseded', resolvedAt: now });
    const open = await em.count(Challenge, { where: { ticketId: ticket.id, kind: 'repository', state: 'pending' } });
    if (open >= MAX_OPEN_REPOSITORY_CHALLENGES) {
      throw new DomainError(DomainErrorCode.Conflict, `At most ${MAX_OPEN_REPOSITORY_CHALLENGES} repository checks can be open at once.`);
    }
    const challenge: Challenge = {
      id: randomUUID(),
      ticketId: ticket.id,
      kind: 'repository',
      target: repository.key,
      project: null,
      secretHash: null,
      token: newRepositoryToken(),
      decoy: false,
      state: 'pending',
      attempts: 0,
      expiresAt: new Date(now.getTime() + this.config.evidence.repositoryChallengeTtlMs),
      createdBy: actor,
      createdAt: now,
      resolvedAt: null,
      note: null,
    };
    await insertRows(em, Challenge, challenge);
    await this.event(em, ticket.id, 'repository_challenge_started', actor, true, now, {
      challenge_id: challenge.id,
      repository: repository.key,
      public_text: `A repository check was started for ${repository.key}.`,
    });
    return challenge;
  }

  /**
   * Asks the verifier whether the token is in the repository. The check is counted first, by a
   * conditional UPDATE (`attempts < MAX_REPOSITORY_CHECKS`), so checks in parallel cannot all pass the
   * limit; the network call then runs outside any transaction, and its result is written only if the
   * challenge is still pending.
   */
  async checkRepositoryChallenge(ticket: Ticket, challengeId: string): Promise<VerifierResult | { outcome: 'manual' }> {
    assertTicketOpen(ticket);
    // Ids are UUIDs: anything else (a NUL byte, which PostgreSQL refuses in a query: a 500 found by npm run fuzz,
    // docs/security.md #33) is an unknown challenge without a lookup.
    if (!CHALLENGE_ID.test(challengeId)) throw DomainError.notFound();
    const challenge = await this.dataSource.getRepository(Challenge).findOneBy({ id: challengeId, ticketId: ticket.id, kind: 'repository' });
    if (!challenge || challenge.state !== 'pending' || challenge.expiresAt <= this.clock.now()) throw DomainError.notFound();
    const taken = await this.transactions.run((em) =>
      em
        .createQueryBuilder()
        .update(Challenge)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND state = :pending AND attempts < :max', { id: challenge.id, pending: 'pending', max: MAX_REPOSITORY_CHECKS })
        .execute(),
    );
    if (!taken.affected) {
      const now = await this.dataSource.getRepository(Challenge).findOneBy({ id: challenge.id });
      if (now?.state !== 'pending') throw DomainError.notFound();
      throw new DomainError(DomainErrorCode.Conflict, 'This repository was checked too often; the team will look at it by hand.');
    }
    const repository = parseRepository(challenge.target)!;
    const verifier = this.verifiers.find((v) => v.handles(repository.host));
    const result = verifier ? await verifier.check(repository, challenge.token!) : { outcome: 'manual' as const };
    await this.transactions.run(async (em) => {
      const now = this.clock.now();
      const fresh = await em.findOneBy(Challenge, { id: challengeId });
      if (!fresh || fresh.state !== 'pending') return;
      if (result.outcome === 'found') {
        await this.resolveRepository(em, ticket, fresh, true, `found as a ${result.where} by the verifier`, 'system', now, false);
      } else {
        await this.event(em, ticket.id, 'repository_checked', 'requester', false, now, {
          challenge_id: fresh.id,
          outcome: result.outcome,
          ...(result.outcome === 'unavailable' ? { reason: result.reason } : {}),
        });
      }
    });
    return result;
  }

  /** A moderator records a repository check done by hand, with a note saying what they saw. */
  async recordRepositoryResult(challengeId: string, passed: boolean, note: string, actor: string): Promise<Challenge> {
    const trimmed = note.trim();
    if (trimmed === '' || trimmed.length > 1000) {
      throw DomainError.validation([{ field: 'note', reasons: ['note must say what was checked (1-1000 characters)'] }]);
    }
    return this.transactions.run(async (em) => {
      const challenge = await em.findOneBy(Challenge, { id: challengeId, kind: 'repository' });
      if (!challenge) throw DomainError.notFound();
      const ticket = await this.openTicketById(em, challenge.ticketId);
      if (challenge.state !== 'pending') {
        throw new DomainError(DomainErrorCode.Conflict, `This repository check is already ${challenge.state}.`);
      }
      return this.resolveRepository(em, ticket, challenge, passed, trimmed, actor, this.clock.now());
    });
  }

  // ---- what the requester sees --------------------------------------------------------------------

  async statusFor(ticketId: string): Promise<ChallengeStatus> {
    const now = this.clock.now();
    const all = await this.dataSource.getRepository(Challenge).find({ where: { ticketId }, order: { createdAt: 'ASC' } });
    const emails = all.filter((c) => c.kind === 'email');
    const pending = emails.filter((c) => c.state === 'pending' && c.expiresAt > now);
    const latest = emails.at(-1);
    const attempts = pending.length ? Math.max(...pending.map((c) => c.attempts)) : 0;
    return {
      code: {
        pending: pending.length > 0,
        expiresAt: pending.length ? new Date(Math.max(...pending.map((c) => c.expiresAt.getTime()))) : null,
        triesLeft: this.config.evidence.emailChallengeAttempts - attempts,
        locked: !pending.length && latest?.state === 'locked',
      },
      repositories: all
        .filter((c) => c.kind === 'repository' && c.state !== 'superseded')
        .map((c) => {
          const names = repositoryProofNames(c.token!);
          const expired = c.state === 'pending' && c.expiresAt <= now;
          return {
            id: c.id,
            repository: c.target,
            token: c.token!,
            branch: names.branch,
            file: names.file,
            open: c.state === 'pending' && !expired,
            stateText: REQUESTER_REPOSITORY_STATE[expired ? 'expired' : c.state] ?? REQUESTER_REPOSITORY_STATE.pending,
          };
        }),
    };
  }

  // ---- what the moderator sees --------------------------------------------------------------------

  /** Every challenge of a ticket, oldest first, without its secrets (the code digest and the token are never read). */
  async forModerator(ticketId: string): Promise<ModeratorChallengeView[]> {
    return this.dataSource.getRepository(Challenge).find({
      where: { ticketId },
      order: { createdAt: 'ASC', id: 'ASC' },
      select: {
        id: true,
        kind: true,
        target: true,
        project: true,
        decoy: true,
        state: true,
        attempts: true,
        createdBy: true,
        createdAt: true,
        expiresAt: true,
        resolvedAt: true,
        note: true,
      },
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async createEmailChallenge(em: EntityManager, ticket: Ticket, address: string, decoy: boolean, actor: string, now: Date): Promise<Challenge> {
    const id = randomUUID();
    const code = newEmailCode();
    const challenge: Challenge = {
      id,
      ticketId: ticket.id,
      kind: 'email',
      target: address,
      project: null,
      // A decoy keeps no digest at all, so no code can ever pass it.
      secretHash: decoy ? null : codeDigest(this.config.secretKey, id, code),
      token: null,
      decoy,
      state: 'pending',
      attempts: 0,
      expiresAt: new Date(now.getTime() + this.config.evidence.emailChallengeTtlMs),
      createdBy: actor,
      createdAt: now,
      resolvedAt: null,
      note: null,
    };
    await insertRows(em, Challenge, challenge);
    if (!decoy) {
      await this.notifications.queueMail(em, address, MailTemplate.ChallengeCode, {
        reference: ticket.reference,
        username: ticket.username,
        code: formatEmailCode(code),
        minutes: this.minutes(),
      });
    }
    return challenge;
  }

  /**
   * Counts one try on each of the ticket's pending codes that has one left, and returns those codes
   * as they stand after it. Each code is counted by a conditional UPDATE (`attempts < max`), one at a
   * time in id order: on PostgreSQL the row stays locked until this transaction commits, so a try in
   * parallel waits for it and then sees its count (and the same order means two tries never wait on
   * each other crosswise); SQLite runs one write transaction at a time. Codes with no try left (there
   * are none unless the limit was lowered) are locked.
   */
  private async takeCodeTries(em: EntityManager, ticketId: string, now: Date): Promise<Challenge[]> {
    await em.update(Challenge, { ticketId, kind: 'email', state: 'pending', expiresAt: LessThanOrEqual(now) }, { state: 'expired', resolvedAt: now });
    const max = this.config.evidence.emailChallengeAttempts;
    const candidates = await em.find(Challenge, { where: { ticketId, kind: 'email', state: 'pending' }, select: { id: true }, order: { id: 'ASC' } });
    const counted: string[] = [];
    for (const { id } of candidates) {
      const result = await em
        .createQueryBuilder()
        .update(Challenge)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND state = :pending AND attempts < :max', { id, pending: 'pending', max })
        .execute();
      if ((result.affected ?? 0) > 0) counted.push(id);
    }
    if (counted.length < candidates.length) {
      await em
        .createQueryBuilder()
        .update(Challenge)
        .set({ state: 'locked', resolvedAt: now })
        .where('ticket_id = :ticketId AND kind = :email AND state = :pending AND attempts >= :max', { ticketId, email: 'email', pending: 'pending', max })
        .execute();
    }
    return counted.length ? em.find(Challenge, { where: { id: In(counted) } }) : [];
  }

  private async expireRepositoryChallenges(em: EntityManager, ticketId: string, now: Date): Promise<void> {
    await em.update(Challenge, { ticketId, kind: 'repository', state: 'pending', expiresAt: LessThanOrEqual(now) }, { state: 'expired', resolvedAt: now });
  }

  /**
   * Passed only counts when the repository is one of the account's projects; else it was found elsewhere.
   * `countCheck`: false when the verifier's check was counted before it ran (checkRepositoryChallenge).
   */
  private async resolveRepository(
    em: EntityManager,
    ticket: Ticket,
    challenge: Challenge,
    found: boolean,
    note: string,
    actor: string,
    now: Date,
    countCheck = true,
  ): Promise<Challenge> {
    const project = found ? projectForRepository(await this.accounts.record(ticket.accountId, em), challenge.target) : null;
    const state = !found ? 'failed' : project ? 'passed' : 'found_elsewhere';
    const changes = { state, project, resolvedAt: now, note, attempts: challenge.attempts + (countCheck ? 1 : 0) } as const;
    // Counted in SQL, not from the count read earlier: a check running meanwhile is not lost.
    const { attempts: _counted, ...stored } = changes;
    await em.update(Challenge, { id: challenge.id }, countCheck ? { ...stored, attempts: () => 'attempts + 1' } : stored);
    await this.event(em, ticket.id, actor === 'system' ? 'repository_checked' : 'repository_result_recorded', actor, false, now, {
      challenge_id: challenge.id,
      state,
      project,
      note,
    });
    if (found) {
      await this.event(em, ticket.id, 'repository_checked', actor, true, now, {
        public_text: `We found the token in ${challenge.target}. Thank you: the team will take it into account.`,
      });
    }
    await this.outbox.requestAssessment(em, ticket.id, 'challenge');
    return { ...challenge, ...changes };
  }

  private async openTicketById(em: EntityManager, ticketId: string): Promise<Ticket> {
    const ticket = await em.findOneBy(Ticket, { id: ticketId });
    if (!ticket) throw DomainError.notFound();
    assertTicketOpen(ticket);
    return ticket;
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

  private minutes(): number {
    return Math.round(this.config.evidence.emailChallengeTtlMs / 60_000);
  }
}

/** Passed and found-elsewhere read the same: the requester must not learn which repositories count. */
const REQUESTER_REPOSITORY_STATE: Record<string, string> = {
  pending: 'Waiting: publish the branch or file, then press "Check now".',
  passed: 'Found. The team will take it into account.',
  found_elsewhere: 'Found. The team will take it into account.',
  failed: 'A moderator checked this repository and did not find the token.',
  expired: 'Expired: start a new check if you still need one.',
};
