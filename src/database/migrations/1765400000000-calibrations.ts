import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * `calibrations`: each build of the score → P(owner) curve (docs/evidence.md, "Calibrated odds"), kept
 * versioned and never updated, so the basis of a P(owner) shown once can still be read. The id is the
 * version; the newest row of a rule version is its current calibration.
 */
export class Calibrations1765400000000 implements MigrationInterface {
  name = 'Calibrations1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'calibrations',
        columns: [
          c.serial(),
          c.varchar('rule_version', 20),
          c.varchar('method', 16),
          c.time('built_at'),
          c.int('outcomes'),
          c.int('owners'),
          c.int('not_owners'),
          c.text('params'),
        ],
        indices: [new TableIndex({ name: 'ix_calibrations_rule_version', columnNames: ['rule_version', 'id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('calibrations');
  }
}
