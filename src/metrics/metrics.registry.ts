import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Every metric of the app starts with this (the process metrics keep their standard names). */
export const METRIC_PREFIX = 'recovery_desk_';

/** What a moderator decided, as DecisionsService commits it. */
export type DecisionMetric = 'info_requested' | 'denied' | 'approved' | 'second_approval';
const DECISIONS: readonly DecisionMetric[] = ['info_requested', 'denied', 'approved', 'second_approval'];

export interface SlaMark {
  clock: 'response' | 'decision';
  level: 'warning' | 'breached';
}

/** The route label of a request no route matched: never the raw URL, which may carry a token. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The app's own Prometheus registry (not prom-client's global one, so several apps in one process,
 * as in the tests, keep separate counts) and the metrics that count events as they happen. The
 * gauges read at scrape time live in ScrapeGauges. Callers record only after their transaction
 * committed: a rolled-back claim or decision must not count.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  private readonly claims = new Counter({
    name: `${METRIC_PREFIX}claims_total`,
    help: 'Tickets claimed by a moderator (work next) in this process.',
    registers: [this.registry],
  });

  private readonly decisions = new Counter({
    name: `${METRIC_PREFIX}decisions_total`,
    help: 'Moderator decisions committed in this process, by decision.',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  private readonly slaEvents = new Counter({
    name: `${METRIC_PREFIX}sla_events_total`,
    help: 'SLA warnings and breaches marked by the timers of this process, by level and clock.',
    labelNames: ['level', 'clock'] as const,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: `${METRIC_PREFIX}job_duration_seconds`,
    help: "Time a BullMQ job attempt took in this process's workers, by queue, job name and outcome.",
    labelNames: ['queue', 'name', 'outcome'] as const,
    // Mail and webhooks wait on other servers for seconds; SQL-only jobs take milliseconds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: `${METRIC_PREFIX}job_failures_total`,
    help: "Failed BullMQ job attempts in this process's workers (each retry counts), by queue and job name.",
    labelNames: ['queue', 'name'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP response time, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Known label values start at 0, so a rate() over them works before the first event.
    for (const decision of DECISIONS) this.decisions.inc({ decision }, 0);
    for (const level of ['warning', 'breached'] as const) {
      for (const clock of ['response', 'decision'] as const) this.slaEvents.inc({ level, clock }, 0);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric; runs the scrape-time collectors. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  claimed(): void {
    this.claims.inc();
  }

  decided(decision: DecisionMetric): void {
    this.decisions.inc({ decision });
  }

  slaMarked(marks: readonly SlaMark[]): void {
    for (const mark of marks) this.slaEvents.inc({ level: mark.level, clock: mark.clock });
  }

  jobFinished(queue: string, name: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobDuration.observe({ queue, name, outcome }, seconds);
    if (outcome === 'failed') this.jobFailures.inc({ queue, name });
  }

  httpResponded(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }
}
