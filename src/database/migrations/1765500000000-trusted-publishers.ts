import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * A project's trusted publishers (the CI workflows the index lets publish it), kept as JSON text beside
 * the project: a trusted-publisher challenge checks a GitHub Actions token against them
 * (docs/evidence.md, "Proving control"). Projects imported before have none (null).
 */
export class TrustedPublishers1765500000000 implements MigrationInterface {
  name = 'TrustedPublishers1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('account_projects', new TableColumn({ name: 'trusted_publishers', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('account_projects', 'trusted_publishers');
  }
}
