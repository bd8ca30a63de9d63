import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeColumn, JsonColumn } from '../database/columns.js';
import type { CalibrationCurve } from '../scoring/calibration.js';

/**
 * One build of the score → P(owner) curve for one rule version (migration 1765400000000). Never
 * updated: a new build is a new row, and the id is its version.
 */
@Entity('calibrations')
@Index('ix_calibrations_rule_version', ['ruleVersion', 'id'])
export class CalibrationRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'rule_version', type: 'varchar', length: 20 })
  ruleVersion: string;

  /** `logistic` (fitted) or `prior` (too few outcomes yet). */
  @Column({ type: 'varchar', length: 16 })
  method: CalibrationCurve['method'];

  @DateTimeColumn({ name: 'built_at' })
  builtAt: Date;

  /** Decided tickets of the rule version the build read, and how many of each label. */
  @Column({ type: 'integer' })
  outcomes: number;

  @Column({ type: 'integer' })
  owners: number;

  @Column({ name: 'not_owners', type: 'integer' })
  notOwners: number;

  /** The curve: intercept, slope and center (scoring/calibration.ts). */
  @JsonColumn()
  params: CalibrationCurve;
}
