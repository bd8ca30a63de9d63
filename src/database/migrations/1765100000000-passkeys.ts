import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/** Passkeys (WebAuthn credentials) as a second factor for staff (docs/security.md #15). */
export class Passkeys1765100000000 implements MigrationInterface {
  name = 'Passkeys1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          c.id(),
          c.varchar('moderator_id', 36),
          c.varchar('credential_id', 1400),
          c.text('public_key'),
          // The counter is an unsigned 32-bit number: beyond PostgreSQL's integer.
          c.bigint('counter'),
          c.text('transports', false, '[]'),
          c.varchar('name', 60),
          c.time('created_at'),
          c.time('last_used_at', true),
        ],
        indices: [
          new TableIndex({ name: 'ux_passkeys_credential', columnNames: ['credential_id'], isUnique: true }),
          new TableIndex({ name: 'ix_passkeys_moderator', columnNames: ['moderator_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['moderator_id'], referencedTableName: 'moderators', referencedColumnNames: ['id'], onDelete: 'CASCADE' }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('passkeys');
  }
}
