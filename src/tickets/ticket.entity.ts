import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { BigIntColumn, DateTimeColumn, JsonColumn } from '../database/columns.js';
import { TicketState } from './ticket-state.js';
import type {
  Band,
  Outcome,
  Recommendation,
  RequestType,
  SlaLevel,
  TicketClaims,
  TicketCycleRow,
  TicketEventType,
  TicketRow,
  TimelineEntry,
} from './ticket.types.js';

@Entity('tickets')
@Index('ix_tickets_state_created', ['state', 'createdAt'])
@Index('ix_tickets_created_id', ['createdAt', 'id'])
@Index('ix_tickets_sla_created_id', ['slaLevel', 'createdAt', 'id'])
@Index('ix_tickets_state', ['state'])
@Index('ix_tickets_username_key', ['usernameKey'])
// Reports (src/reports): tickets received, cycles decided, first responses and closings per range;
// covering the columns the reports read, so a year's report never fetches the rows themselves.
@Index('ix_tickets_created_type', ['createdAt', 'requestType'])
@Index('ix_tickets_decided', ['slaDecidedAt', 'requestType', 'outcome', 'slaDecisionMs', 'slaDecisionMet', 'decidedBy', 'handlingMs'])
@Index('ix_tickets_responded', ['firstRespondedAt', 'requestType', 'slaResponseMs', 'slaResponseMet'])
@Index('ix_tickets_closed', ['closedAt', 'requestType'])
// The breach list: tickets that missed a target only (the condition is report-queries.ts's BREACHED).
@Index('ix_tickets_breached', ['createdAt', 'id', 'requestType', 'slaResponseMet', 'slaDecisionMet', 'slaResponseLevel', 'slaDecisionLevel'], {
  where: "(sla_response_met = FALSE OR sla_decision_met = FALSE OR sla_response_level = 'breached' OR sla_decision_level = 'breached')",
})
export class Ticket implements TicketRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ux_tickets_reference', { unique: true })
  @Column({ type: 'varchar', length: 12 })
  reference: string;

  @Column({ type: 'varchar', length: 50 })
  username: string;

  @Column({ name: 'username_key', type: 'varchar', length: 50 })
  usernameKey: string;

  /** Null when no such account exists; never shown to the requester. */
  @Column({ name: 'account_id', type: 'varchar', length: 36, nullable: true })
  accountId: string | null;

  @Column({ name: 'contact_email', type: 'varchar', length: 254 })
  contactEmail: string;

  @Column({ name: 'request_type', type: 'varchar', length: 32 })
  requestType: RequestType;

  @JsonColumn()
  claims: TicketClaims;

  @Column({ type: 'varchar', length: 32 })
  state: TicketState;

  /**
   * `username_key|contact_email` while the ticket is open, null once closed: a unique index on it
   * lets the database itself refuse a second open ticket from the same address for the same account.
   */
  @Index('ux_tickets_open_key', { unique: true })
  @Column({ name: 'open_key', type: 'varchar', length: 310, nullable: true })
  openKey: string | null;

  /** Another open ticket for the account came from a different contact address. */
  @Column({ type: 'boolean', default: false })
  competing: boolean;

  /**
   * The Code of Conduct acceptance: at intake (method null: the form or API checkbox), or recorded later
   * by a moderator with how it was given (`coc_method`, e.g. a reply by mail). Null until then: a ticket
   * moved over from elsewhere may come without one, and approval is refused until it is on record.
   */
  @Column({ name: 'coc_version', type: 'varchar', length: 20, nullable: true })
  cocVersion: string | null;

  @DateTimeColumn({ name: 'coc_accepted_at', nullable: true })
  cocAcceptedAt: Date | null;

  @Column({ name: 'coc_method', type: 'varchar', length: 40, nullable: true })
  cocMethod: string | null;

  /** `moderator:<name>` when a moderator recorded the acceptance. */
  @Column({ name: 'coc_recorded_by', type: 'varchar', length: 60, nullable: true })
  cocRecordedBy: string | null;

  @DateTimeColumn({ name: 'delay_acknowledged_at' })
  delayAcknowledgedAt: Date;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'updated_at' })
  updatedAt: Date;

  @DateTimeColumn({ name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  /** When the ticket left the open states, whatever the reason. */
  @DateTimeColumn({ name: 'closed_at', nullable: true })
  closedAt: Date | null;

  /** The latest assessment, copied here for the queue's lists and filters (all null before the first). */
  @Column({ type: 'integer', nullable: true })
  score: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  band: Band | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  recommendation: Recommendation | null;

  /** Space-separated with a space at each end (` a b `), so `LIKE '% a %'` matches one flag exactly. */
  @Column({ name: 'risk_flags', type: 'varchar', length: 300, nullable: true })
  riskFlags: string | null;

  @Column({ name: 'rule_version', type: 'varchar', length: 20, nullable: true })
  ruleVersion: string | null;

  @DateTimeColumn({ name: 'assessed_at', nullable: true })
  assessedAt: Date | null;

  /** The moderator holding the ticket (`moderator:<name>`) and until when; null when nobody does. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 60, nullable: true })
  claimedBy: string | null;

  @DateTimeColumn({ name: 'claimed_at', nullable: true })
  claimedAt: Date | null;

  @DateTimeColumn({ name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;

  /** Escalated to a senior moderator: it waits at the top of the queue. */
  @Column({ type: 'boolean', default: false })
  escalated: boolean;

  // The SLA clock (src/sla/sla-clock.ts): stored so that timers can be rebuilt from SQL alone.
  @Column({ name: 'sla_cycle', type: 'integer', default: 1 })
  slaCycle: number;

  /** Null until the clock is started (the reconciler starts it for tickets older than the SLA). */
  @DateTimeColumn({ name: 'sla_cycle_started_at', nullable: true })
  slaCycleStartedAt: Date | null;

  @DateTimeColumn({ name: 'first_responded_at', nullable: true })
  firstRespondedAt: Date | null;

  @DateTimeColumn({ name: 'sla_decided_at', nullable: true })
  slaDecidedAt: Date | null;

  @DateTimeColumn({ name: 'sla_paused_since', nullable: true })
  slaPausedSince: Date | null;

  /** Closed pauses of the current cycle, as ISO instants. */
  @JsonColumn({ name: 'sla_pauses', default: '[]' })
  slaPauses: Array<{ from: string; to: string }>;

  @DateTimeColumn({ name: 'response_warn_at', nullable: true })
  responseWarnAt: Date | null;

  @DateTimeColumn({ name: 'response_due_at', nullable: true })
  responseDueAt: Date | null;

  @DateTimeColumn({ name: 'decision_warn_at', nullable: true })
  decisionWarnAt: Date | null;

  @DateTimeColumn({ name: 'decision_due_at', nullable: true })
  decisionDueAt: Date | null;

  @Column({ name: 'sla_response_level', type: 'varchar', length: 10, default: 'on_time' })
  slaResponseLevel: SlaLevel;

  @Column({ name: 'sla_decision_level', type: 'varchar', length: 10, default: 'on_time' })
  slaDecisionLevel: SlaLevel;

  /** The worse of the two running clocks: the queue's order and filters read it. */
  @Column({ name: 'sla_level', type: 'varchar', length: 10, default: 'on_time' })
  slaLevel: SlaLevel;

  /** While cooling off after approval: when the reset link goes out (the timers queue wakes up then). */
  @DateTimeColumn({ name: 'cooling_off_ends_at', nullable: true })
  coolingOffEndsAt: Date | null;

  // Measures fixed when they happen (src/sla/sla-measures.ts): working time, pauses excluded.
  @BigIntColumn({ name: 'sla_response_ms', nullable: true })
  slaResponseMs: number | null;

  @Column({ name: 'sla_response_met', type: 'boolean', nullable: true })
  slaResponseMet: boolean | null;

  @BigIntColumn({ name: 'sla_decision_ms', nullable: true })
  slaDecisionMs: number | null;

  @Column({ name: 'sla_decision_met', type: 'boolean', nullable: true })
  slaDecisionMet: boolean | null;

  /** Null while the cycle is open. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  outcome: Outcome | null;

  /** The moderator (`moderator:<name>`) whose decision closed the cycle; null for other closings. */
  @Column({ name: 'decided_by', type: 'varchar', length: 60, nullable: true })
  decidedBy: string | null;

  /** From the deciding moderator's claim to the decision; null when no claim was held. */
  @BigIntColumn({ name: 'handling_ms', nullable: true })
  handlingMs: number | null;

  /** When the ticket's SLA timer must wake up next; null when no clock runs. */
  @DateTimeColumn({ name: 'sla_next_at', nullable: true })
  slaNextAt: Date | null;

  @VersionColumn()
  version: number;
}

/** One line of a ticket's timeline; `public` lines are shown on the requester's status page. */
@Entity('ticket_events')
@Index('ix_ticket_events_ticket', ['ticketId', 'id'])
export class TicketEvent implements TimelineEntry {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ type: 'varchar', length: 40 })
  type: TicketEventType;

  /** `requester`, `system`, `account_owner`, or `moderator:<name>`. */
  @Column({ type: 'varchar', length: 60 })
  actor: string;

  @Column({ name: 'is_public', type: 'boolean', default: false })
  public: boolean;

  @JsonColumn({ default: '{}' })
  data: Record<string, unknown>;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;
}

@Entity('ticket_links')
export class TicketLink {
  @PrimaryColumn({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @PrimaryColumn({ name: 'linked_ticket_id', type: 'varchar', length: 36 })
  linkedTicketId: string;

  @Column({ type: 'varchar', length: 40 })
  reason: 'competing_request';

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;
}

/** A private status link: only the SHA-256 of the token is kept. */
@Entity('ticket_access_tokens')
export class TicketAccessToken {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_ticket_access_tokens_ticket')
  @Column({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Index('ux_ticket_access_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}

/**
 * A decision cycle that ended before the ticket was reopened, as it stood then: the ticket's own columns
 * hold only its current cycle, and reports must still count the earlier decision and the time it was closed.
 */
@Entity('ticket_cycles')
@Index('ix_ticket_cycles_decided', ['decidedAt'])
@Index('ix_ticket_cycles_closed', ['closedAt'])
@Index('ix_ticket_cycles_reopened', ['reopenedAt'])
export class TicketCycle implements TicketCycleRow {
  @PrimaryColumn({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @PrimaryColumn({ type: 'integer' })
  cycle: number;

  @Column({ name: 'request_type', type: 'varchar', length: 32 })
  requestType: RequestType;

  @DateTimeColumn({ name: 'started_at' })
  startedAt: Date;

  /** The cycle's decision (or closing) instant: the SLA clock's `decided_at`. */
  @DateTimeColumn({ name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @BigIntColumn({ name: 'decision_ms', nullable: true })
  decisionMs: number | null;

  @Column({ name: 'decision_met', type: 'boolean', nullable: true })
  decisionMet: boolean | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  outcome: Outcome | null;

  @Column({ name: 'decided_by', type: 'varchar', length: 60, nullable: true })
  decidedBy: string | null;

  @BigIntColumn({ name: 'handling_ms', nullable: true })
  handlingMs: number | null;

  @DateTimeColumn({ name: 'closed_at', nullable: true })
  closedAt: Date | null;

  @DateTimeColumn({ name: 'reopened_at' })
  reopenedAt: Date;
}
