import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, type SelectQueryBuilder } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { OPEN_STATES, type TicketState } from '../tickets/ticket-state.js';
import {
  encodeCursor, formatAge, holderName, PAGE_SIZE, type QueueFilters, riskFlagList, slaBadge, type SlaBadge, slaRank,
} from './queue-format.js';

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

const RANK = "CASE t.slaLevel WHEN 'breached' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END";

/**
 * The queue page's reads: open tickets counted by state (one GROUP BY) and one page of the list, with
 * keyset pagination (no OFFSET): the default order (created_at, id) walks ix_tickets_created_id.
 */
@Injectable()
export class QueueViewService {
  constructor(private readonly dataSource: DataSource, private readonly clock: Clock) {}

  async page(filters: QueueFilters): Promise<QueuePage> {
    const [counts, tickets] = await Promise.all([this.counts(), this.list(filters)]);
    const now = this.clock.now();
    const more = tickets.length > PAGE_SIZE;
    const shown = tickets.slice(0, PAGE_SIZE);
    const last = shown.at(-1);
    const next = more && last
      ? encodeCursor({ sort: filters.sort, rank: filters.sort === 'sla' ? slaRank(last.slaLevel) : undefined, createdAt: last.createdAt, id: last.id })
      : null;
    return {
      counts, total: counts.reduce((sum, c) => sum + c.count, 0), next,
      rows: shown.map((t) => ({
        reference: t.reference, username: t.username, requestType: t.requestType.replace(/_/g, ' '),
        age: formatAge(now.getTime() - t.createdAt.getTime()), sla: slaBadge(t, now), band: t.band, score: t.score,
        riskFlags: riskFlagList(t.riskFlags), holder: holderName(t.claimedBy),
      })),
    };
  }

  async byReference(reference: string): Promise<Ticket | null> {
    return this.dataSource.getRepository(Ticket).findOneBy({ reference: reference.toUpperCase() });
  }

  private async counts(): Promise<QueuePage['counts']> {
    const rows: Array<{ state: string; n: string | number }> = await this.dataSource.getRepository(Ticket).createQueryBuilder('t')
      .select('t.state', 'state').addSelect('COUNT(*)', 'n')
      .where('t.state IN (:...open)', { open: OPEN_STATES }).groupBy('t.state').getRawMany();
    const byState = new Map(rows.map((r) => [r.state, Number(r.n)]));
    return OPEN_STATES.map((state) => ({ state, label: state.replace(/_/g, ' '), count: byState.get(state) ?? 0 }));
  }

  private list(f: QueueFilters): Promise<Ticket[]> {
    const q = this.dataSource.getRepository(Ticket).createQueryBuilder('t')
      .where(f.state ? 't.state = :state' : 't.state IN (:...open)', f.state ? { state: f.state } : { open: OPEN_STATES });
    if (f.sla) q.andWhere('t.slaLevel = :sla', { sla: f.sla });
    if (f.risk) q.andWhere('t.riskFlags LIKE :risk', { risk: `% ${f.risk} %` });
    if (f.type) q.andWhere('t.requestType = :type', { type: f.type });
    if (f.holder === 'none') q.andWhere('t.claimedBy IS NULL');
    else if (f.holder) q.andWhere('t.claimedBy = :holder', { holder: `moderator:${f.holder}` });
    this.keyset(q, f);
    if (f.sort === 'sla') q.orderBy(RANK, 'ASC').addOrderBy('t.createdAt', 'ASC').addOrderBy('t.id', 'ASC');
    else {
      const dir = f.sort === 'newest' ? 'DESC' : 'ASC';
      q.orderBy('t.createdAt', dir).addOrderBy('t.id', dir);
    }
    return q.limit(PAGE_SIZE + 1).getMany();
  }

  /** Rows strictly after the cursor in the list's order. */
  private keyset(q: SelectQueryBuilder<Ticket>, f: QueueFilters): void {
    const c = f.after;
    if (!c) return;
    const column = this.dataSource.getMetadata(Ticket).findColumnWithPropertyName('createdAt')!;
    const at = this.dataSource.driver.preparePersistentValue(c.createdAt, column);
    const op = f.sort === 'newest' ? '<' : '>';
    const within = `(t.createdAt ${op} :afterAt OR (t.createdAt = :afterAt AND t.id ${op} :afterId))`;
    if (f.sort === 'sla') {
      q.andWhere(new Brackets((b) => b.where(`${RANK} > :afterRank`).orWhere(`(${RANK} = :afterRank AND ${within})`)),
        { afterRank: c.rank, afterAt: at, afterId: c.id });
    } else {
      q.andWhere(within, { afterAt: at, afterId: c.id });
    }
  }
}
