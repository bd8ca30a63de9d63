import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { JobMetrics } from './job-metrics.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';
import { ScrapeGauges } from './scrape-gauges.service.js';

/**
 * Prometheus metrics. Every process counts its own events; web processes serve /metrics (a worker-only
 * process has no HTTP server, so its job metrics are not exposed: see docs/operations.md).
 */
@Module({
  imports: [JobsModule, TicketsModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, ScrapeGauges, JobMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
