import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Review queue and SLA: the claim and its lease, escalation, and the ticket's SLA clock
 * (cycle, pauses, deadlines, levels, the next timer instant). Deadlines live here, not in Redis, so the
 * reconciler can rebuild every timer after Redis is lost. Open tickets from before this migration have
 * `sla_cycle_started_at` null: the reconciler starts their clocks from `created_at`.
 */
export class ReviewQueue1764200000000 implements MigrationInterface {
  name = 'ReviewQueue1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('tickets', [
      new TableColumn(c.varchar('claimed_by', 60, true)),
      new TableColumn(c.time('claimed_at', true)),
      new TableColumn(c.time('lease_expires_at', true)),
      new TableColumn(c.bool('escalated')),
      new TableColumn(c.int('sla_cycle', 1)),
      new TableColumn(c.time('sla_cycle_started_at', true)),
      new TableColumn(c.time('first_responded_at', true)),
      new TableColumn(c.time('sla_decided_at', true)),
      new TableColumn(c.time('sla_paused_since', true)),
      new TableColumn(c.text('sla_pauses', false, '[]')),
      new TableColumn(c.time('response_warn_at', true)),
      new TableColumn(c.time('response_due_at', true)),
      new TableColumn(c.time('decision_warn_at', true)),
      new TableColumn(c.time('decision_due_at', true)),
      new TableColumn({ ...c.varchar('sla_response_level', 10), default: "'on_time'" }),
      new TableColumn({ ...c.varchar('sla_decision_level', 10), default: "'on_time'" }),
      new TableColumn({ ...c.varchar('sla_level', 10), default: "'on_time'" }),
      new TableColumn(c.time('sla_next_at', true)),
    ]);
    // The queue page and the reconciler look tickets up by who holds them and by SLA level.
    await queryRunner.createIndex('tickets', new TableIndex({ name: 'ix_tickets_claimed_by', columnNames: ['claimed_by'] }));
    await queryRunner.createIndex('tickets', new TableIndex({ name: 'ix_tickets_sla_level', columnNames: ['sla_level', 'state'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tickets', 'ix_tickets_sla_level');
    await queryRunner.dropIndex('tickets', 'ix_tickets_claimed_by');
    for (const name of [
      'sla_next_at',
      'sla_level',
      'sla_decision_level',
      'sla_response_level',
      'decision_due_at',
      'decision_warn_at',
      'response_due_at',
      'response_warn_at',
      'sla_pauses',
      'sla_paused_since',
      'sla_decided_at',
      'first_responded_at',
      'sla_cycle_started_at',
      'sla_cycle',
      'escalated',
      'lease_expires_at',
      'claimed_at',
      'claimed_by',
    ]) {
      await queryRunner.dropColumn('tickets', name);
    }
  }
}
