import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Accounts may name the numeric id of their linked GitHub account (`linked_github_id` in the directory
 * file; docs/operations.md): the linked-identity check compares it, never the login, which can be renamed
 * and re-registered. `github_device_flows` keeps what a running OAuth device flow needs between the
 * requester's checks (the device code sealed under SECRET_KEY, the polling interval); the row is deleted
 * when the flow ends (docs/evidence.md, "Proving control").
 */
export class LinkedGithub1765600000000 implements MigrationInterface {
  name = 'LinkedGithub1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumn('accounts', new TableColumn({ name: 'linked_github_id', type: 'bigint', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'github_device_flows',
        columns: [
          { ...c.varchar('challenge_id', 36), isPrimary: true },
          c.varchar('device_code_sealed', 400),
          c.int('interval_seconds', 5),
          c.time('next_poll_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('github_device_flows');
    await queryRunner.dropColumn('accounts', 'linked_github_id');
  }
}
