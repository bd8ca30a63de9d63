import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { runMigrations } from './migrate.js';
import { beginSqliteTransactionsImmediately, Transactions } from './transactions.js';
import { dataSourceOptions, type EntityList } from './data-source-options.js';

/**
 * @nestjs/typeorm destroys the data source on application shutdown; the destroy is given the shutdown's
 * deadline for a connection (a pool can wait on a connection that never comes back).
 */
const DATABASE_CLOSING = {
  provide: Symbol('DATABASE_CLOSING'),
  inject: [DataSource, Shutdown],
  useFactory: (dataSource: DataSource, shutdown: Shutdown) => {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await shutdown.release('database', destroy);
    };
    return true;
  },
};

/** The data source (migrated before any module can touch a table) and the transaction helper; global. */
@Module({})
export class DatabaseModule {
  /** `entities`: every module's (src/entities.ts), so this module imports none of them. */
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => dataSourceOptions(config.database, entities),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            beginSqliteTransactionsImmediately(dataSource);
            const applied = await runMigrations(dataSource);
            if (applied.length) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        }),
      ],
      providers: [Transactions, DATABASE_CLOSING],
      exports: [Transactions],
    };
  }
}
