import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { requestWebhook } from '../review-queue/sync-requests.js';
import { updateTicketQuietly } from '../tickets/ticket-updates.js';
import { addTicketEvent } from '../tickets/ticket-events.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { isOpen } from '../tickets/ticket-state.js';
import {
  applyMarks, decideSla, dueMarks, pauseSla, reopenSla, respondSla, resumeSla, type SlaState, type SlaTargets, startSla,
} from './sla-clock.js';
import { measuresBetween, type SlaMeasures } from './sla-measures.js';
import type { SlaPolicy } from './sla-policy.js';
import { type SlaColumns, slaColumns, slaStateOf } from '../tickets/ticket-sla.js';
import { MailTemplate } from '../notifications/mail-template.js';
import { slaTimerId } from '../jobs/job.constants.js';

export const SLA_POLICY = Symbol('SLA_POLICY');

const FIRE_COLUMNS = {
  id: true, reference: true, requestType: true, state: true, claimedBy: true, createdAt: true, slaNextAt: true,
  escalated: true, recommendation: true, leaseExpiresAt: true,
  slaCycle: true, slaCycleStartedAt: true, firstRespondedAt: true, slaDecidedAt: true, slaPausedSince: true, slaPauses: true,
  responseWarnAt: true, responseDueAt: true, decisionWarnAt: true, decisionDueAt: true,
  slaResponseLevel: true, slaDecisionLevel: true, slaLevel: true,
} as const;

export type SlaStep = 'pause' | 'resume' | 'respond' | 'decide' | 'reopen';
const STEPS: Record<SlaStep, (s: SlaState, now: Date, t: SlaTargets) => SlaState> = {
  pause: pauseSla, resume: resumeSla, respond: respondSla, decide: decideSla, reopen: reopenSla,
};

/** New SLA columns for a ticket, and the timer ids they make stale (to remove from Redis). */
export interface SlaChange {
  columns: Partial<SlaColumns & SlaMeasures>;
  stale: string[];
}

/** What a fired SLA timer did. */
export type FireOutcome =
  | { kind: 'marked'; marks: Array<{ clock: 'response' | 'decision'; level: 'warning' | 'breached' }>; stale: string[]; ticket: Ticket }
  | { kind: 'not_due'; at: Date }
  | { kind: 'nothing' };

/**
 * The ticket's SLA clock, kept in SQL: the pure rules (sla-clock.ts) decide; this service reads and
 * writes the columns, inside the caller's transaction where the change belongs to a bigger one.
 */
@Injectable()
export class SlaService {
  private readonly logger = new Logger(SlaService.name);

  constructor(
    @Inject(SLA_POLICY) readonly policy: SlaPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly notifications: NotificationsService,
    private readonly clock: Clock,
    private readonly metrics: MetricsRegistry,
  ) {}

  targetsFor(ticket: Pick<Ticket, 'requestType'>): SlaTargets {
    return this.policy.targetsFor(ticket.requestType);
  }

  /** The clock of a new ticket, counted from its arrival. */
  start(ticket: Pick<Ticket, 'requestType' | 'createdAt'>): SlaColumns {
    return slaColumns(startSla(ticket.createdAt, this.targetsFor(ticket)));
  }

  /** Pause, resume, first response, decision, reopen: the columns to write with the caller's change. */
  step(ticket: Ticket, step: SlaStep, now: Date): SlaChange {
    const state = slaStateOf(ticket) ?? startSla(ticket.createdAt, this.targetsFor(ticket));
    const next = STEPS[step](state, now, this.targetsFor(ticket));
    return this.change(ticket, state, next);
  }

  /**
   * A timer woke up: mark what is due, once. The update is conditional on the levels read, so two
   * firings (or two workers) cannot both mark: the loser matches no row and does nothing. The caller
   * then syncs Redis (next timer, stale one removed, the dispatch job's new priority).
   */
  async fire(ticketId: string): Promise<FireOutcome> {
    const outcome = await this.transactions.run(async (em): Promise<FireOutcome> => {
      // Only what the clock and the breach notice need: this runs once per timer, thousands a minute.
      const ticket = await em.findOne(Ticket, { where: { id: ticketId }, select: FIRE_COLUMNS }) as Ticket | null;
      const state = ticket && isOpen(ticket.state) ? slaStateOf(ticket) : null;
      if (!ticket || !state) return { kind: 'nothing' };
      const now = this.clock.now();
      const marks = dueMarks(state, now);
      if (marks.length === 0) return state.nextAt && state.nextAt > now ? { kind: 'not_due', at: state.nextAt } : { kind: 'nothing' };
      const { columns, stale } = this.change(ticket, state, applyMarks(state, marks, this.targetsFor(ticket)));
      const won = await updateTicketQuietly(em,
        { id: ticket.id, slaResponseLevel: ticket.slaResponseLevel, slaDecisionLevel: ticket.slaDecisionLevel, slaCycle: ticket.slaCycle },
        columns);
      if (won === 0) return { kind: 'nothing' };
      for (const mark of marks) await this.record(em, ticket, mark, now);
      // No sync outbox row: the timer worker brings Redis in line right after the commit (the hot path
      // of 10,000 timers), and should that fail the reconciler does (DESIGN.md principle 2).
      return { kind: 'marked', marks, stale, ticket: { ...ticket, ...columns } };
    });
    // After the commit, and only for the firing that won the conditional update: each mark counts once.
    if (outcome.kind === 'marked') this.metrics.slaMarked(outcome.marks);
    return outcome;
  }

  private change(ticket: Ticket, prev: SlaState, next: SlaState): SlaChange {
    const columns = { ...slaColumns(next), ...measuresBetween(prev, next, this.targetsFor(ticket)) };
    const stale = ticket.slaNextAt && ticket.slaNextAt.getTime() !== next.nextAt?.getTime() ? [slaTimerId(ticket.id, ticket.slaNextAt)] : [];
    return { columns, stale };
  }

  private async record(em: EntityManager, ticket: Ticket, mark: { clock: 'response' | 'decision'; level: 'warning' | 'breached' }, now: Date): Promise<void> {
    const dueAt = mark.clock === 'response' ? ticket.responseDueAt : ticket.decisionDueAt;
    await addTicketEvent(em, {
      ticketId: ticket.id, type: mark.level === 'breached' ? 'sla_breached' : 'sla_warning', actor: 'system', public: false,
      createdAt: now, data: { clock: mark.clock, due_at: dueAt?.toISOString() ?? null, cycle: ticket.slaCycle },
    });
    if (mark.level !== 'breached') return;
    this.logger.warn({ ticketId: ticket.id, reference: ticket.reference, clock: mark.clock }, 'SLA breached');
    const clock = mark.clock === 'response' ? 'first response' : 'decision';
    await this.notifications.queueMail(em, this.config.review.opsEmail, MailTemplate.SlaBreach, {
      reference: ticket.reference, clock, requestType: ticket.requestType, dueAt: dueAt?.toISOString() ?? 'unknown',
      holder: ticket.claimedBy,
    });
    if (this.config.review.slaWebhookUrl) {
      await requestWebhook(em, {
        event: 'sla_breached', reference: ticket.reference, clock: mark.clock, request_type: ticket.requestType,
        due_at: dueAt?.toISOString() ?? null, breached_at: now.toISOString(),
      }, now);
    }
  }
}
