import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * The last TOTP time step a moderator's code was accepted at: a code is good for its whole window (and
 * one step of drift either side), so without this a code seen over a shoulder could be used again.
 */
export class SignIn1764500000000 implements MigrationInterface {
  name = 'SignIn1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('moderators', new TableColumn({ name: 'totp_last_step', type: 'integer', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('moderators', 'totp_last_step');
  }
}
