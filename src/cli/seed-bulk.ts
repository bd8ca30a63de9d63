import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { parseSeedArgs, SEED_HELP, SEED_USAGE } from '../seed/seed-args.js';

const count = (n: number) => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

async function main(): Promise<void> {
  const args = parseSeedArgs(process.argv.slice(2));
  if (args.kind === 'help') {
    process.stdout.write(SEED_HELP);
    return;
  }
  if (args.kind === 'bad') {
    process.stderr.write(`seed:bulk: ${args.message}\n${SEED_USAGE}\n(npm run seed:bulk -- --help says more)\n`);
    process.exitCode = 2;
    return;
  }
  // Entities read DATABASE_URL when first imported: settle it, then load them.
  if (args.databaseUrl) process.env.DATABASE_URL = args.databaseUrl;
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`seed:bulk: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const { DataSource } = await import('typeorm');
  const { appDataSourceOptions } = await import('../entities.js');
  const { runMigrations } = await import('../database/migrate.js');
  const { beginSqliteTransactionsImmediately } = await import('../database/transactions.js');
  const { historyRulesFor, seedBulk } = await import('../seed/bulk-seeder.js');
  const rules = historyRulesFor(config);
  const where = config.database.type === 'sqlite' ? `sqlite:${config.database.path}` : `PostgreSQL (schema ${config.database.schema ?? 'public'})`;
  const dataSource = await new DataSource(appDataSourceOptions(config.database)).initialize();
  try {
    beginSqliteTransactionsImmediately(dataSource);
    await runMigrations(dataSource);
    const now = args.now ?? new Date();
    process.stderr.write(`seeding ${count(args.count)} tickets over the ${args.days} days before ${now.toISOString()} (seed ${args.seed}) into ${where}\n`);
    let next = 0.05;
    const summary = await seedBulk(dataSource, rules, { count: args.count, seed: args.seed, days: args.days, now }, (p) => {
      if (p.tickets / p.total < next && p.tickets < p.total) return;
      while (next <= p.tickets / p.total) next += 0.05;
      const rate = p.tickets / p.seconds;
      process.stderr.write(
        `  ${count(p.tickets)} / ${count(p.total)} tickets (${Math.round((100 * p.tickets) / p.total)} %), ${count(p.events)} events, ` +
          `${count(Math.round(rate))} tickets/s, ETA ${duration((p.total - p.tickets) / rate)}\n`,
      );
    });
    process.stdout.write(
      `Seeded ${count(summary.tickets)} tickets (${count(summary.open)} open), ${count(summary.events)} events and ` +
        `${count(summary.cycles)} earlier cycles in ${summary.seconds.toFixed(1)} s (${count(Math.round(summary.tickets / summary.seconds))} tickets/s); ` +
        `references from ${summary.firstReference}.\n`,
    );
  } finally {
    await dataSource.destroy();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`seed:bulk failed: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
