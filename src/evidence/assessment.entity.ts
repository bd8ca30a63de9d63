import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeColumn, JsonColumn } from '../database/columns.js';
import type { Band, Recommendation } from '../tickets/ticket.types.js';
import type { RiskFlag, Signal } from '../scoring/scoring.types.js';

/** Why a ticket was (re)assessed: the timeline says which new evidence arrived. */
export type AssessmentTrigger = 'submitted' | 'follow_up' | 'message' | 'challenge' | 'competing_request' | 'coordinated_requests' | 'rescore';

/**
 * One stored assessment. Never updated: a ticket keeps every assessment it had, each with the rule
 * version that made it, so a moderator can see how the evidence grew and why.
 */
@Entity('assessments')
@Index('ix_assessments_ticket', ['ticketId', 'id'])
export class AssessmentRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ name: 'rule_version', type: 'varchar', length: 20 })
  ruleVersion: string;

  /** The directory shares the yes/no answers were weighed against (scoring/directory-shares.ts); null before rules 2026.12.3. */
  @Column({ name: 'shares_version', type: 'varchar', length: 40, nullable: true })
  sharesVersion: string | null;

  @Column({ type: 'integer' })
  score: number;

  @Column({ type: 'varchar', length: 16 })
  band: Band;

  @Column({ type: 'varchar', length: 16 })
  recommendation: Recommendation;

  @JsonColumn()
  signals: Signal[];

  @JsonColumn({ name: 'risk_flags' })
  riskFlags: RiskFlag[];

  @Column({ name: 'nist_aal2', type: 'boolean', default: false })
  nistAal2: boolean;

  @Column({ type: 'varchar', length: 40 })
  trigger: AssessmentTrigger;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;
}
