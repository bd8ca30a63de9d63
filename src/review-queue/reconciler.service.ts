import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, Not } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Shutdown } from '../common/shutdown.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import { type MirrorReport, QueueMirror } from './queue-mirror.service.js';
import { JobSchedules } from './job-schedules.service.js';
import { ReviewService } from './review.service.js';
import { RUNS_WORKERS } from '../jobs/job-workers.service.js';
import { OutboxRelay } from '../jobs/outbox-relay.service.js';

/** A ticket not assessed this long after arrival is routed anyway: scoring must not hold the queue. */
const ROUTE_WITHOUT_ASSESSMENT_AFTER_MS = 5 * 60_000;
const BATCH = 500;

export interface ReconcileReport extends MirrorReport {
  clocksStarted: number;
  routed: number;
  /** Periodic job schedulers Redis had lost and the pass set again. */
  schedulersRestored: string[];
  /** Outbox rows (mail, assessments, syncs, webhooks) whose published job Redis had lost, published again. */
  outboxRepublished: number;
  ms: number;
}

/**
 * Makes Redis match SQL on boot and every RECONCILE_INTERVAL (docs/architecture.md, principle 1): starts clocks
 * that never started, routes tickets whose assessment never came, then lets the mirror add every
 * missing dispatch job, SLA timer and lease expiry and remove strays, sets again any periodic job
 * scheduler Redis lost, and publishes again the outbox rows whose job it lost. Runs in worker processes; two
 * workers reconciling at once do no harm (every step is idempotent).
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcilerService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport | null> | null = null;
  /** The pass that follows the running one, shared by every call made while that one runs. */
  private following: Promise<ReconcileReport | null> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly review: ReviewService,
    private readonly mirror: QueueMirror,
    private readonly schedules: JobSchedules,
    private readonly relay: OutboxRelay,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNS_WORKERS) private readonly runsWorkers: boolean,
    private readonly shutdown: Shutdown,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runsWorkers) return;
    this.timer = setInterval(() => void this.run(), this.config.review.reconcileIntervalMs);
    this.timer.unref();
    void this.run();
  }

  /** A pass left unfinished (its queue commands wait for an absent Redis) is the next boot's to redo. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const pending = this.following ?? this.running;
    if (pending) await this.shutdown.drain('reconciler pass', () => pending.then(() => this.running ?? null));
  }

  /**
   * A pass that starts after this call, so it sees what the caller wrote before calling: a pass
   * already running may have read SQL earlier. Calls made while a pass runs share the one pass after
   * it. Null when Redis or the database failed (logged, retried next time) or the app is stopping.
   */
  run(): Promise<ReconcileReport | null> {
    if (this.stopped) return Promise.resolve(null);
    if (!this.running) return this.start();
    this.following ??= this.running.then(() => {
      this.following = null;
      return this.running ?? this.start(); // a pass started meanwhile started after these calls too
    });
    return this.following;
  }

  private start(): Promise<ReconcileReport | null> {
    if (this.stopped) return Promise.resolve(null);
    this.running = this.pass()
      .catch((error: Error) => {
        this.logger.warn(`reconciler paused: ${error.message}`);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pass(): Promise<ReconcileReport> {
    const started = Date.now();
    const tickets = this.dataSource.getRepository(Ticket);
    let clocksStarted = 0;
    for (const { id } of await tickets.find({ where: { state: In([...OPEN_STATES]), slaCycleStartedAt: IsNull() }, select: { id: true }, take: BATCH })) {
      await this.review.startClock(id).then(
        () => clocksStarted++,
        (e: Error) => this.logger.warn(`clock of ${id}: ${e.message}`),
      );
    }
    let routed = 0;
    const stuck = await tickets.find({
      where: [
        { state: TicketState.Submitted, assessedAt: Not(IsNull()) },
        { state: TicketState.Submitted, createdAt: LessThan(new Date(this.clock.now().getTime() - ROUTE_WITHOUT_ASSESSMENT_AFTER_MS)) },
      ],
      select: { id: true },
      take: BATCH,
    });
    for (const { id } of stuck) {
      await this.review.route(id).then(
        () => routed++,
        (e: Error) => this.logger.warn(`routing ${id}: ${e.message}`),
      );
    }
    const mirrored = await this.mirror.reconcile();
    const schedulersRestored = await this.schedules.ensure();
    const outboxRepublished = await this.relay.republishLost();
    const report = { ...mirrored, clocksStarted, routed, schedulersRestored, outboxRepublished, ms: Date.now() - started };
    if (report.added || report.removed || clocksStarted || routed || schedulersRestored.length || outboxRepublished)
      this.logger.log(report, 'reconciled Redis with SQL');
    return report;
  }
}
