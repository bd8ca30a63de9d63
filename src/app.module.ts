import { BullModule } from '@nestjs/bullmq';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ResetsModule } from './resets/resets.module.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Clock, SystemClock } from './common/clock.js';
import { DomainExceptionFilter } from './common/domain-exception.filter.js';
import { LoggingModule } from './common/logging.module.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG, ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DirectoryModule } from './directory/directory.module.js';
import { EvidenceModule } from './evidence/evidence.module.js';
import { HealthModule } from './health/health.module.js';
import { IntakeModule } from './intake/intake.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ReviewQueueModule } from './review-queue/review-queue.module.js';
import { SlaModule } from './sla/sla.module.js';

@Module({})
class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: ClockModule, global: true, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}

/** What tests (and only tests) may swap: the clock, at the edge of the system. */
export interface AppOverrides {
  clock?: Clock;
}

@Module({})
export class AppModule {
  /** ROLE decides what runs here: web serves HTTP, worker processes jobs, all does both. */
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    const withWorkers = config.role !== 'web';
    const withWeb = config.role !== 'worker';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(overrides.clock ?? new SystemClock()),
        LoggingModule,
        DatabaseModule,
        AuditModule,
        ReportsModule,
        RedisModule,
        MetricsModule.forRole(withWeb),
        BullModule.forRootAsync({
          inject: [APP_CONFIG],
          // Workers block on Redis, so their commands must not give up after a few retries.
          useFactory: (c: AppConfig) => ({
            connection: { url: c.redis.url, maxRetriesPerRequest: null },
            prefix: c.redis.prefix,
          }),
        }),
        NotificationsModule.forRole(withWorkers),
        DirectoryModule,
        EvidenceModule.forRoot(),
        SlaModule,
        ReviewQueueModule.forRole(withWeb, withWorkers),
        IntakeModule,
        AuthModule,
        ResetsModule,
        ModerationModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }],
    };
  }
}
