import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { QueueName } from './job.constants.js';
import { JobWorkers, RUNS_WORKERS } from './job-workers.service.js';
import { Outbox } from './outbox.service.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { QueueClosing } from './queue-closing.js';

/**
 * BullMQ for the whole app: the connection, every queue (registered once, here), the outbox and its
 * relay, and the workers that hand each job to its `@OnJob` handler in worker processes. Every close
 * has the shutdown's deadline (the queues' through QueueClosing).
 */
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      // Workers block on Redis, so their commands must not give up after a few retries.
      useFactory: (c: AppConfig) => ({ connection: { url: c.redis.url, maxRetriesPerRequest: null }, prefix: c.redis.prefix }),
    }),
    BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
  ],
  providers: [Outbox, OutboxRelay, JobWorkers, QueueClosing, { provide: RUNS_WORKERS, inject: [APP_CONFIG], useFactory: (c: AppConfig) => c.role !== 'web' }],
  exports: [Outbox, OutboxRelay, JobWorkers, BullModule, RUNS_WORKERS],
})
export class JobsModule {}
