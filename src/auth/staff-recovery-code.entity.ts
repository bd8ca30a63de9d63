import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';

/**
 * One of a moderator's one-time recovery codes (docs/security.md #32): only its keyed digest is kept;
 * `used_at` is set once, by a conditional UPDATE, so one code signs in once however many try it at once.
 */
@Entity('staff_recovery_codes')
@Index('ux_staff_recovery_codes_code', ['moderatorId', 'codeHash'], { unique: true })
export class StaffRecoveryCode {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'moderator_id', type: 'varchar', length: 36 })
  moderatorId: string;

  /** HMAC-SHA256 (recoveryCodeDigest), in hex. */
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'used_at', nullable: true })
  usedAt: Date | null;
}
