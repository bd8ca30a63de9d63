import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { emailKey } from '../common/normalize.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { isOpen } from '../tickets/ticket-state.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { AssessmentRecord } from './assessment.entity.js';
import type { AssessPayload } from '../jobs/outbox.service.js';
import { Challenge } from './challenge.entity.js';
import { githubIdOf } from './github-device-flow.js';
import { mayReceiveCode } from './challenge-policy.js';
import { ChallengesService } from './challenges.service.js';
import { toTicketEvidence } from './evidence.mapping.js';
import { SCORING_CONFIG } from './scoring-config.provider.js';
import { type AssessmentTrigger } from '../tickets/ticket.types.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { OutboxMessage } from '../jobs/outbox.entity.js';
import { assess } from '../scoring/assess.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import type { Assessment, TicketEvidence } from '../scoring/scoring.types.js';
import type { AccountRecord } from '../scoring/account-record.js';
import { AccountRepository } from '../directory/account.repository.js';
import { DirectorySharesService } from './directory-shares.service.js';
import { CampaignsService } from './campaigns.service.js';

/**
 * Runs the pure scorer on a ticket and keeps the result: a new assessment row (never updated), its
 * summary on the ticket for the queue, and an internal timeline line. The requester never sees any of it.
 */
@Injectable()
export class EvidenceService {
  private readonly logger = new Logger(EvidenceService.name);

  constructor(
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly challenges: ChallengesService,
    private readonly tickets: TicketRepository,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly shares: DirectorySharesService,
    private readonly campaigns: CampaignsService,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
  ) {}

  /**
   * One assess job: the outbox row says which ticket and why. Marking the row in the same transaction
   * makes a job that runs twice (a retry after a crash, docs/security.md #23) store one assessment. `then` runs
   * in the same transaction (the pipeline routes the ticket there), so it happens exactly when the
   * assessment does.
   */
  async processOutbox(outboxId: string, then?: (em: EntityManager, ticketId: string) => Promise<void>): Promise<AssessmentRecord | null> {
    return this.transactions.run(async (em) => {
      const row = await em.findOneBy(OutboxMessage, { id: outboxId });
      if (!row || row.processedAt || !row.payload) return null;
      const { ticketId, trigger } = JSON.parse(row.payload) as AssessPayload & { trigger: AssessmentTrigger };
      const stored = await this.assessInside(em, ticketId, trigger);
      if (then) await then(em, ticketId);
      await em.update(OutboxMessage, { id: outboxId }, { processedAt: this.clock.now(), payload: null, attempts: row.attempts + 1, lastError: null });
      return stored;
    });
  }

  /** Assesses now (the CLI's `rescore`, and tests); the pipeline goes through `processOutbox`. */
  async assessTicket(ticketId: string, trigger: AssessmentTrigger): Promise<AssessmentRecord | null> {
    return this.transactions.run((em) => this.assessInside(em, ticketId, trigger));
  }

  /** Every assessment of a ticket, oldest first. */
  async history(ticketId: string): Promise<AssessmentRecord[]> {
    return this.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId }, order: { id: 'ASC' } });
  }

  private async assessInside(em: EntityManager, ticketId: string, trigger: AssessmentTrigger): Promise<AssessmentRecord | null> {
    const ticket = await em.findOneBy(Ticket, { id: ticketId });
    // A closed ticket has nothing left to decide: new evidence on it is not scored.
    if (!ticket || !isOpen(ticket.state)) return null;
    const now = this.clock.now();
    const accountRecord = await this.accounts.record(ticket.accountId, em);

    // New addresses the requester still reads get their codes before the score is taken.
    if (trigger === 'submitted' || trigger === 'follow_up') {
      await this.challenges.sendAutomaticCodes(em, ticket, accountRecord, now);
    }

    // A new request is compared with the recent ones once, when it is first assessed; a cluster that forms
    // asks for its earlier members to be assessed again (docs/evidence.md, "Coordinated requests").
    if (trigger === 'submitted') await this.campaigns.detect(em, ticket, accountRecord, now);
    const coordinated = await this.campaigns.isMember(em, ticket.id);
    const evidence = toTicketEvidence(ticket, await this.proofs(em, ticket.id), coordinated);
    const assessment = assess(evidence, accountRecord, now, this.scoring, await this.shares.current());
    if (trigger === 'submitted' && accountRecord && assessment.riskFlags.includes('unused_recovery_codes')) {
      await this.tellAboutRecoveryCodes(em, ticket, accountRecord, now);
    }
    return this.store(em, ticket, assessment, trigger, now);
  }

  /**
   * The account still has recovery codes: its owner can sign in with one today. Told only at the
   * verified, current addresses on file (where the owner reads, and where an impostor learns nothing);
   * never at the contact address, nor on the status page, nor by the ticket's state: whoever filed the
   * request gets the same answers for any username (docs/security.md #1). Every status page shows the
   * same general hint instead.
   */
  private async tellAboutRecoveryCodes(em: EntityManager, ticket: Ticket, account: AccountRecord, now: Date): Promise<void> {
    const contact = emailKey(ticket.contactEmail);
    const recipients = [...new Set(account.emails.filter((e) => mayReceiveCode(account, e.address, this.scoring)).map((e) => emailKey(e.address)))].filter(
      (address) => address !== contact,
    );
    for (const to of recipients) {
      await this.notifications.queueMail(em, to, MailTemplate.RecoveryCodesHint, { reference: ticket.reference, username: ticket.username });
    }
    await addTicketEvent(em, {
      ticketId: ticket.id,
      type: 'recovery_codes_hint_sent',
      actor: 'system',
      public: false,
      createdAt: now,
      data: { recipients: recipients.length },
    });
  }

  /**
   * The latest passed challenge of each kind (a passed repository challenge only with its project). A
   * passed trusted-publisher check is a repository-class proof of its project: it counts as a repository
   * challenge, and the two do not add up (docs/evidence.md, "Proving control"). And the GitHub account a
   * linked-identity check signed in to: one whose id matched, else the latest that did not, so the
   * moderator sees it (the rule compares the ids again: linked-identity-proof.rule.ts).
   */
  private async proofs(
    em: EntityManager,
    ticketId: string,
  ): Promise<Pick<TicketEvidence, 'emailChallengePassed' | 'repoChallengePassed' | 'linkedGithubProven'>> {
    const passed = await em.find(Challenge, { where: { ticketId, state: In(['passed', 'other_identity']) }, order: { resolvedAt: 'DESC' } });
    const email = passed.find((c) => c.kind === 'email' && !c.decoy && c.state === 'passed');
    const repository = passed.find((c) => (c.kind === 'repository' || c.kind === 'publisher') && c.project !== null && c.state === 'passed');
    const identities = passed.filter((c) => c.kind === 'github_identity');
    const githubId = githubIdOf(identities.find((c) => c.state === 'passed') ?? identities[0]);
    return {
      ...(email ? { emailChallengePassed: { address: email.target } } : {}),
      ...(repository
        ? { repoChallengePassed: { project: repository.project!, ...(repository.kind === 'publisher' ? { via: 'trusted_publisher' as const } : {}) } }
        : {}),
      ...(githubId !== null ? { linkedGithubProven: { githubId } } : {}),
    };
  }

  private async store(em: EntityManager, ticket: Ticket, assessment: Assessment, trigger: AssessmentTrigger, now: Date): Promise<AssessmentRecord> {
    const row: Omit<AssessmentRecord, 'id'> = {
      ticketId: ticket.id,
      ruleVersion: assessment.ruleVersion,
      sharesVersion: assessment.sharesVersion,
      score: assessment.score,
      band: assessment.band,
      recommendation: assessment.recommendation,
      signals: assessment.signals,
      riskFlags: assessment.riskFlags,
      nistAal2: assessment.nistAal2Satisfied,
      trigger,
      createdAt: now,
    };
    const result = await em.insert(AssessmentRecord, row);
    const stored: AssessmentRecord = { ...row, id: Number(result.identifiers[0].id) };
    await this.tickets.recordAssessment(em, ticket.id, {
      score: assessment.score,
      band: assessment.band,
      recommendation: assessment.recommendation,
      riskFlags: assessment.riskFlags,
      ruleVersion: assessment.ruleVersion,
      assessedAt: now,
    });
    await addTicketEvent(em, {
      ticketId: ticket.id,
      type: 'assessed',
      actor: 'system',
      public: false,
      createdAt: now,
      data: {
        assessment_id: stored.id,
        trigger,
        score: assessment.score,
        band: assessment.band,
        recommendation: assessment.recommendation,
        rule_version: assessment.ruleVersion,
        shares_version: assessment.sharesVersion,
        risk_flags: assessment.riskFlags,
      },
    });
    this.logger.log({ ticketId: ticket.id, trigger, score: assessment.score, band: assessment.band }, 'ticket assessed');
    return stored;
  }
}
