import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The queue page with 100,000 open tickets (npm run bench, docs/performance.md):
 * - its SLA sort (breached, then warning, then on time; oldest first in each) reads each level in
 *   (created_at, id) order from the cursor on. Before, every view of that sort read and sorted all open
 *   tickets (43 ms on SQLite; under 2 ms with this index);
 * - its counts by state read (state) alone: PostgreSQL counted through (sla_level, state) with a hash
 *   aggregate, 22 ms, and counts in 11 ms on this narrower index, in state order (SQLite already read a
 *   covering index: the same 6 ms either way). The counts stay exact: a COUNT over every open ticket.
 */
export class QueuePageIndexes1764650000000 implements MigrationInterface {
  name = 'QueuePageIndexes1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('tickets', new TableIndex({ name: 'ix_tickets_sla_created_id', columnNames: ['sla_level', 'created_at', 'id'] }));
    await queryRunner.createIndex('tickets', new TableIndex({ name: 'ix_tickets_state', columnNames: ['state'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tickets', 'ix_tickets_state');
    await queryRunner.dropIndex('tickets', 'ix_tickets_sla_created_id');
  }
}
