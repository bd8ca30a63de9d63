import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The queue page lists all open states oldest first (created_at, id) with keyset pagination. The
 * (state, created_at) index serves one state, not several in one order, and lacks the id tie-break:
 * this one is walked in order and stops after a page.
 */
export class QueuePage1764600000000 implements MigrationInterface {
  name = 'QueuePage1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('tickets', new TableIndex({ name: 'ix_tickets_created_id', columnNames: ['created_at', 'id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tickets', 'ix_tickets_created_id');
  }
}
