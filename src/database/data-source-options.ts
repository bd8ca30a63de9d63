import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { DataSourceOptions, EntitySchema } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config.js';
import { MIGRATIONS } from './migrations/index.js';

/** Entity classes (or schemas): a class is any constructor, whatever its parameters. */
export type EntityList = ReadonlyArray<(abstract new (...args: never[]) => unknown) | EntitySchema>;

/** One place that turns DATABASE_URL into TypeORM options, for the app, the CLI and the tests. */
/** `entities`: every module's, listed at the top of the app (src/entities.ts). */
export function dataSourceOptions(db: DatabaseConfig, entities: EntityList): DataSourceOptions {
  const common = { entities: [...entities], migrations: MIGRATIONS, migrationsRun: false as const, synchronize: false as const, logging: false as const };
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: true,
      timeout: db.busyTimeoutMs,
      prepareDatabase: (conn: Database.Database) => {
        // NORMAL in WAL: an app crash loses nothing committed; a power cut may lose the last moments.
        conn.pragma(`synchronous = ${db.synchronous}`);
        conn.pragma(`busy_timeout = ${db.busyTimeoutMs}`);
      },
    };
  }
  const schema = db.schema ?? 'public';
  return {
    ...common,
    type: 'postgres',
    url: db.url,
    schema,
    // Unqualified names in migrations land in the same schema as the entities.
    extra: { max: 10, options: `-c search_path=${schema}` },
  };
}
