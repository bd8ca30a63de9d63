import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migrate.js';
import { beginSqliteTransactionsImmediately, Transactions } from './transactions.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.database),
      // Migrate before any module can touch a table.
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
})
export class DatabaseModule {}
