// Writes generated ticket histories (ticket-history.ts: tickets, timelines, earlier cycles, recoveries) in bulk: on SQLite through better-sqlite3 prepared
// statements in large transactions, on PostgreSQL as multi-row INSERTs, bypassing entity saves. Every
// value goes through TypeORM's own driver conversion (preparePersistentValue), so the stored text, 0/1
// and JSON are exactly what the app's saves write. Import only after DATABASE_URL is settled (entities).
import type BetterSqlite3 from 'better-sqlite3';
import { resolve } from 'node:path';
import type { DataSource, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { PROJECT_ROOT } from '../common/paths.js';
import { seededRandom } from '../common/random.js';
import type { AppConfig } from '../config/app-config.js';
import { CODE_OF_CONDUCT } from '../intake/code-of-conduct.js';
import { Recovery } from '../tickets/recovery.entity.js';
import { Ticket, TicketCycle, TicketEvent } from '../tickets/ticket.entity.js';
import { isOpen } from '../tickets/ticket-state.js';
import { arrivalTimes } from './arrivals.js';
import { type HistoryRules, type TicketHistory, type TicketIdentity, ticketHistory } from './ticket-history.js';
import { loadSlaPolicyFile, workflowPolicy } from '../tickets/workflow-policy.provider.js';
import { DEFAULT_SCORING_CONFIG } from '../scoring/scoring.config.js';

const DAY = 86_400_000;
/** Tickets per transaction. */
const TRANSACTION_TICKETS = 5_000;
/** PostgreSQL binds at most 65,535 parameters per statement. */
const PG_MAX_PARAMETERS = 60_000;

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 30^5: the references `RD-0xxxxx` can tell this many tickets apart. */
const SEED_REFERENCES = REFERENCE_ALPHABET.length ** 5;
/**
 * Seeded references are `RD-0` and five characters of the app's alphabet: they match REFERENCE_PATTERN,
 * and the app's own generator (newReference) never writes a 0, so the two can never collide.
 */
export const SEED_REFERENCE_PREFIX = 'RD-0';

export function seedReference(serial: number): string {
  if (!Number.isInteger(serial) || serial < 0 || serial >= SEED_REFERENCES) throw new RangeError(`no seeded reference for serial ${serial}`);
  let n = serial;
  let code = '';
  for (let i = 0; i < 5; i++) {
    code = REFERENCE_ALPHABET[n % REFERENCE_ALPHABET.length] + code;
    n = Math.floor(n / REFERENCE_ALPHABET.length);
  }
  return SEED_REFERENCE_PREFIX + code;
}

/** The serial of a seeded reference, or null for any other reference. */
export function seedSerialOf(reference: string): number | null {
  if (!/^RD-0[2-9A-HJKMNP-TV-Z]{5}$/.test(reference)) return null;
  let n = 0;
  for (const c of reference.slice(SEED_REFERENCE_PREFIX.length)) n = n * REFERENCE_ALPHABET.length + REFERENCE_ALPHABET.indexOf(c);
  return n;
}

const USERNAME_STEMS = ['maintainer', 'pkgdev', 'pyhacker', 'datasci', 'webdev', 'ops', 'tooling', 'libauthor'];
const MAIL_DOMAINS = ['example.org', 'example.net', 'example.com'];

const hex = (n: number, digits: number) => (n >>> 0).toString(16).padStart(digits, '0').slice(-digits);

/**
 * A UUID of version 7 (RFC 9562: the arrival's Unix milliseconds first, then random bits from the ticket's
 * PRNG), its last eight digits the serial, so it is unique across runs. The app makes version 4 ids; ids
 * that grow with time let the bulk insert append to the id and timeline indexes instead of splitting
 * pages all over them (about 15 % less work on SQLite), and nothing reads meaning into an id.
 */
function seedId(random: () => number, serial: number, createdAt: number): string {
  const b = (random() * 2 ** 32) >>> 0;
  const c = (random() * 2 ** 32) >>> 0;
  return `${hex(Math.floor(createdAt / 0x10000), 8)}-${hex(createdAt % 0x10000, 4)}-7${hex(b, 3)}-${hex(0x8000 | ((c >>> 16) & 0x3fff), 4)}-${hex(c, 4)}${hex(serial, 8)}`;
}

/** A ticket's own PRNG: a function of the run's seed and the ticket's place in the run only. */
function ticketRandom(seed: number, index: number): () => number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return seededRandom((h ^ (h >>> 16)) >>> 0);
}

export function seedIdentity(random: () => number, serial: number, createdAt: number): TicketIdentity {
  const reference = seedReference(serial);
  const username = `${USERNAME_STEMS[Math.floor(random() * USERNAME_STEMS.length)]}-${reference.slice(3).toLowerCase()}`;
  return {
    id: seedId(random, serial, createdAt),
    reference,
    username,
    contactEmail: `${username}@${MAIL_DOMAINS[Math.floor(random() * MAIL_DOMAINS.length)]}`,
  };
}

export interface BulkSeedOptions {
  count: number;
  seed: number;
  /** Arrivals spread over this many days, ending at `now`. */
  days: number;
  now: Date;
}

/**
 * The histories of a run, oldest arrival first. `firstSerial` is the first free seeded reference (a second
 * run into the same database continues after the first); the content depends on seed, count, days and now only.
 */
export function* bulkHistories(o: BulkSeedOptions, rules: HistoryRules, firstSerial = 0): Generator<TicketHistory> {
  const end = o.now.getTime();
  const arrivals = arrivalTimes(o.count, end - o.days * DAY, end, seededRandom(o.seed));
  let index = 0;
  for (const createdAt of arrivals) {
    const random = ticketRandom(o.seed, index);
    yield ticketHistory(random, seedIdentity(random, firstSerial + index, createdAt), createdAt, end, rules);
    index++;
  }
}

/**
 * What the app's configuration says about a ticket's life: the workflow policy the app boots with (the
 * SLA policy file, leases, reset links), the cooling-off periods and the closing of unanswered tickets.
 */
export function historyRulesFor(config: AppConfig): HistoryRules {
  const sla = loadSlaPolicyFile(resolve(PROJECT_ROOT, config.sla.policyFile));
  return {
    ...workflowPolicy(config, sla),
    coolingOffMs: config.resets.coolingOffMs,
    coolingOffLongMs: config.resets.coolingOffLongMs,
    closeUnansweredMs: config.review.closeUnansweredMs,
    ruleVersion: DEFAULT_SCORING_CONFIG.ruleVersion,
    codeOfConductVersion: CODE_OF_CONDUCT.version,
  };
}

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

  constructor(
    private readonly dataSource: DataSource,
    target: new () => object,
  ) {
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
  const [tickets, events, cycles, recoveries] = tables.map((t, i) =>
    db.prepare(`INSERT INTO ${['tickets', 'ticket_events', 'ticket_cycles', 'recoveries'][i]} (${t.names}) VALUES (${t.columns.map(() => '?').join(', ')})`),
  );
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
    tickets: new TableWriter(dataSource, Ticket),
    ticket_events: new TableWriter(dataSource, TicketEvent),
    ticket_cycles: new TableWriter(dataSource, TicketCycle),
    recoveries: new TableWriter(dataSource, Recovery),
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
        await insertAll(
          'tickets',
          batch.map((h) => h.ticket),
        );
        await insertAll(
          'ticket_events',
          batch.flatMap((h) => h.events),
        );
        await insertAll(
          'ticket_cycles',
          batch.flatMap((h) => h.cycles),
        );
        await insertAll(
          'recoveries',
          batch.flatMap((h) => h.recoveries),
        );
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

/** The first seeded serial not yet taken in this database. */
async function nextSerial(dataSource: DataSource): Promise<number> {
  const [row] = (await dataSource.query(`SELECT MAX(reference) AS last FROM tickets WHERE reference LIKE '${SEED_REFERENCE_PREFIX}%'`)) as Array<{
    last: string | null;
  }>;
  const last = row?.last ? seedSerialOf(row.last) : null;
  return last === null ? 0 : last + 1;
}

/**
 * Generates `o.count` tickets with their timelines, earlier cycles and recoveries into the (migrated) database,
 * `TRANSACTION_TICKETS` per transaction; `progress` is called after each transaction.
 */
export async function seedBulk(dataSource: DataSource, rules: HistoryRules, o: BulkSeedOptions, progress?: (p: SeedProgress) => void): Promise<SeedSummary> {
  const started = performance.now();
  const firstSerial = await nextSerial(dataSource);
  if (firstSerial + o.count > SEED_REFERENCES) {
    throw new RangeError(`${firstSerial} seeded references are taken and ${SEED_REFERENCES} exist: no room for ${o.count} more`);
  }
  const writer = dataSource.options.type === 'postgres' ? await postgresWriter(dataSource) : sqliteWriter(dataSource);
  const summary: SeedSummary = {
    tickets: 0,
    open: 0,
    events: 0,
    cycles: 0,
    recoveries: 0,
    seconds: 0,
    firstReference: o.count > 0 ? seedReference(firstSerial) : null,
  };
  let batch: TicketHistory[] = [];
  const flush = async () => {
    await writer.write(batch);
    for (const h of batch) {
      summary.tickets += 1;
      summary.events += h.events.length;
      summary.cycles += h.cycles.length;
      summary.recoveries += h.recoveries.length;
      if (isOpen(h.ticket.state)) summary.open += 1;
    }
    batch = [];
    progress?.({ tickets: summary.tickets, total: o.count, events: summary.events, seconds: (performance.now() - started) / 1000 });
  };
  for (const history of bulkHistories(o, rules, firstSerial)) {
    batch.push(history);
    if (batch.length === TRANSACTION_TICKETS) await flush();
  }
  if (batch.length) await flush();
  await writer.finish();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
