import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { runMigrations } from './migrate.js';
import { beginSqliteTransactionsImmediately, Transactions } from './transactions.js';
import { dataSourceOptions, type EntityList } from './data-source-options.js';

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
      providers: [Transactions],
      exports: [Transactions],
    };
  }
}
