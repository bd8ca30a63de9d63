import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { Clock, SystemClock } from './common/clock.js';
import { ClockModule } from './common/clock.module.js';
import { DomainExceptionFilter } from './common/domain-exception.filter.js';
import { LoggingModule } from './common/logging.module.js';
import { ShutdownModule } from './common/shutdown.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DirectoryModule } from './directory/directory.module.js';
import { ENTITIES } from './entities.js';
import { HealthModule } from './health/health.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ResetsModule } from './resets/resets.module.js';
import { ReviewQueueModule } from './review-queue/review-queue.module.js';

/** What tests (and only tests) may swap: the clock, at the edge of the system. */
export interface AppOverrides {
  clock?: Clock;
}

@Module({})
export class AppModule {
  /**
   * The whole app. ROLE decides what runs: web processes serve HTTP, worker processes work the queues
   * (JobsModule's workers, the reconciler, the periodic jobs' schedules); ROLE=all does both. Only config,
   * the database, the clock, the shutdown's deadline and logging are global: every other module imports what it uses.
   */
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(overrides.clock ?? new SystemClock()),
        LoggingModule,
        ShutdownModule.forRoot(config.shutdown.timeoutMs),
        DatabaseModule.forRoot(ENTITIES),
        RedisModule,
        JobsModule,
        AuditModule,
        MetricsModule,
        DirectoryModule,
        ReviewQueueModule,
        IntakeModule,
        AuthModule,
        ResetsModule,
        ModerationModule,
        ReportsModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }],
    };
  }
}
