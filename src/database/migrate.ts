import { DataSource } from 'typeorm';

// Any fixed number: it names the lock every process takes while it migrates.
const MIGRATION_LOCK = 461_221_904;

/** Runs pending migrations; on PostgreSQL under an advisory lock, so processes booting together take turns. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    // TypeORM alters a SQLite table by copying it, dropping the old one and renaming the copy. Triggers on
    // other tables that name it (migration 1765200000000's, on recoveries, read tickets) would make the
    // rename fail unless it keeps the legacy behaviour of not re-checking them; the names stay the same.
    await dataSource.query('PRAGMA legacy_alter_table = ON');
    try {
      return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
    } finally {
      await dataSource.query('PRAGMA legacy_alter_table = OFF');
    }
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${String(dataSource.options.schema ?? 'public')}"`);
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
