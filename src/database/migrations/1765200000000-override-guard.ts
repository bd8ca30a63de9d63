import { type MigrationInterface, type QueryRunner, TableCheck, TableColumn } from 'typeorm';
import { columnsFor } from '../migration.util.js';

/**
 * Approving against the evidence, enforced by the database as well as by the workflow
 * (docs/security.md #13; the workflow's rule is src/tickets/approval-guard.ts). A writer that bypasses
 * the workflow still cannot store:
 * - a recovery for a ticket that has no assessment;
 * - a recovery for a ticket whose assessment is against approval (`deny`, or `request_info` in the
 *   `weak` or `insufficient` band) unless it is marked as an override (`recoveries.override`);
 * - an override without a reason of at least 20 characters (`ck_recoveries_override_reason`) or without
 *   the second approval (`ck_recoveries_override_second`: it needs one, and `ck_recoveries_second_before_link`
 *   of migration 1764800000000 keeps it waiting until a second, different approver is on the row);
 * - a change to a stored recovery's override, reason, need for a second approval, first approver or ticket.
 *
 * The first two look at the ticket row, so they are triggers (a CHECK sees one row only). On SQLite,
 * TypeORM alters a table by copying it to a new one, dropping the old and renaming the copy; the rename
 * of `tickets` would fail on these triggers, which name it, unless `legacy_alter_table` is on, which
 * src/database/migrate.ts sets while migrating. Recreating `recoveries` itself drops its triggers: a
 * later migration that alters `recoveries` must create them again (test/override-guard.e2e-spec.ts fails
 * if they are gone).
 */
export class OverrideGuard1765200000000 implements MigrationInterface {
  name = 'OverrideGuard1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.addColumns('recoveries', [new TableColumn(c.bool('override')), new TableColumn(c.varchar('override_reason', 2000, true))]);
    await queryRunner.createCheckConstraints('recoveries', [
      new TableCheck({
        name: 'ck_recoveries_override_reason',
        expression: `"override" = false OR ("override_reason" IS NOT NULL AND length(trim("override_reason")) >= 20)`,
      }),
      new TableCheck({ name: 'ck_recoveries_override_second', expression: `"override" = false OR "needs_second" = true` }),
    ]);
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`CREATE FUNCTION recoveries_override_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          ticket_recommendation varchar;
          ticket_band varchar;
          ticket_assessed timestamptz;
        BEGIN
          IF TG_OP = 'INSERT' THEN
            SELECT recommendation, band, assessed_at INTO ticket_recommendation, ticket_band, ticket_assessed FROM tickets WHERE id = NEW.ticket_id;
            IF ticket_assessed IS NULL OR ticket_recommendation IS NULL THEN
              RAISE EXCEPTION 'recoveries: the ticket has no assessment, so it cannot be approved' USING ERRCODE = 'check_violation';
            END IF;
            IF NOT NEW."override" AND (ticket_recommendation = 'deny' OR (ticket_recommendation = 'request_info' AND ticket_band IN ('weak', 'insufficient'))) THEN
              RAISE EXCEPTION 'recoveries: approving against the recommendation must be stored as an override' USING ERRCODE = 'check_violation';
            END IF;
          ELSIF NEW."override" IS DISTINCT FROM OLD."override" OR NEW.override_reason IS DISTINCT FROM OLD.override_reason
             OR NEW.needs_second IS DISTINCT FROM OLD.needs_second OR NEW.first_approver IS DISTINCT FROM OLD.first_approver
             OR NEW.ticket_id IS DISTINCT FROM OLD.ticket_id THEN
            RAISE EXCEPTION 'recoveries: an approval''s override, reason, second approval, first approver and ticket cannot change' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$`);
      await queryRunner.query(
        'CREATE TRIGGER recoveries_override_guard BEFORE INSERT OR UPDATE ON recoveries FOR EACH ROW EXECUTE FUNCTION recoveries_override_guard()',
      );
    } else {
      await queryRunner.query(`CREATE TRIGGER recoveries_need_assessment BEFORE INSERT ON recoveries
        WHEN NOT EXISTS (SELECT 1 FROM tickets WHERE id = NEW.ticket_id AND assessed_at IS NOT NULL AND recommendation IS NOT NULL)
        BEGIN SELECT RAISE(ABORT, 'recoveries: the ticket has no assessment, so it cannot be approved'); END`);
      await queryRunner.query(`CREATE TRIGGER recoveries_override_marked BEFORE INSERT ON recoveries
        WHEN NEW."override" = 0 AND EXISTS (SELECT 1 FROM tickets WHERE id = NEW.ticket_id
          AND (recommendation = 'deny' OR (recommendation = 'request_info' AND band IN ('weak', 'insufficient'))))
        BEGIN SELECT RAISE(ABORT, 'recoveries: approving against the recommendation must be stored as an override'); END`);
      await queryRunner.query(`CREATE TRIGGER recoveries_override_fixed BEFORE UPDATE OF "override", override_reason, needs_second, first_approver, ticket_id ON recoveries
        WHEN NEW."override" IS NOT OLD."override" OR NEW.override_reason IS NOT OLD.override_reason OR NEW.needs_second IS NOT OLD.needs_second
          OR NEW.first_approver IS NOT OLD.first_approver OR NEW.ticket_id IS NOT OLD.ticket_id
        BEGIN SELECT RAISE(ABORT, 'recoveries: an approval''s override, reason, second approval, first approver and ticket cannot change'); END`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP TRIGGER IF EXISTS recoveries_override_guard ON recoveries');
      await queryRunner.query('DROP FUNCTION IF EXISTS recoveries_override_guard()');
    } else {
      for (const name of ['recoveries_need_assessment', 'recoveries_override_marked', 'recoveries_override_fixed'])
        await queryRunner.query(`DROP TRIGGER IF EXISTS ${name}`);
    }
    const table = await queryRunner.getTable('recoveries');
    const added = (table?.checks ?? []).filter((check) => check.name === 'ck_recoveries_override_reason' || check.name === 'ck_recoveries_override_second');
    await queryRunner.dropCheckConstraints('recoveries', added);
    await queryRunner.dropColumns('recoveries', ['override', 'override_reason']);
  }
}
