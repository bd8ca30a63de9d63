import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * Every write goes through here. On SQLite TypeORM shares one connection, so two async transactions
 * would nest as savepoints of each other (and one's rollback could undo the other): run them in turn.
 */
@Injectable()
export class Transactions {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    let manager: EntityManager | undefined;
    const withHooks = (em: EntityManager) => {
      manager = em;
      return work(em).then(async (result) => {
        await runBeforeCommit(em);
        return result;
      });
    };
    const committed =
      this.dataSource.options.type !== 'better-sqlite3' ? this.dataSource.transaction(withHooks) : this.tail.then(() => this.dataSource.transaction(withHooks));
    if (this.dataSource.options.type === 'better-sqlite3') this.tail = committed.catch(() => undefined);
    return committed.then(
      (result) => {
        runAfterCommit(manager);
        return result;
      },
      (error: unknown) => {
        if (manager) afterCommit.delete(manager);
        throw error;
      },
    );
  }
}

const afterCommit = new WeakMap<EntityManager, Map<object, () => unknown>>();

/**
 * Runs `hook` (once per `key`) right after the transaction commits, never if it rolls back: the outbox
 * uses it to publish what the transaction wrote at once, so no caller has to remember to.
 */
export function onAfterCommit(em: EntityManager, key: object, hook: () => unknown): void {
  if (!em.queryRunner?.isTransactionActive) throw new Error('this write belongs inside a transaction (Transactions.run)');
  const hooks = afterCommit.get(em) ?? new Map<object, () => unknown>();
  if (!hooks.has(key)) hooks.set(key, hook);
  afterCommit.set(em, hooks);
}

function runAfterCommit(em: EntityManager | undefined): void {
  const hooks = em && afterCommit.get(em);
  if (!hooks) return;
  afterCommit.delete(em);
  // Hooks only start work (a relay pass, a counter): the caller's answer never waits on them.
  for (const hook of hooks.values())
    void Promise.resolve()
      .then(hook)
      .catch(() => undefined);
}

const beforeCommit = new WeakMap<EntityManager, Map<object, () => Promise<void>>>();

/**
 * Runs `hook` (once per `key`) as the transaction's last step before COMMIT (Transactions.run). The
 * audit log uses it to take its lock last: a transaction holding that lock then never waits for a
 * row, so appenders cannot deadlock with row locks taken earlier, and the lock is held briefly.
 */
export function onBeforeCommit(em: EntityManager, key: object, hook: () => Promise<void>): void {
  if (!em.queryRunner?.isTransactionActive) throw new Error('this write belongs inside a transaction (Transactions.run)');
  const hooks = beforeCommit.get(em) ?? new Map<object, () => Promise<void>>();
  if (!hooks.has(key)) hooks.set(key, hook);
  beforeCommit.set(em, hooks);
}

async function runBeforeCommit(em: EntityManager): Promise<void> {
  const hooks = beforeCommit.get(em);
  beforeCommit.delete(em);
  for (const hook of hooks?.values() ?? []) await hook();
}

/**
 * SQLite: start every transaction with BEGIN IMMEDIATE, taking the write lock up front. TypeORM begins
 * with a deferred BEGIN; a transaction that reads and then writes while another process holds the
 * lock (or committed since the read) then fails at once with SQLITE_BUSY, ignoring busy_timeout, so
 * two app processes on one SQLite file (ROLE=web + ROLE=worker) would refuse writes. Taken up front,
 * the lock is waited for (busy_timeout). better-sqlite3 has one query runner per data source, so
 * patching it covers every transaction, migrations included.
 */
export function beginSqliteTransactionsImmediately(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  const runner = dataSource.createQueryRunner();
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) =>
    query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest)) as typeof runner.query;
}

/** A unique index refused the row (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Inserts without TypeORM's reload of generated and default columns (a SELECT per insert):
 * for hot paths whose callers already hold every value they need.
 */
export async function insertRows<T extends object>(
  manager: EntityManager,
  target: new () => T,
  rows: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[],
): Promise<void> {
  await manager.createQueryBuilder().insert().into(target).values(rows).updateEntity(false).execute();
}
