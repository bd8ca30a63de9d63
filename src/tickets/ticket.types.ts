// The ticket's vocabulary as plain types: what the entity stores, what the pure workflow reads and
// returns, and what the scorer takes as input. No TypeORM here, so pure code can import it.
import type { Band, Recommendation } from '../scoring/scoring.types.js';
import type { SlaLevel } from '../sla/sla-clock.js';
import type { TicketState } from './ticket-state.js';

export type { SlaLevel };

export const REQUEST_TYPES = ['forgot_password', 'lost_2fa', 'lost_recovery_codes', 'lost_email_access', 'compromised'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export type TriState = 'yes' | 'no' | 'unknown';

/** What the requester claims, kept as given (normalised) for scoring and for the moderator. */
export interface TicketClaims {
  previousEmails: string[];
  /**
   * Addresses the requester says they can still read mail at (also counted as claimed addresses): if
   * one is on file, a one-time code goes there. Absent on tickets older than this field.
   */
  emailsStillRead?: string[];
  projects: string[];
  joinedApprox: string | null;
  has2fa: TriState;
  hasRecoveryCodes: TriState;
  details: string;
}

/** The latest assessment's summary, as the ticket keeps it for the queue (the scorer's own terms). */
export type { Band, Recommendation };

/** Why a ticket asks to be (re)assessed: the timeline says which new evidence arrived. */
export type AssessmentTrigger = 'submitted' | 'follow_up' | 'message' | 'challenge' | 'competing_request' | 'coordinated_requests' | 'rescore';

/**
 * How the ticket's decision cycle ended, for reports: a moderator's decision, or a closing without one.
 * A withdrawal after an approval does not change the decision.
 */
export const OUTCOMES = ['approved', 'denied', 'withdrawn', 'closed_no_response'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type TicketEventType =
  | 'submitted'
  | 'follow_up'
  | 'message'
  | 'withdrawn'
  | 'competing_request'
  | 'state_changed'
  | 'info_requested'
  | 'assessed'
  | 'codes_sent'
  | 'code_sent'
  | 'code_confirmed'
  | 'code_rejected'
  | 'code_locked'
  | 'repository_challenge_started'
  | 'repository_checked'
  | 'repository_result_recorded'
  | 'publisher_challenge_started'
  | 'publisher_token_rejected'
  | 'publisher_token_checked'
  | 'publisher_challenge_locked'
  | 'github_identity_started'
  | 'github_identity_checked'
  | 'recovery_codes_hint_sent'
  | 'routed'
  | 'recovery_codes_answer'
  | 'contested'
  | 'claimed'
  | 'lease_renewed'
  | 'released'
  | 'lease_expired'
  | 'reassigned'
  | 'escalated'
  | 'sla_started'
  | 'sla_paused'
  | 'sla_resumed'
  | 'sla_warning'
  | 'sla_breached'
  | 'reopened'
  | 'note'
  | 'denied'
  | 'coc_recorded'
  | 'approved'
  | 'second_approval'
  | 'cooling_off_started'
  | 'reset_link_sent'
  | 'reset_link_reissued'
  | 'reset_completed'
  | 'recovery_stopped'
  | 'closed_no_response';

/** Every column of a ticket (the entity in ticket.entity.ts implements it). */
export interface TicketRow {
  id: string;
  reference: string;
  username: string;
  usernameKey: string;
  /** Null when no such account exists; never shown to the requester. */
  accountId: string | null;
  contactEmail: string;
  requestType: RequestType;
  claims: TicketClaims;
  state: TicketState;
  /** `username_key|contact_email` while open, null once closed (a unique index: one open ticket per pair). */
  openKey: string | null;
  competing: boolean;
  cocVersion: string | null;
  cocAcceptedAt: Date | null;
  cocMethod: string | null;
  cocRecordedBy: string | null;
  delayAcknowledgedAt: Date;
  createdAt: Date;
  updatedAt: Date;
  decidedAt: Date | null;
  closedAt: Date | null;
  score: number | null;
  band: Band | null;
  recommendation: Recommendation | null;
  /** Space-separated with a space at each end (` a b `), so `LIKE '% a %'` matches one flag exactly. */
  riskFlags: string | null;
  ruleVersion: string | null;
  assessedAt: Date | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  leaseExpiresAt: Date | null;
  escalated: boolean;
  slaCycle: number;
  slaCycleStartedAt: Date | null;
  firstRespondedAt: Date | null;
  slaDecidedAt: Date | null;
  slaPausedSince: Date | null;
  slaPauses: Array<{ from: string; to: string }>;
  responseWarnAt: Date | null;
  responseDueAt: Date | null;
  decisionWarnAt: Date | null;
  decisionDueAt: Date | null;
  slaResponseLevel: SlaLevel;
  slaDecisionLevel: SlaLevel;
  slaLevel: SlaLevel;
  coolingOffEndsAt: Date | null;
  slaResponseMs: number | null;
  slaResponseMet: boolean | null;
  slaDecisionMs: number | null;
  slaDecisionMet: boolean | null;
  outcome: Outcome | null;
  decidedBy: string | null;
  handlingMs: number | null;
  slaNextAt: Date | null;
  version: number;
}

/** A new ticket's report figures: nothing measured or decided yet. */
export const NO_REPORT_FIGURES: Pick<
  TicketRow,
  'slaResponseMs' | 'slaResponseMet' | 'slaDecisionMs' | 'slaDecisionMet' | 'outcome' | 'decidedBy' | 'handlingMs'
> = {
  slaResponseMs: null,
  slaResponseMet: null,
  slaDecisionMs: null,
  slaDecisionMet: null,
  outcome: null,
  decidedBy: null,
  handlingMs: null,
};

/**
 * - `awaiting_second`: approved once; a different senior moderator must approve too (four-eyes).
 * - `cooling_off`: every address on file has been told; the reset link waits until `coolingOffEndsAt`.
 * - `link_sent`: the single-use reset link went to `resetAddress`.
 * - `completed`: the link was used and the password set. `cancelled`: stopped from an address on file,
 *   or the request was withdrawn. `denied`: the second approver (or a senior) refused.
 */
export type RecoveryState = 'awaiting_second' | 'cooling_off' | 'link_sent' | 'completed' | 'cancelled' | 'denied';
export const LIVE_RECOVERY_STATES: readonly RecoveryState[] = ['awaiting_second', 'cooling_off', 'link_sent'];

/** An approved recovery of one account (the entity in recovery.entity.ts implements it). */
export interface RecoveryRow {
  id: string;
  ticketId: string;
  accountId: string;
  /** The account id while the recovery is live, null after: a unique index keeps one live recovery per account. */
  activeKey: string | null;
  state: RecoveryState;
  resetAddress: string;
  needsSecond: boolean;
  /**
   * Approved against the assessment's recommendation (approval-guard.ts), and the senior's written reason.
   * The database repeats the rule (migration 1765200000000): an override carries a reason of at least 20
   * characters and waits for a second approver; a ticket whose assessment is against approval gets no
   * recovery that is not marked as an override.
   */
  override: boolean;
  overrideReason: string | null;
  /** Moderator names (not actors): the database's CHECK compares them. */
  firstApprover: string;
  firstApprovedAt: Date;
  secondApprover: string | null;
  secondApprovedAt: Date | null;
  coolingOffMs: number;
  coolingOffEndsAt: Date | null;
  stopTokenHash: string | null;
  resetTokenHash: string | null;
  resetIssuedAt: Date | null;
  resetExpiresAt: Date | null;
  resetUsedAt: Date | null;
  closedAt: Date | null;
  closedReason: string | null;
  createdAt: Date;
}

/** A decision cycle that ended before the ticket was reopened (the entity is TicketCycle). */
export interface TicketCycleRow {
  ticketId: string;
  cycle: number;
  requestType: RequestType;
  startedAt: Date;
  decidedAt: Date | null;
  decisionMs: number | null;
  decisionMet: boolean | null;
  outcome: Outcome | null;
  decidedBy: string | null;
  handlingMs: number | null;
  closedAt: Date | null;
  reopenedAt: Date;
}

/** One line of a ticket's timeline; `public` lines are shown on the requester's status page. */
export interface TimelineEntry {
  ticketId: string;
  type: TicketEventType;
  /** `requester`, `system`, `account_owner`, or `moderator:<name>`. */
  actor: string;
  public: boolean;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** `moderator:<name>`: how a moderator appears on the timeline and in `claimed_by`. */
export const moderatorActor = (name: string): string => `moderator:${name}`;
