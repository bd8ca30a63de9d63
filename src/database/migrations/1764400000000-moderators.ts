import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/** Staff accounts: argon2id password, sealed TOTP secret once enrolled, sign-in throttling state. */
export class Moderators1764400000000 implements MigrationInterface {
  name = 'Moderators1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'moderators',
        columns: [
          c.id(),
          c.varchar('name', 50),
          c.varchar('role', 16),
          c.varchar('password_hash', 200),
          c.varchar('totp_secret', 200, true),
          c.time('totp_enrolled_at', true),
          c.bool('must_change_password', true),
          c.int('failed_sign_ins'),
          c.time('locked_until', true),
          c.time('created_at'),
          c.time('disabled_at', true),
        ],
        indices: [new TableIndex({ name: 'ux_moderators_name', columnNames: ['name'], isUnique: true })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('moderators');
  }
}
