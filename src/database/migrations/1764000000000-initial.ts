import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/** The account directory, tickets with their timeline and links, status tokens, and the outbox. */
export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          c.id(),
          c.varchar('username', 50),
          c.varchar('username_key', 50),
          c.varchar('name', 200),
          c.time('joined_at'),
          c.time('last_login_at', true),
          c.varchar('linked_github', 100, true),
          c.bool('totp_enabled'),
          c.int('webauthn_keys'),
          c.int('recovery_codes_unused'),
          c.varchar('import_hash', 32, true),
        ],
        indices: [new TableIndex({ name: 'ux_accounts_username_key', columnNames: ['username_key'], isUnique: true })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'account_emails',
        columns: [
          c.id(),
          c.varchar('account_id', 36),
          c.varchar('address', 254),
          c.varchar('address_key', 254),
          c.bool('verified'),
          c.bool('is_primary'),
          c.bool('is_public'),
          c.time('added_at'),
          c.time('removed_at', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_account_emails_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_account_emails_address_key', columnNames: ['address_key'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'account_projects',
        columns: [
          c.id(),
          c.varchar('account_id', 36),
          c.varchar('name', 200),
          c.varchar('name_key', 200),
          c.varchar('role', 20),
          c.bigint('monthly_downloads'),
          c.time('first_release_at', true),
        ],
        indices: [
          new TableIndex({ name: 'ix_account_projects_account', columnNames: ['account_id'] }),
          new TableIndex({ name: 'ix_account_projects_name_key', columnNames: ['name_key'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tickets',
        columns: [
          c.id(),
          c.varchar('reference', 12),
          c.varchar('username', 50),
          c.varchar('username_key', 50),
          c.varchar('account_id', 36, true),
          c.varchar('contact_email', 254),
          c.varchar('request_type', 32),
          c.text('claims'),
          c.varchar('state', 32),
          c.varchar('open_key', 310, true),
          c.bool('competing'),
          c.varchar('coc_version', 20),
          c.time('coc_accepted_at'),
          c.time('delay_acknowledged_at'),
          c.time('created_at'),
          c.time('updated_at'),
          c.time('decided_at', true),
          c.time('closed_at', true),
          c.int('version', 1),
        ],
        indices: [
          new TableIndex({ name: 'ux_tickets_reference', columnNames: ['reference'], isUnique: true }),
          new TableIndex({ name: 'ux_tickets_open_key', columnNames: ['open_key'], isUnique: true }),
          new TableIndex({ name: 'ix_tickets_state_created', columnNames: ['state', 'created_at'] }),
          new TableIndex({ name: 'ix_tickets_username_key', columnNames: ['username_key'] }),
          new TableIndex({ name: 'ix_tickets_decided_at', columnNames: ['decided_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ticket_events',
        columns: [
          c.serial(),
          c.varchar('ticket_id', 36),
          c.varchar('type', 40),
          c.varchar('actor', 60),
          c.bool('is_public'),
          c.text('data', false, '{}'),
          c.time('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_ticket_events_ticket', columnNames: ['ticket_id', 'id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['ticket_id'],
            referencedTableName: 'tickets',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ticket_links',
        columns: [
          { ...c.varchar('ticket_id', 36), isPrimary: true },
          { ...c.varchar('linked_ticket_id', 36), isPrimary: true },
          c.varchar('reason', 40),
          c.time('created_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ticket_access_tokens',
        columns: [c.id(), c.varchar('ticket_id', 36), c.varchar('token_hash', 64), c.time('created_at'), c.time('revoked_at', true)],
        indices: [
          new TableIndex({ name: 'ix_ticket_access_tokens_ticket', columnNames: ['ticket_id'] }),
          new TableIndex({ name: 'ux_ticket_access_tokens_hash', columnNames: ['token_hash'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'outbox',
        columns: [
          c.id(),
          c.varchar('topic', 40),
          c.text('payload', true),
          c.time('created_at'),
          c.time('published_at', true),
          c.time('processed_at', true),
          c.int('attempts'),
          c.varchar('last_error', 500, true),
        ],
        indices: [new TableIndex({ name: 'ix_outbox_unpublished', columnNames: ['published_at', 'created_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'ticket_access_tokens', 'ticket_links', 'ticket_events', 'tickets', 'account_projects', 'account_emails', 'accounts']) {
      await queryRunner.dropTable(table);
    }
  }
}
