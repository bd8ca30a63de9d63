import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobMetrics } from './job-metrics.service.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';
import { ScrapeGauges } from './scrape-gauges.service.js';

@Module({})
export class MetricsModule {
  /**
   * Global, so the services that commit claims, decisions and SLA marks can count them. Every process
   * counts its own events; only web processes serve /metrics (a worker-only process has no HTTP
   * server: its job metrics are not exposed, see README).
   */
  static forRole(withWeb: boolean): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: withWeb ? [MetricsController] : [],
      providers: [MetricsRegistry, ScrapeGauges, JobMetrics],
      exports: [MetricsRegistry],
    };
  }
}
