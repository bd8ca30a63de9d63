import { type MigrationInterface, type QueryRunner, Table, TableCheck, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Decisions and resets (docs/moderation.md, "Decisions"):
 * - `recoveries`: one approved recovery of an account, from the first approval to the used (or stopped)
 *   reset link. The database itself enforces four-eyes (a second approver, different from the first,
 *   before the recovery may leave `awaiting_second`) and one live recovery per account (`active_key`
 *   holds the account id while live, null after: a unique index on it).
 * - tickets: the Code of Conduct may be recorded later by a moderator (how it was given, by whom), so
 *   the two columns become nullable; the end of the cooling-off period, for the timer that sends the link.
 * - accounts: the password set through a reset link (argon2id), and when.
 */
export class Recoveries1764800000000 implements MigrationInterface {
  name = 'Recoveries1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'recoveries',
        columns: [
          c.id(),
          c.varchar('ticket_id', 36),
          c.varchar('account_id', 36),
          c.varchar('active_key', 36, true),
          c.varchar('state', 20),
          c.varchar('reset_address', 254),
          c.bool('needs_second'),
          c.varchar('first_approver', 60),
          c.time('first_approved_at'),
          c.varchar('second_approver', 60, true),
          c.time('second_approved_at', true),
          c.bigint('cooling_off_ms'),
          c.time('cooling_off_ends_at', true),
          c.varchar('stop_token_hash', 64, true),
          c.varchar('reset_token_hash', 64, true),
          c.time('reset_issued_at', true),
          c.time('reset_expires_at', true),
          c.time('reset_used_at', true),
          c.time('closed_at', true),
          c.varchar('closed_reason', 40, true),
          c.time('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_recoveries_ticket', columnNames: ['ticket_id'] }),
          new TableIndex({ name: 'ux_recoveries_active_key', columnNames: ['active_key'], isUnique: true }),
          new TableIndex({ name: 'ux_recoveries_stop_token', columnNames: ['stop_token_hash'], isUnique: true }),
          new TableIndex({ name: 'ux_recoveries_reset_token', columnNames: ['reset_token_hash'], isUnique: true }),
        ],
        checks: [
          new TableCheck({ name: 'ck_recoveries_two_people', expression: '"second_approver" IS NULL OR "second_approver" <> "first_approver"' }),
          new TableCheck({
            name: 'ck_recoveries_second_before_link',
            expression: `"state" IN ('awaiting_second', 'cancelled', 'denied') OR "needs_second" = false OR "second_approver" IS NOT NULL`,
          }),
        ],
      }),
    );
    await queryRunner.changeColumn('tickets', 'coc_version', new TableColumn({ ...c.varchar('coc_version', 20, true) }));
    await queryRunner.changeColumn('tickets', 'coc_accepted_at', new TableColumn({ ...c.time('coc_accepted_at', true) }));
    await queryRunner.addColumns('tickets', [
      new TableColumn(c.varchar('coc_method', 40, true)),
      new TableColumn(c.varchar('coc_recorded_by', 60, true)),
      new TableColumn(c.time('cooling_off_ends_at', true)),
    ]);
    await queryRunner.addColumns('accounts', [new TableColumn(c.varchar('password_hash', 200, true)), new TableColumn(c.time('password_changed_at', true))]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('accounts', ['password_hash', 'password_changed_at']);
    await queryRunner.dropColumns('tickets', ['coc_method', 'coc_recorded_by', 'cooling_off_ends_at']);
    await queryRunner.dropTable('recoveries');
  }
}
