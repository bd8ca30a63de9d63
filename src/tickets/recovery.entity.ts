import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BigIntColumn, DateTimeColumn } from '../database/columns.js';
import type { RecoveryRow, RecoveryState } from './ticket.types.js';

/** An approved recovery of one account (migration 1764800000000 holds its constraints). */
@Entity('recoveries')
export class Recovery implements RecoveryRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_recoveries_ticket')
  @Column({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  /** The account id while the recovery is live, null after: a unique index keeps one live recovery per account. */
  @Index('ux_recoveries_active_key', { unique: true })
  @Column({ name: 'active_key', type: 'varchar', length: 36, nullable: true })
  activeKey: string | null;

  @Column({ type: 'varchar', length: 20 })
  state: RecoveryState;

  /** Where the reset link goes: the address the approving moderator verified. */
  @Column({ name: 'reset_address', type: 'varchar', length: 254 })
  resetAddress: string;

  @Column({ name: 'needs_second', type: 'boolean', default: false })
  needsSecond: boolean;

  /** Approved against the recommendation: CHECKs then need the reason and the second approval (migration 1765200000000). */
  @Column({ type: 'boolean', default: false })
  override: boolean;

  @Column({ name: 'override_reason', type: 'varchar', length: 2000, nullable: true })
  overrideReason: string | null;

  /** Moderator names (not actors): the CHECK compares them. */
  @Column({ name: 'first_approver', type: 'varchar', length: 60 })
  firstApprover: string;

  @DateTimeColumn({ name: 'first_approved_at' })
  firstApprovedAt: Date;

  @Column({ name: 'second_approver', type: 'varchar', length: 60, nullable: true })
  secondApprover: string | null;

  @DateTimeColumn({ name: 'second_approved_at', nullable: true })
  secondApprovedAt: Date | null;

  /** The waiting period the approval policy chose; it starts with the last approval. */
  @BigIntColumn({ name: 'cooling_off_ms', default: 0 })
  coolingOffMs: number;

  @DateTimeColumn({ name: 'cooling_off_ends_at', nullable: true })
  coolingOffEndsAt: Date | null;

  /** SHA-256 of the stop link's token, sent to every address on file when the cooling-off starts. */
  @Index('ux_recoveries_stop_token', { unique: true })
  @Column({ name: 'stop_token_hash', type: 'varchar', length: 64, nullable: true })
  stopTokenHash: string | null;

  /** SHA-256 of the live reset link's token; a reissue replaces it, so the older link stops working. */
  @Index('ux_recoveries_reset_token', { unique: true })
  @Column({ name: 'reset_token_hash', type: 'varchar', length: 64, nullable: true })
  resetTokenHash: string | null;

  @DateTimeColumn({ name: 'reset_issued_at', nullable: true })
  resetIssuedAt: Date | null;

  @DateTimeColumn({ name: 'reset_expires_at', nullable: true })
  resetExpiresAt: Date | null;

  @DateTimeColumn({ name: 'reset_used_at', nullable: true })
  resetUsedAt: Date | null;

  @DateTimeColumn({ name: 'closed_at', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'closed_reason', type: 'varchar', length: 40, nullable: true })
  closedReason: string | null;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;
}
