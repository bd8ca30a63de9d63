// Writes generated ticket histories (ticket-history.ts: tickets, timelines, earlier cycles, recoveries) in bulk: on SQLite through better-sqlite3 prepared
// statements in large transactions, on PostgreSQL as multi-row INSERTs, bypassing entity saves. Every
// value goes through TypeORM's own driver conversion (preparePersistentValue), so the stored text, 0/1
// and JSON are exactly what the app's saves write. The histories are generated in a worker thread
// (history-worker.ts) while the last batch is written. Import only after DATABASE_URL is settled (entities).
import type BetterSqlite3 from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import type { DataSource, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { Ticket, TicketCycle, TicketEvent } from '../tickets/ticket.entity.js';
import { isOpen } from '../tickets/ticket-state.js';
import type { TicketHistory } from './ticket-history.js';
import {
  type BulkSeedOptions, type HistoryWorkerData, plainRules, SEED_REFERENCE_PREFIX, SEED_REFERENCES, type SeedRules, seedReference, seedSerialOf,
} from './seed-histories.js';

export {
  bulkHistories, type BulkSeedOptions, historyRulesFor, SEED_REFERENCE_PREFIX, seedIdentity, seedReference, seedSerialOf,
} from './seed-histories.js';
/** Tickets per transaction. */
const TRANSACTION_TICKETS = 5_000;
/** PostgreSQL binds at most 65,535 parameters per statement. */
const PG_MAX_PARAMETERS = 60_000;


export interface SeedProgress {
  tickets: number;
  total: number;
  events: number;
  seconds: number;
}

export interface SeedSummary {
  tickets: number;
  open: number;
  events: number;
  cycles: number;
  recoveries: number;
  seconds: number;
  firstReference: string | null;
}

/** One table's insert: its columns (TypeORM metadata, generated ones left out) and each row's values, converted. */
class TableWriter {
  readonly columns: ColumnMetadata[];

  constructor(private readonly dataSource: DataSource, target: new () => object) {
    this.columns = dataSource.getMetadata(target).columns.filter((c) => !c.isGenerated);
  }

  get names(): string {
    return this.columns.map((c) => `"${c.databaseName}"`).join(', ');
  }

  values(row: object, into: unknown[]): void {
    for (const column of this.columns) {
      into.push(this.dataSource.driver.preparePersistentValue((row as Record<string, unknown>)[column.propertyName], column) ?? null);
    }
  }
}

/** Writes batches of histories in one transaction each. */
interface BatchWriter {
  write(batch: TicketHistory[]): Promise<void>;
  finish(): Promise<void>;
}

function sqliteWriter(dataSource: DataSource): BatchWriter {
  const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3.Database }).databaseConnection;
  // For this connection only: a bigger page cache for the indexes, and no fsync at checkpoints (a made-up
  // database being filled; a power cut half-way means seeding again).
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('cache_size = -262144');
  db.pragma('synchronous = OFF');
  const tables = [Ticket, TicketEvent, TicketCycle, Recovery].map((entity) => new TableWriter(dataSource, entity));
  const [tickets, events, cycles, recoveries] = tables.map((t, i) => db.prepare(
    `INSERT INTO ${['tickets', 'ticket_events', 'ticket_cycles', 'recoveries'][i]} (${t.names}) VALUES (${t.columns.map(() => '?').join(', ')})`));
  const values: unknown[] = [];
  const run = (statement: BetterSqlite3.Statement, table: TableWriter, row: object) => {
    values.length = 0;
    table.values(row, values);
    statement.run(values);
  };
  const insert = db.transaction((batch: TicketHistory[]) => {
    for (const h of batch) {
      run(tickets, tables[0], h.ticket);
      for (const e of h.events) run(events, tables[1], e);
      for (const c of h.cycles) run(cycles, tables[2], c);
      for (const r of h.recoveries) run(recoveries, tables[3], r);
    }
  });
  return {
    write: async (batch) => insert(batch),
    finish: async () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma(`synchronous = ${synchronous}`);
    },
  };
}

async function postgresWriter(dataSource: DataSource): Promise<BatchWriter> {
  const runner: QueryRunner = dataSource.createQueryRunner();
  await runner.connect();
  const tables = {
    tickets: new TableWriter(dataSource, Ticket), ticket_events: new TableWriter(dataSource, TicketEvent),
    ticket_cycles: new TableWriter(dataSource, TicketCycle), recoveries: new TableWriter(dataSource, Recovery),
  };
  const insertAll = async (name: keyof typeof tables, rows: object[]) => {
    const table = tables[name];
    const width = table.columns.length;
    const perStatement = Math.floor(PG_MAX_PARAMETERS / width);
    for (let i = 0; i < rows.length; i += perStatement) {
      const part = rows.slice(i, i + perStatement);
      const params: unknown[] = [];
      const tuples = part.map((row, r) => {
        table.values(row, params);
        return `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`;
      });
      await runner.query(`INSERT INTO ${name} (${table.names}) VALUES ${tuples.join(', ')}`, params);
    }
  };
  return {
    write: async (batch) => {
      await runner.startTransaction();
      try {
        await insertAll('tickets', batch.map((h) => h.ticket));
        await insertAll('ticket_events', batch.flatMap((h) => h.events));
        await insertAll('ticket_cycles', batch.flatMap((h) => h.cycles));
        await insertAll('recoveries', batch.flatMap((h) => h.recoveries));
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    },
    finish: async () => {
      try {
        // What autovacuum would do soon after a bulk load: planner statistics and the visibility map.
        for (const table of Object.keys(tables)) await runner.query(`VACUUM ANALYZE ${table}`);
      } finally {
        await runner.release();
      }
    },
  };
}

/**
 * The run's histories in batches of `batch`, generated in a worker thread (history-worker.ts) one batch
 * ahead of the caller: on two cores the generating and the writing overlap. Ends the thread when done.
 */
async function* generatedBatches(options: BulkSeedOptions, rules: SeedRules, firstSerial: number, batch: number): AsyncGenerator<TicketHistory[]> {
  const workerData: HistoryWorkerData = { options, rules: plainRules(rules), firstSerial, batch };
  const worker = new Worker(new URL('./history-worker.js', import.meta.url), { workerData });
  let waiting: { resolve: (batch: TicketHistory[]) => void; reject: (error: unknown) => void } | null = null;
  let failure: unknown = null;
  const fail = (error: unknown) => {
    failure ??= error;
    waiting?.reject(error);
    waiting = null;
  };
  worker.on('message', (histories: TicketHistory[]) => {
    waiting?.resolve(histories);
    waiting = null;
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the history worker stopped (exit code ${code})`)));
  const request = (): Promise<TicketHistory[]> => {
    if (failure) return Promise.reject(failure);
    const reply = new Promise<TicketHistory[]>((resolve, reject) => { waiting = { resolve, reject }; });
    worker.postMessage('next');
    return reply;
  };
  let next: Promise<TicketHistory[]> | null = request();
  try {
    for (;;) {
      const histories: TicketHistory[] = await next;
      next = null;
      if (histories.length === 0) return;
      next = request();
      yield histories;
    }
  } finally {
    // A batch still asked for when the writing stopped is not wanted any more.
    next?.catch(() => undefined);
    await worker.terminate();
  }
}

/** The first seeded serial not yet taken in this database. */
async function nextSerial(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query(`SELECT MAX(reference) AS last FROM tickets WHERE reference LIKE '${SEED_REFERENCE_PREFIX}%'`) as Array<{ last: string | null }>;
  const last = row?.last ? seedSerialOf(row.last) : null;
  return last === null ? 0 : last + 1;
}

/**
 * Generates `o.count` tickets with their timelines, earlier cycles and recoveries into the (migrated) database,
 * `TRANSACTION_TICKETS` per transaction; `progress` is called after each transaction.
 */
export async function seedBulk(dataSource: DataSource, rules: SeedRules, o: BulkSeedOptions, progress?: (p: SeedProgress) => void): Promise<SeedSummary> {
  const started = performance.now();
  const firstSerial = await nextSerial(dataSource);
  if (firstSerial + o.count > SEED_REFERENCES) {
    throw new RangeError(`${firstSerial} seeded references are taken and ${SEED_REFERENCES} exist: no room for ${o.count} more`);
  }
  const writer = dataSource.options.type === 'postgres' ? await postgresWriter(dataSource) : sqliteWriter(dataSource);
  const summary: SeedSummary = { tickets: 0, open: 0, events: 0, cycles: 0, recoveries: 0, seconds: 0, firstReference: o.count > 0 ? seedReference(firstSerial) : null };
  const flush = async (batch: TicketHistory[]) => {
    await writer.write(batch);
    for (const h of batch) {
      summary.tickets += 1;
      summary.events += h.events.length;
      summary.cycles += h.cycles.length;
      summary.recoveries += h.recoveries.length;
      if (isOpen(h.ticket.state)) summary.open += 1;
    }
    progress?.({ tickets: summary.tickets, total: o.count, events: summary.events, seconds: (performance.now() - started) / 1000 });
  };
  for await (const batch of generatedBatches(o, rules, firstSerial, TRANSACTION_TICKETS)) await flush(batch);
  await writer.finish();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
