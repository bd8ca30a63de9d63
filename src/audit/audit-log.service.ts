import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, MoreThan } from 'typeorm';
import { insertRows, onBeforeCommit } from '../database/transactions.js';
import { type AuditFacts, type ChainCheck, entryHash, GENESIS, verifyChain } from './audit-chain.js';
import { AuditEntry } from './audit-entry.entity.js';

// Any fixed number: names the PostgreSQL lock every appender takes, so the chain never forks.
const AUDIT_LOCK = 731_004_118;
const PAGE = 1000;

/** What AuditLog.recent selects; every field is optional. */
export interface AuditQuery {
  ticketId?: string;
  actor?: string;
  action?: string;
  from?: Date;
  until?: Date;
}

const pending = new WeakMap<EntityManager, AuditFacts[]>();
const FLUSH = {};

/**
 * Adds an entry to the audit log as part of the caller's transaction (Transactions.run): entries are
 * written, in order, as the transaction's last step. There a PostgreSQL transaction-scoped advisory
 * lock makes appenders take turns (two reading the same last entry would fork the chain); SQLite
 * transactions already hold the write lock.
 */
export async function appendAudit(em: EntityManager, facts: AuditFacts): Promise<void> {
  const list = pending.get(em) ?? [];
  list.push(facts);
  pending.set(em, list);
  onBeforeCommit(em, FLUSH, () => flushAudit(em));
}

async function flushAudit(em: EntityManager): Promise<void> {
  const list = pending.get(em) ?? [];
  pending.delete(em);
  if (list.length === 0) return;
  if (em.connection.options.type === 'postgres') await em.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const last = await em.getRepository(AuditEntry).createQueryBuilder('a').select(['a.id', 'a.hash']).orderBy('a.id', 'DESC').limit(1).getOne();
  let id = last?.id ?? 0;
  let prevHash = last?.hash ?? GENESIS;
  const rows = list.map((facts) => {
    id += 1;
    const row = { id, ...facts, prevHash, hash: entryHash(prevHash, id, facts) };
    prevHash = row.hash;
    return row;
  });
  await insertRows(em, AuditEntry, rows as never);
}

/**
 * The append-only, hash-chained audit log (docs/security.md): every moderator and system action on a
 * ticket, written in the same transaction as the action (appendAudit), so the log holds exactly what
 * happened; here it is read and verified.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly dataSource: DataSource) {}

  /** Walks the whole chain page by page; `progress` hears how many entries were checked so far. */
  async verify(progress?: (checked: number) => void): Promise<ChainCheck> {
    let prevHash = GENESIS;
    let checked = 0;
    let after = 0;
    for (;;) {
      const page = await this.dataSource.getRepository(AuditEntry).find({ where: { id: MoreThan(after) }, order: { id: 'ASC' }, take: PAGE });
      if (page.length === 0) return { ok: true, checked, lastHash: prevHash };
      // A gap in the ids is a removed entry: the next one's link no longer matches, which verifyChain names.
      const result = verifyChain(page, prevHash, checked);
      if (!result.ok) return result;
      ({ lastHash: prevHash, checked } = result);
      after = page[page.length - 1].id;
      progress?.(checked);
    }
  }

  /**
   * The newest entries first (the dashboard's audit page), optionally for one ticket, actor or
   * action and from `from` up to (not including) `until`; `beforeId` continues a page (keyset, no OFFSET).
   */
  async recent(filter: AuditQuery, limit = 100, beforeId?: number): Promise<AuditEntry[]> {
    const query = this.dataSource.getRepository(AuditEntry).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(limit);
    if (filter.ticketId) query.andWhere('a.ticket_id = :ticketId', { ticketId: filter.ticketId });
    if (filter.actor) query.andWhere('a.actor = :actor', { actor: filter.actor });
    if (filter.action) query.andWhere('a.action = :action', { action: filter.action });
    // Dates as the column stores them (SQLite keeps UTC text, which compares in order only in its own format).
    const at = this.dataSource.getMetadata(AuditEntry).findColumnWithPropertyName('at')!;
    if (filter.from) query.andWhere('a.at >= :from', { from: this.dataSource.driver.preparePersistentValue(filter.from, at) as unknown });
    if (filter.until) query.andWhere('a.at < :until', { until: this.dataSource.driver.preparePersistentValue(filter.until, at) as unknown });
    if (beforeId) query.andWhere('a.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
