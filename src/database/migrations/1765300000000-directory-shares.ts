import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Each assessment keeps the version of the directory shares its yes/no answers were weighed against
 * (docs/evidence.md, "Answers weighed by the directory"), so an old score stays explainable after the
 * directory changes. Older assessments have none (null): they used fixed weights.
 */
export class DirectoryShares1765300000000 implements MigrationInterface {
  name = 'DirectoryShares1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('assessments', new TableColumn({ name: 'shares_version', type: 'varchar', length: '40', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('assessments', 'shares_version');
  }
}
