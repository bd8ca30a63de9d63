import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Evidence (docs/evidence.md): every assessment of a ticket, proof-of-control challenges, the latest assessment's
 * summary on the ticket (for the queue's filters), and the repository of each project.
 */
export class Evidence1764100000000 implements MigrationInterface {
  name = 'Evidence1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumn('account_projects', new TableColumn(c.varchar('repository_url', 300, true)));
    await queryRunner.addColumns('tickets', [
      new TableColumn({ name: 'score', type: 'integer', isNullable: true }),
      new TableColumn(c.varchar('band', 16, true)),
      new TableColumn(c.varchar('recommendation', 16, true)),
      // Space-separated, with a space at each end, so `LIKE '% high_value_account %'` filters exactly.
      new TableColumn(c.varchar('risk_flags', 300, true)),
      new TableColumn(c.varchar('rule_version', 20, true)),
      new TableColumn(c.time('assessed_at', true)),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'assessments',
        columns: [
          c.serial(),
          c.varchar('ticket_id', 36),
          c.varchar('rule_version', 20),
          c.int('score'),
          c.varchar('band', 16),
          c.varchar('recommendation', 16),
          c.text('signals'),
          c.text('risk_flags'),
          c.bool('nist_aal2'),
          c.varchar('trigger', 40),
          c.time('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_assessments_ticket', columnNames: ['ticket_id', 'id'] })],
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
        name: 'challenges',
        columns: [
          c.id(),
          c.varchar('ticket_id', 36),
          c.varchar('kind', 16),
          c.varchar('target', 300),
          c.varchar('project', 200, true),
          c.varchar('secret_hash', 64, true),
          c.varchar('token', 64, true),
          c.bool('decoy'),
          c.varchar('state', 16),
          c.int('attempts'),
          c.time('expires_at'),
          c.varchar('created_by', 60),
          c.time('created_at'),
          c.time('resolved_at', true),
          c.varchar('note', 1000, true),
        ],
        indices: [new TableIndex({ name: 'ix_challenges_ticket', columnNames: ['ticket_id', 'kind', 'state'] })],
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('challenges');
    await queryRunner.dropTable('assessments');
    for (const name of ['assessed_at', 'rule_version', 'risk_flags', 'recommendation', 'band', 'score']) {
      await queryRunner.dropColumn('tickets', name);
    }
    await queryRunner.dropColumn('account_projects', 'repository_url');
  }
}
