import { DataSource } from 'typeorm';
import { Moderator } from '../src/auth/moderator.entity.js';
import { loadConfig } from '../src/config/app-config.js';
import { runMigrations } from '../src/database/migrate.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import { appDataSourceOptions } from '../src/entities.js';
import { disposeEnv, isolatedEnv } from './support/test-app.js';

/**
 * The staff-administration migration on a database that already has staff: existing moderators keep
 * working (session generation 0, as their sessions read without one) and get their last sign-in from
 * the audit log.
 */
describe('migration 1765000000000-staff-admin on existing staff', () => {
  const env = isolatedEnv();
  const options = appDataSourceOptions(loadConfig(env).database);
  afterAll(() => disposeEnv(env));

  it('fills the last sign-in from the audit log and starts every session generation at 0', async () => {
    // No entities: the tables are written as they were before this migration, not as the entities are now.
    const earlier = MIGRATIONS.filter((m) => m.name !== 'StaffAdmin1765000000000');
    const before = await new DataSource({ ...options, entities: [], migrations: earlier }).initialize();
    const postgres = before.options.type === 'postgres';
    // An instant as each dialect's datetime column keeps it (SQLite: UTC text).
    const at = (iso: string) => (postgres ? new Date(iso) : iso.replace('T', ' ').replace('Z', ''));
    const insert = async (table: string, row: Record<string, unknown>) => {
      const columns = Object.keys(row);
      const marks = columns.map((_, i) => (postgres ? `$${i + 1}` : '?'));
      await before.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks.join(', ')})`, Object.values(row));
    };
    const moderator = (id: string, name: string) => ({
      id,
      name,
      role: 'moderator',
      password_hash: 'x',
      must_change_password: postgres ? false : 0,
      failed_sign_ins: 0,
      created_at: at('2026-11-01T08:00:00.000Z'),
    });
    const entry = (id: number, actor: string, action: string, iso: string) => ({
      id,
      at: at(iso),
      actor,
      action,
      ticket_id: null,
      data: '{}',
      prev_hash: 'p'.repeat(64),
      hash: 'h'.repeat(64),
    });
    try {
      await runMigrations(before);
      for (const row of [moderator('m-1', 'uma'), moderator('m-2', 'vic')]) await insert('moderators', row);
      for (const row of [
        entry(1, 'moderator:uma', 'signed_in', '2026-11-02T09:00:00.000Z'),
        entry(2, 'moderator:uma', 'signed_in', '2026-11-05T17:30:00.000Z'),
        entry(3, 'moderator:uma', 'signed_out', '2026-11-06T10:00:00.000Z'),
        entry(4, 'moderator:vic', 'sign_in_failed', '2026-11-06T11:00:00.000Z'),
      ])
        await insert('audit_log', row);
    } finally {
      await before.destroy();
    }

    const after = await new DataSource(options).initialize();
    try {
      expect(await runMigrations(after)).toEqual(['StaffAdmin1765000000000']);
      const rows = await after.getRepository(Moderator).find({ order: { name: 'ASC' } });
      expect(rows.map((m) => [m.name, m.lastSignedInAt?.toISOString() ?? null, m.sessionGeneration])).toEqual([
        ['uma', '2026-11-05T17:30:00.000Z', 0],
        ['vic', null, 0],
      ]);
    } finally {
      await after.destroy();
    }
  });
});
