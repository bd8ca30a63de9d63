import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';
import type { ModeratorRole } from './moderator-roles.js';

/** A member of staff who signs in to the dashboard. */
@Entity('moderators')
export class Moderator {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The sign-in name, also how they appear on timelines (`moderator:<name>`). */
  @Index('ux_moderators_name', { unique: true })
  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: ModeratorRole;

  /** argon2id in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
  @Column({ name: 'password_hash', type: 'varchar', length: 200 })
  passwordHash: string;

  /** The TOTP secret, sealed with SECRET_KEY; null until the second factor is enrolled at first sign-in. */
  @Column({ name: 'totp_secret', type: 'varchar', length: 200, nullable: true })
  totpSecret: string | null;

  @DateTimeColumn({ name: 'totp_enrolled_at', nullable: true })
  totpEnrolledAt: Date | null;

  /** The TOTP time step (unix seconds / 30) of the last accepted code: no code at or before it is taken again. */
  @Column({ name: 'totp_last_step', type: 'integer', nullable: true })
  totpLastStep: number | null;

  /** The password was set by whoever ran the CLI: it must be changed at first sign-in. */
  @Column({ name: 'must_change_password', type: 'boolean', default: true })
  mustChangePassword: boolean;

  @Column({ name: 'failed_sign_ins', type: 'integer', default: 0 })
  failedSignIns: number;

  @DateTimeColumn({ name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'disabled_at', nullable: true })
  disabledAt: Date | null;

  /**
   * Bumped to end every session of this person at once (disabled, second factor reset, "end sessions"):
   * a session keeps the number it was signed in under, and the role guard refuses it once they differ
   * (docs/security.md #18).
   */
  @Column({ name: 'session_generation', type: 'integer', default: 0 })
  sessionGeneration: number;

  @DateTimeColumn({ name: 'last_signed_in_at', nullable: true })
  lastSignedInAt: Date | null;
}
