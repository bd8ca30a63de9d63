import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Takeover-campaign signals (docs/evidence.md, "Coordinated requests"): each request's signature and
 * the clusters tickets belong to. Tickets before this migration have no signature: their contact
 * domains count as unseen until new requests from them arrive (docs/evidence.md says so).
 */
export class Campaigns1765700000000 implements MigrationInterface {
  name = 'Campaigns1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'campaign_signatures',
        columns: [
          { ...c.varchar('ticket_id', 36), isPrimary: true },
          c.varchar('reference', 12),
          c.varchar('username_key', 50),
          c.time('created_at'),
          c.varchar('contact_domain', 253),
          c.varchar('local_template', 120, true),
          c.int('details_words'),
          c.varchar('details_sketch', 256, true),
          c.bool('many_dependents'),
        ],
        indices: [
          new TableIndex({ name: 'ix_campaign_signatures_created', columnNames: ['created_at'] }),
          new TableIndex({ name: 'ix_campaign_signatures_domain_created', columnNames: ['contact_domain', 'created_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'campaign_members',
        columns: [
          { ...c.varchar('cluster_id', 36), isPrimary: true },
          { ...c.varchar('ticket_id', 36), isPrimary: true },
          c.varchar('kind', 32),
          c.varchar('cluster_key', 400),
          c.varchar('shared', 600),
          c.time('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_campaign_members_ticket', columnNames: ['ticket_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('campaign_members');
    await queryRunner.dropTable('campaign_signatures');
  }
}
