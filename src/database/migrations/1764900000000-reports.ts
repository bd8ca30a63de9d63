import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * SLA and workload reports (docs/reports.md):
 * - tickets keep the measures of their cycle, fixed when they happen (working time to the first response
 *   and to the decision, pauses excluded, and whether each met its target), how the cycle ended, who
 *   decided, and how long they held the ticket;
 * - `ticket_cycles` keeps a cycle that ended before a reopen;
 * - indexes for each range the reports read: received (covering the count by type), decided (covering
 *   the count by type and outcome, and the decisions' measures, moderator and handling time), first
 *   responses (covering their measures) and closings. Covering, because a report over a year reads close
 *   to every ticket, and a row fetched from the table for each (~1 KB rows) costs several times the index
 *   read: 4.0 s instead of 0.15 s for a month's decisions on 1,000,000 tickets (SQLite);
 * - a partial index of the tickets that missed a target, in the order the breach list reads them and
 *   covering its condition: the page lists the first hundred and counts the rest without reading a row.
 * Tickets closed before this migration have no measures: reports leave them out of times and SLA shares.
 */
export class Reports1764900000000 implements MigrationInterface {
  name = 'Reports1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const flag = (name: string) => new TableColumn({ name, type: 'boolean', isNullable: true });
    const ms = (name: string) => new TableColumn({ name, type: 'bigint', isNullable: true });
    await queryRunner.addColumns('tickets', [
      ms('sla_response_ms'),
      flag('sla_response_met'),
      ms('sla_decision_ms'),
      flag('sla_decision_met'),
      new TableColumn(c.varchar('outcome', 20, true)),
      new TableColumn(c.varchar('decided_by', 60, true)),
      ms('handling_ms'),
    ]);
    await queryRunner.createIndices('tickets', [
      new TableIndex({ name: 'ix_tickets_created_type', columnNames: ['created_at', 'request_type'] }),
      new TableIndex({
        name: 'ix_tickets_decided',
        columnNames: ['sla_decided_at', 'request_type', 'outcome', 'sla_decision_ms', 'sla_decision_met', 'decided_by', 'handling_ms'],
      }),
      new TableIndex({ name: 'ix_tickets_responded', columnNames: ['first_responded_at', 'request_type', 'sla_response_ms', 'sla_response_met'] }),
      new TableIndex({ name: 'ix_tickets_closed', columnNames: ['closed_at', 'request_type'] }),
      // Word for word BREACHED in report-queries.ts: SQLite uses a partial index only for a query that repeats its WHERE.
      new TableIndex({
        name: 'ix_tickets_breached',
        columnNames: ['created_at', 'id', 'request_type', 'sla_response_met', 'sla_decision_met', 'sla_response_level', 'sla_decision_level'],
        where: "(sla_response_met = FALSE OR sla_decision_met = FALSE OR sla_response_level = 'breached' OR sla_decision_level = 'breached')",
      }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'ticket_cycles',
        columns: [
          { ...c.varchar('ticket_id', 36), isPrimary: true },
          { name: 'cycle', type: 'integer', isPrimary: true },
          c.varchar('request_type', 32),
          c.time('started_at'),
          c.time('decided_at', true),
          { name: 'decision_ms', type: 'bigint', isNullable: true },
          { name: 'decision_met', type: 'boolean', isNullable: true },
          c.varchar('outcome', 20, true),
          c.varchar('decided_by', 60, true),
          { name: 'handling_ms', type: 'bigint', isNullable: true },
          c.time('closed_at', true),
          c.time('reopened_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_ticket_cycles_decided', columnNames: ['decided_at'] }),
          new TableIndex({ name: 'ix_ticket_cycles_closed', columnNames: ['closed_at'] }),
          new TableIndex({ name: 'ix_ticket_cycles_reopened', columnNames: ['reopened_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ticket_cycles');
    for (const name of ['ix_tickets_breached', 'ix_tickets_closed', 'ix_tickets_responded', 'ix_tickets_decided', 'ix_tickets_created_type'])
      await queryRunner.dropIndex('tickets', name);
    await queryRunner.dropColumns('tickets', [
      'sla_response_ms',
      'sla_response_met',
      'sla_decision_ms',
      'sla_decision_met',
      'outcome',
      'decided_by',
      'handling_ms',
    ]);
  }
}
