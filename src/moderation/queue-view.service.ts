import { Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES, TicketState } from '../tickets/ticket-state.js';
import {
  encodeCursor,
  formatAge,
  holderName,
  PAGE_SIZE,
  type QueueCursor,
  type QueueFilters,
  riskFlagList,
  slaBadge,
  type SlaBadge,
  slaRank,
} from './queue-format.js';
import { type SlaLevel } from '../tickets/ticket.types.js';

export interface QueueRow {
  reference: string;
  username: string;
  requestType: string;
  age: string;
  sla: SlaBadge;
  band: string | null;
  score: number | null;
  riskFlags: string[];
  holder: string | null;
}

export interface QueuePage {
  counts: Array<{ state: TicketState; label: string; count: number }>;
  total: number;
  rows: QueueRow[];
  /** The cursor of the next page, when there is one. */
  next: string | null;
}

const CLOSED_STATES: readonly TicketState[] = Object.values(TicketState).filter((s) => !OPEN_STATES.includes(s));

/** The SLA sort's groups, in order (slaRank). */
const SLA_LEVELS_BY_RANK: readonly SlaLevel[] = ['breached', 'warning', 'on_time'];

/** What the list shows and its cursor needs (not the claims, the SLA pauses or the other clock columns). */
const LIST_COLUMNS = [
  'id',
  'reference',
  'username',
  'requestType',
  'createdAt',
  'band',
  'score',
  'riskFlags',
  'claimedBy',
  'slaLevel',
  'firstRespondedAt',
  'responseDueAt',
  'decisionDueAt',
] as const satisfies ReadonlyArray<keyof Ticket>;

/**
 * The queue page's reads: open tickets counted by state (one GROUP BY) and one page of the list, with
 * keyset pagination (no OFFSET): the default order (created_at, id) walks ix_tickets_created_id, the SLA
 * order ix_tickets_sla_created_id (sla_level, created_at, id), from the cursor on.
 */
@Injectable()
export class QueueViewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async page(filters: QueueFilters): Promise<QueuePage> {
    const [counts, tickets] = await Promise.all([this.counts(), this.list(filters)]);
    const now = this.clock.now();
    const more = tickets.length > PAGE_SIZE;
    const shown = tickets.slice(0, PAGE_SIZE);
    const last = shown.at(-1);
    const next =
      more && last
        ? encodeCursor({ sort: filters.sort, rank: filters.sort === 'sla' ? slaRank(last.slaLevel) : undefined, createdAt: last.createdAt, id: last.id })
        : null;
    return {
      counts,
      total: counts.reduce((sum, c) => sum + c.count, 0),
      next,
      rows: shown.map((t) => ({
        reference: t.reference,
        username: t.username,
        requestType: t.requestType.replace(/_/g, ' '),
        age: formatAge(now.getTime() - t.createdAt.getTime()),
        sla: slaBadge(t, now),
        band: t.band,
        score: t.score,
        riskFlags: riskFlagList(t.riskFlags),
        holder: holderName(t.claimedBy),
      })),
    };
  }

  private async counts(): Promise<QueuePage['counts']> {
    const rows: Array<{ state: string; n: string | number }> = await this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .select('t.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where('t.state IN (:...open)', { open: OPEN_STATES })
      .groupBy('t.state')
      .getRawMany();
    const byState = new Map(rows.map((r) => [r.state, Number(r.n)]));
    return OPEN_STATES.map((state) => ({ state, label: state.replace(/_/g, ' '), count: byState.get(state) ?? 0 }));
  }

  /**
   * PAGE_SIZE + 1 rows of the list. The SLA sort reads one level at a time (breached, then warning, then on
   * time), each in (created_at, id) order on ix_tickets_sla_created_id, until the page is full: an ORDER BY
   * on the rank expression would sort every open ticket on each view.
   */
  private async list(f: QueueFilters): Promise<Ticket[]> {
    if (f.sort !== 'sla') {
      const q = this.filtered(f);
      if (f.after) this.after(q, f.after, f.sort === 'newest' ? '<' : '>');
      const dir = f.sort === 'newest' ? 'DESC' : 'ASC';
      return q
        .orderBy('t.createdAt', dir)
        .addOrderBy('t.id', dir)
        .limit(PAGE_SIZE + 1)
        .getMany();
    }
    const rows: Ticket[] = [];
    for (const level of SLA_LEVELS_BY_RANK) {
      const rank = slaRank(level);
      if ((f.sla && f.sla !== level) || (f.after?.rank !== undefined && rank < f.after.rank)) continue;
      const q = this.filtered(f).andWhere('t.slaLevel = :level', { level });
      if (f.after && rank === f.after.rank) this.after(q, f.after, '>');
      rows.push(
        ...(await q
          .orderBy('t.createdAt', 'ASC')
          .addOrderBy('t.id', 'ASC')
          .limit(PAGE_SIZE + 1 - rows.length)
          .getMany()),
      );
      if (rows.length > PAGE_SIZE) break;
    }
    return rows;
  }

  /**
   * The open tickets the filters keep, with the columns the page shows. "Open" is written as NOT IN the
   * closed states (the same rows): a condition no index can serve, so the planner walks the order's index
   * and stops after a page. With `state IN (open states)`, SQLite without statistics (the app never runs
   * ANALYZE) read every open ticket through a state index and sorted them: 120 ms with 100,000.
   */
  private filtered(f: QueueFilters): SelectQueryBuilder<Ticket> {
    const q = this.dataSource
      .getRepository(Ticket)
      .createQueryBuilder('t')
      .select(LIST_COLUMNS.map((c) => `t.${c}`))
      .where(f.state ? 't.state = :state' : 't.state NOT IN (:...closed)', f.state ? { state: f.state } : { closed: CLOSED_STATES });
    if (f.sla) q.andWhere('t.slaLevel = :sla', { sla: f.sla });
    if (f.risk) q.andWhere('t.riskFlags LIKE :risk', { risk: `% ${f.risk} %` });
    if (f.type) q.andWhere('t.requestType = :type', { type: f.type });
    if (f.holder === 'none') q.andWhere('t.claimedBy IS NULL');
    else if (f.holder) q.andWhere('t.claimedBy = :holder', { holder: `moderator:${f.holder}` });
    return q;
  }

  /**
   * Rows strictly after the cursor's (created_at, id) in the list's direction: a row-value comparison, which
   * SQLite and PostgreSQL both read as a range of the (…, created_at, id) index rather than a scan from its start.
   */
  private after(q: SelectQueryBuilder<Ticket>, c: QueueCursor, op: '<' | '>'): void {
    const column = this.dataSource.getMetadata(Ticket).findColumnWithPropertyName('createdAt')!;
    const at: unknown = this.dataSource.driver.preparePersistentValue(c.createdAt, column);
    q.andWhere(`(t.createdAt, t.id) ${op} (:afterAt, :afterId)`, { afterAt: at, afterId: c.id });
  }
}
