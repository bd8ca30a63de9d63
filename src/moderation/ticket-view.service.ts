import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { emailKey } from '../common/normalize.js';
import type { AssessmentRecord } from '../evidence/assessment.entity.js';
import { mayReceiveCode } from '../evidence/challenge-policy.js';
import type { ChallengeKind, ChallengeState } from '../evidence/challenge.entity.js';
import { CalibrationService, type POwnerView } from '../evidence/calibration.service.js';
import { ChallengesService } from '../evidence/challenges.service.js';
import { EvidenceService } from '../evidence/evidence.service.js';
import { CampaignsService, type ClusterView } from '../evidence/campaigns.service.js';
import { SCORING_CONFIG } from '../evidence/scoring-config.provider.js';
import { CODE_OF_CONDUCT } from '../intake/code-of-conduct.js';
import { actorName, describeForStaff, type StaffEventLine } from '../tickets/ticket-event-text.js';
import { Ticket, TicketEvent } from '../tickets/ticket.entity.js';
import { type ClaimRow, compareClaims, countVerdicts, secondFactorText, VERDICT_TEXT, type Verdict } from './claim-comparison.js';
import { holderName, riskFlagList, slaBadge, type SlaBadge } from './queue-format.js';
import { Recovery } from '../tickets/recovery.entity.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import type { RiskFlag, SignalKind } from '../scoring/scoring.types.js';
import type { AccountRecord } from '../scoring/account-record.js';
import { AccountRepository } from '../directory/account.repository.js';
import { TicketRepository } from '../tickets/ticket.repository.js';
import { saidLost, saysAddressesOnFileLost } from '../resets/approval-policy.js';

const words = (s: string) => s.replace(/_/g, ' ');

/** What each risk flag asks of the moderator. */
const RISK_FLAG_TEXT: Record<RiskFlag, string> = {
  competing_requests: 'Another open request for this account came from a different contact address.',
  coordinated_requests: 'Part of a cluster of requests for different accounts that share how they were made: a possible takeover campaign (see the cluster).',
  primary_email_changed_recently: 'The primary address changed recently: the account may already be in other hands.',
  high_value_account: 'Owner of a widely used project: a second moderator must agree.',
  second_moderator_required: 'A second moderator must agree before approval.',
  disposable_domain: 'An address the requester gave is on a disposable-mail domain.',
  expired_domain: 'An address involved is on an expired domain: it proves nothing and may have changed hands.',
  unused_recovery_codes: 'The account still has unused recovery codes: the owner can sign in with one.',
  no_such_account: 'No account has this username.',
};

const CHALLENGE_KIND_TEXT: Record<ChallengeKind, string> = {
  email: 'e-mail code',
  repository: 'repository token',
  publisher: 'trusted publisher (GitHub Actions token)',
  github_identity: 'linked GitHub identity',
};

const DECOY_TEXT: Record<ChallengeKind, string> = {
  email: 'not an address that may receive a code, no mail sent',
  repository: 'no project of the account has this repository',
  publisher: 'no project of the account has a trusted publisher, so no token can pass; the requester sees the same as anyone',
  github_identity: 'the account has no linked GitHub id: no sign-in can pass; the requester sees the same as anyone',
};

const CLUSTER_KIND_TEXT: Record<ClusterView['kind'], string> = {
  contact_domain: 'same new or rare contact domain',
  local_part_template: 'same template of contact address',
  details_template: 'same free-text template',
};

const CHALLENGE_STATE_TEXT: Record<ChallengeState, string> = {
  pending: 'pending',
  passed: 'passed: control proven',
  found_elsewhere: "found, but not in a repository of the account's projects: proves nothing",
  other_identity: 'signed in to a GitHub account that is not the linked one: proves nothing',
  locked: 'locked after too many wrong codes',
  failed: 'failed',
  expired: 'expired',
  superseded: 'superseded by a newer challenge',
};

export interface ClaimRowView extends ClaimRow {
  verdictText: string;
}

export interface SignalView {
  rule: string;
  /** `+20`, `-6`, `0`: the sign is in the text, not only in a colour. */
  effect: string;
  direction: 'positive' | 'negative' | 'neutral';
  kind: SignalKind;
  reason: string;
}

export interface TicketView {
  ticket: {
    reference: string;
    state: string;
    username: string;
    requestType: string;
    sla: SlaBadge;
    band: string | null;
    score: number | null;
    riskFlags: string[];
    /** P(owner) of the score, with its basis (staff only, docs/security.md #1); null before the first assessment. */
    pOwner: POwnerView | null;
    holder: string | null;
    leaseExpiresAt: string | null;
    escalated: boolean;
  };
  request: { contactEmail: string; submittedAt: Date; details: string; delayAcknowledgedAt: Date; competing: boolean };
  account: AccountSummary | null;
  claims: { rows: ClaimRowView[]; counts: Record<Verdict, number> };
  assessment: {
    score: number;
    band: string;
    recommendation: string;
    ruleVersion: string;
    currentRules: boolean;
    at: Date;
    trigger: string;
    nistAal2: boolean;
    signals: SignalView[];
  } | null;
  assessments: Array<{ at: Date; trigger: string; score: number; band: string; recommendation: string; ruleVersion: string }>;
  riskFlags: Array<{ flag: string; text: string }>;
  /** Clusters of requests for other accounts that share how they were made (docs/moderation.md, "Coordinated requests"). */
  campaigns: Array<ClusterView & { kindText: string; more: number }>;
  challenges: Array<{
    kind: string;
    target: string;
    project: string | null;
    state: string;
    /** Why the challenge is a decoy (it can never pass), in words; null when it is not one. */
    decoy: string | null;
    attempts: number;
    createdBy: string;
    createdAt: Date;
    expiresAt: Date;
    resolvedAt: Date | null;
    note: string | null;
  }>;
  timeline: StaffEventLine[];
  /** Null until the acceptance is on record (approval is refused until then). */
  coc: { version: string; acceptedAt: Date; current: boolean; currentVersion: string; method: string | null; recordedBy: string | null } | null;
  /** What the decision forms offer. */
  options: {
    /** Where a reset link may go: trusted addresses on file first, then the requester's own (a new channel). */
    resetAddresses: Array<{ address: string; label: string }>;
    /** Addresses a one-time code may go to. */
    codeAddresses: string[];
    /** The account's projects' repositories, for a repository challenge. */
    repositories: Array<{ url: string; project: string }>;
  };
  /** The ticket's latest recovery (approval, four-eyes, cooling-off, link), if it has one. */
  recovery: {
    state: string;
    firstApprover: string;
    secondApprover: string | null;
    needsSecond: boolean;
    coolingOffEndsAt: Date | null;
    resetExpiresAt: Date | null;
    resetUsedAt: Date | null;
    closedReason: string | null;
  } | null;
}

export interface AccountSummary {
  username: string;
  joinedAt: Date;
  secondFactor: string;
  recoveryCodesUnused: number;
  linkedGithub: string | null;
  /** The numeric GitHub user id the linked-identity check compares. */
  linkedGithubId: number | null;
  addresses: { current: number; removed: number };
  projects: Array<{ name: string; role: string; monthlyDownloads: number }>;
}

/**
 * The moderator's ticket page (read side): the ticket, its claims against the directory, the
 * latest assessment with every signal, challenges, the whole timeline and the Code of Conduct record.
 * One query for the ticket, then four at once (account, assessments, challenges, events): no N+1.
 */
@Injectable()
export class TicketViewService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly accounts: AccountRepository,
    private readonly dataSource: DataSource,
    private readonly evidence: EvidenceService,
    private readonly challenges: ChallengesService,
    private readonly campaigns: CampaignsService,
    private readonly calibration: CalibrationService,
    private readonly clock: Clock,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
  ) {}

  /** Null when no ticket has this reference. */
  async load(reference: string): Promise<{ ticket: Ticket; view: TicketView } | null> {
    const ticket = await this.tickets.findByReference(reference);
    if (!ticket) return null;
    const [account, assessments, challenges, events, recovery, clusters, pOwner] = await Promise.all([
      this.accounts.record(ticket.accountId),
      this.evidence.history(ticket.id),
      this.challenges.forModerator(ticket.id),
      this.dataSource.getRepository(TicketEvent).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } }),
      this.dataSource.getRepository(Recovery).findOne({ where: { ticketId: ticket.id }, order: { createdAt: 'DESC' } }),
      this.campaigns.clustersOf(ticket.id),
      ticket.score !== null && ticket.ruleVersion ? this.calibration.view(ticket.ruleVersion, ticket.score) : Promise.resolve(null),
    ]);
    const rows = compareClaims({ claims: ticket.claims, contactEmail: ticket.contactEmail, username: ticket.username, account, config: this.scoring });
    const latest = assessments.at(-1) ?? null;
    return {
      ticket,
      view: {
        ticket: {
          reference: ticket.reference,
          state: words(ticket.state),
          username: ticket.username,
          requestType: words(ticket.requestType),
          sla: slaBadge(ticket, this.clock.now()),
          band: ticket.band,
          score: ticket.score,
          riskFlags: riskFlagList(ticket.riskFlags),
          pOwner,
          holder: holderName(ticket.claimedBy),
          leaseExpiresAt: ticket.leaseExpiresAt?.toISOString() ?? null,
          escalated: ticket.escalated,
        },
        request: {
          contactEmail: ticket.contactEmail,
          submittedAt: ticket.createdAt,
          details: ticket.claims.details,
          delayAcknowledgedAt: ticket.delayAcknowledgedAt,
          competing: ticket.competing,
        },
        account: account ? summarise(account) : null,
        claims: { rows: rows.map((r) => ({ ...r, verdictText: VERDICT_TEXT[r.verdict] })), counts: countVerdicts(rows) },
        assessment: latest ? this.assessmentView(latest) : null,
        assessments: assessments
          .map((a) => ({
            at: a.createdAt,
            trigger: words(a.trigger),
            score: a.score,
            band: a.band,
            recommendation: words(a.recommendation),
            ruleVersion: a.ruleVersion,
          }))
          .reverse(),
        riskFlags: (latest?.riskFlags ?? riskFlagList(ticket.riskFlags)).map((flag) => ({
          flag,
          text: RISK_FLAG_TEXT[flag as RiskFlag] ?? words(flag),
        })),
        campaigns: clusters.map((c) => ({ ...c, kindText: CLUSTER_KIND_TEXT[c.kind], more: Math.max(0, c.total - 1 - c.others.length) })),
        challenges: challenges.map((c) => ({
          kind: CHALLENGE_KIND_TEXT[c.kind] ?? words(c.kind),
          target: c.target,
          project: c.project,
          state: CHALLENGE_STATE_TEXT[c.state] ?? words(c.state),
          decoy: c.decoy ? DECOY_TEXT[c.kind] : null,
          attempts: c.attempts,
          createdBy: actorName(c.createdBy),
          createdAt: c.createdAt,
          expiresAt: c.expiresAt,
          resolvedAt: c.resolvedAt,
          note: c.note,
        })),
        timeline: events.map(describeForStaff),
        coc:
          ticket.cocVersion && ticket.cocAcceptedAt
            ? {
                version: ticket.cocVersion,
                acceptedAt: ticket.cocAcceptedAt,
                method: ticket.cocMethod ? words(ticket.cocMethod) : null,
                recordedBy: ticket.cocRecordedBy ? actorName(ticket.cocRecordedBy) : null,
                current: ticket.cocVersion === CODE_OF_CONDUCT.version,
                currentVersion: CODE_OF_CONDUCT.version,
              }
            : null,
        options: this.options(
          ticket,
          account,
          challenges.filter((c) => c.kind === 'email' && c.state === 'passed').map((c) => c.target),
        ),
        recovery: recovery
          ? {
              state: words(recovery.state),
              firstApprover: recovery.firstApprover,
              secondApprover: recovery.secondApprover,
              needsSecond: recovery.needsSecond,
              coolingOffEndsAt: recovery.coolingOffEndsAt,
              resetExpiresAt: recovery.resetExpiresAt,
              resetUsedAt: recovery.resetUsedAt,
              closedReason: recovery.closedReason ? words(recovery.closedReason) : null,
            }
          : null,
      },
    };
  }

  /**
   * The reset link's choices, the first being the form's default: what was proven (an address on file
   * whose code the requester typed back), then the other trusted addresses on file (none when the
   * requester said they lost access to them and reads none of them), then the requester's own.
   */
  private options(ticket: Ticket, account: AccountRecord | null, provenAddresses: string[]): TicketView['options'] {
    const trusted = account ? account.emails.filter((e) => mayReceiveCode(account, e.address, this.scoring)).map((e) => e.address) : [];
    const trustedKeys = new Set(trusted.map(emailKey));
    const provenKeys = new Set(provenAddresses.map(emailKey));
    const requesterAddresses = [ticket.contactEmail, ...(ticket.claims.emailsStillRead ?? [])];
    const lostFacts = { lostAccessToFile: saysAddressesOnFileLost(ticket.requestType), emailProofs: provenAddresses, requesterAddresses };
    const proven = trusted.filter((a) => provenKeys.has(emailKey(a)));
    const onFile = trusted.filter((a) => !provenKeys.has(emailKey(a)) && !saidLost(a, lostFacts));
    const own = requesterAddresses.filter((a, i, all) => all.indexOf(a) === i && !trustedKeys.has(emailKey(a)));
    return {
      resetAddresses: [
        ...proven.map((address) => ({ address, label: `${address} (on file, control proven by a code)` })),
        ...onFile.map((address) => ({ address, label: `${address} (verified, on file)` })),
        ...own.map((address) => ({ address, label: `${address} (the requester's, not on file: needs a second senior and the long cooling-off)` })),
      ],
      codeAddresses: trusted,
      repositories: (account?.projects ?? []).filter((p) => p.repositoryKey).map((p) => ({ url: `https://${p.repositoryKey!}`, project: p.name })),
    };
  }

  private assessmentView(a: AssessmentRecord): NonNullable<TicketView['assessment']> {
    return {
      score: a.score,
      band: a.band,
      recommendation: words(a.recommendation),
      ruleVersion: a.ruleVersion,
      currentRules: a.ruleVersion === this.scoring.ruleVersion,
      at: a.createdAt,
      trigger: words(a.trigger),
      nistAal2: a.nistAal2,
      signals: a.signals.map((s) => ({
        rule: words(s.rule),
        kind: s.kind,
        reason: s.reason,
        effect: s.effect > 0 ? `+${s.effect}` : String(s.effect),
        direction: s.effect > 0 ? 'positive' : s.effect < 0 ? 'negative' : 'neutral',
      })),
    };
  }
}

function summarise(account: AccountRecord): AccountSummary {
  const removed = account.emails.filter((e) => e.removedAt !== null).length;
  return {
    username: account.username,
    joinedAt: account.joinedAt,
    secondFactor: secondFactorText(account),
    recoveryCodesUnused: account.recoveryCodesUnused,
    linkedGithub: account.linkedGithub,
    linkedGithubId: account.linkedGithubId ?? null,
    addresses: { current: account.emails.length - removed, removed },
    projects: account.projects.map((p) => ({ name: p.name, role: p.role, monthlyDownloads: p.monthlyDownloads })),
  };
}
