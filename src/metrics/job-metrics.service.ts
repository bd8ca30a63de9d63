import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { MetricsRegistry } from './metrics.registry.js';

/**
 * Times every job attempt of this process's workers and counts the failed ones, from the workers'
 * own `completed` and `failed` events: the processors stay as they are, and a processor added later
 * is measured without touching it. Only after bootstrap do the workers exist (@nestjs/bullmq makes
 * them at module init). A job moved back to delayed (DelayedError) emits neither event.
 */
@Injectable()
export class JobMetrics implements OnApplicationBootstrap {
  constructor(private readonly discovery: DiscoveryService, private readonly metrics: MetricsRegistry) {}

  onApplicationBootstrap(): void {
    for (const { instance } of this.discovery.getProviders()) {
      if (!(instance instanceof WorkerHost)) continue;
      const worker = instance.worker;
      worker.on('completed', (job: Job) => this.record(worker.name, job, 'completed'));
      worker.on('failed', (job: Job | undefined) => {
        if (job) this.record(worker.name, job, 'failed');
      });
    }
  }

  private record(queue: string, job: Job, outcome: 'completed' | 'failed'): void {
    // processedOn: this attempt's start; finishedOn is only set on completion or the final failure.
    const started = job.processedOn ?? Date.now();
    const finished = job.finishedOn ?? Date.now();
    this.metrics.jobFinished(queue, job.name, outcome, Math.max(0, finished - started) / 1000);
  }
}
