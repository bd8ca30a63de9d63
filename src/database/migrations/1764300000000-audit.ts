import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * The audit log: append-only in the database itself (triggers refuse UPDATE, DELETE and, on
 * PostgreSQL, TRUNCATE), hash-chained by the writer (src/audit/audit-chain.ts).
 */
export class Audit1764300000000 implements MigrationInterface {
  name = 'Audit1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          c.time('at'),
          c.varchar('actor', 60),
          c.varchar('action', 40),
          c.varchar('ticket_id', 36, true),
          c.text('data', false, '{}'),
          c.varchar('prev_hash', 64),
          c.varchar('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_log_ticket', columnNames: ['ticket_id', 'id'] }),
          new TableIndex({ name: 'ix_audit_log_actor', columnNames: ['actor', 'id'] }),
        ],
      }),
    );
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`);
      await queryRunner.query('CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()');
      await queryRunner.query('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()');
    } else {
      await queryRunner.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
      await queryRunner.query(`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
    if (queryRunner.connection.options.type === 'postgres') await queryRunner.query('DROP FUNCTION IF EXISTS audit_log_append_only()');
  }
}
