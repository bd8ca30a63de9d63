import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import { METRIC_PREFIX, MetricsRegistry } from './metrics.registry.js';
import { appQueues } from '../jobs/app-queues.js';

/**
 * BullMQ's job states shown as queue depth. The dispatch queue's jobs always carry a priority, and
 * BullMQ keeps prioritised jobs in their own set, so `waiting` alone would show that queue empty.
 */
export const QUEUE_DEPTH_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** A scrape must not hang while Redis is away (the queues' commands wait for it without limit). */
const QUEUE_COUNTS_TIMEOUT_MS = 1000;

const SLA_LEVELS = ['warning', 'breached'] as const;

/**
 * Gauges read at scrape time from the truth (SQL) and from Redis, so every process reports the same
 * numbers and nothing drifts: tickets by state, open tickets at an SLA level, queue depths.
 */
@Injectable()
export class ScrapeGauges {
  constructor(metrics: MetricsRegistry, dataSource: DataSource, moduleRef: ModuleRef) {
    const queues = appQueues((token) => moduleRef.get<Queue>(token, { strict: false }));
    const logger = new Logger(ScrapeGauges.name);
    const registers = [metrics.registry];
    new Gauge({
      name: `${METRIC_PREFIX}tickets`,
      help: 'Tickets by state (read from the database at scrape time).',
      labelNames: ['state'] as const,
      registers,
      // One GROUP BY on ix_tickets_state (an index-only scan).
      async collect() {
        const rows = await dataSource
          .getRepository(Ticket)
          .createQueryBuilder('t')
          .select('t.state', 'state')
          .addSelect('COUNT(*)', 'n')
          .groupBy('t.state')
          .getRawMany<{ state: string; n: string | number }>();
        const counts = new Map(rows.map((r) => [r.state, Number(r.n)]));
        this.reset();
        for (const state of Object.values(TicketState)) this.set({ state }, counts.get(state) ?? 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}sla_open_tickets`,
      help: 'Open tickets whose SLA is at warning or breached (read from the database at scrape time).',
      labelNames: ['level'] as const,
      registers,
      // ix_tickets_sla_level (sla_level, state) answers this without reading the table.
      async collect() {
        const rows = await dataSource
          .getRepository(Ticket)
          .createQueryBuilder('t')
          .select('t.slaLevel', 'level')
          .addSelect('COUNT(*)', 'n')
          .where('t.slaLevel IN (:...levels)', { levels: SLA_LEVELS })
          .andWhere('t.state IN (:...open)', { open: OPEN_STATES })
          .groupBy('t.slaLevel')
          .getRawMany<{ level: string; n: string | number }>();
        const counts = new Map(rows.map((r) => [r.level, Number(r.n)]));
        for (const level of SLA_LEVELS) this.set({ level }, counts.get(level) ?? 0);
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}queue_jobs`,
      help: 'BullMQ jobs by queue and state (read from Redis at scrape time; absent while Redis does not answer).',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        try {
          const all = await withTimeout(Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_DEPTH_STATES))), QUEUE_COUNTS_TIMEOUT_MS);
          queues.forEach((queue, i) => {
            for (const state of QUEUE_DEPTH_STATES) this.set({ queue: queue.name, state }, all[i][state] ?? 0);
          });
        } catch (error) {
          // Stale depths would mislead; an absent series is what alerting can see (absent()).
          logger.warn(`queue depths not collected: ${(error as Error).message}`);
        }
      },
    });
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
