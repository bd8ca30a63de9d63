import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Staff administration (docs/security.md #15, #18, #32):
 * - `moderators.session_generation`: a session carries the number it was signed in under, and the role
 *   guard refuses it once the row's number moved on, so ending every session of a person is one UPDATE;
 * - `moderators.last_signed_in_at`, for the staff list, filled from the audit log's `signed_in` entries;
 * - `staff_recovery_codes`: one-time codes for a lost authenticator, kept only as keyed digests.
 */
export class StaffAdmin1765000000000 implements MigrationInterface {
  name = 'StaffAdmin1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('moderators', [new TableColumn(c.int('session_generation')), new TableColumn(c.time('last_signed_in_at', true))]);
    await queryRunner.query(
      `UPDATE moderators SET last_signed_in_at = (SELECT MAX(a.at) FROM audit_log a WHERE a.action = 'signed_in' AND a.actor = 'moderator:' || moderators.name)`,
    );
    await queryRunner.createTable(
      new Table({
        name: 'staff_recovery_codes',
        columns: [c.id(), c.varchar('moderator_id', 36), c.varchar('code_hash', 64), c.time('created_at'), c.time('used_at', true)],
        indices: [new TableIndex({ name: 'ux_staff_recovery_codes_code', columnNames: ['moderator_id', 'code_hash'], isUnique: true })],
        foreignKeys: [{ columnNames: ['moderator_id'], referencedTableName: 'moderators', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('staff_recovery_codes');
    await queryRunner.dropColumns('moderators', ['session_generation', 'last_signed_in_at']);
  }
}
