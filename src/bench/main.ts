import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AppConfig, loadConfig } from '../config/app-config.js';
import { type BenchRow, formatRows } from './report.js';

const HELP = `npm run bench [-- --duration SECONDS] [--connections N] [--accounts N] [--claims N] [--timers N] [--timer-spread SECONDS]
                 [--queue-tickets N] [--report-tickets N] [--report-requests N] [--score-tickets N] [--only SECTION[,SECTION…]]

Measures Recovery Desk on this machine, each figure beside a baseline measured in the same run:
  - POST /api/v1/tickets (validation, duplicate check, ticket + timeline + token + outbox in one
    transaction) against a bare endpoint on the same app and server that inserts one row;
  - importing a directory of N accounts (default 10,000) against a bare multi-row SQL insert of
    the same accounts;
  - "work next": N tickets waiting (default 2,000) claimed by 20 concurrent moderators, in claims/s
    and per-claim latency, against BullMQ's bare getNextJob + moveToCompleted on N prioritised jobs;
  - SLA timers: N tickets (default 10,000) whose warnings fall evenly within --timer-spread seconds
    (default 30: 333 a second, far above a real desk's load; 10 makes it 1,000 a second), armed by the
    reconciler and fired by the app's timers worker: lateness p50/p99 against N bare BullMQ delayed
    jobs with the same spread and a worker of the same concurrency (20);
  - the queue page (GET /dashboard, signed in as a moderator through /login): N open tickets (default
    100,000; the time to store them is printed), four views (first page, SLA sort, a filter, a page
    reached by following Next links), each with one connection and then with --connections: p50/p99
    and req/s, against the same SQL statements sent bare through the DataSource (as many at once) and
    a bare endpoint on the same server with the same session cookie;
  - the reports (GET /reports, signed in as ops): N tickets (default 1,000,000) made by the seed:bulk
    generator over the last 365 days (the time to store them is printed); the page for its default range
    (the last 30 days) and for the year, and the year's SLA table as CSV, --report-requests times each
    (default 20) over one connection: p50/p99, against the same SQL statements run bare one after another
    (through better-sqlite3 directly on SQLite) and the bare endpoint; the slowest statements are listed
    with their query plans;
  - the scoring CLI (npm run score): N tickets (default 10,000) against a directory of --accounts accounts,
    the wall time of node dist/cli/score.js (median of 3), with the CLI's own scoring and loading times,
    against a bare node script that reads, parses and echoes the same files (no validation or scoring).
Sections (--only, comma-separated; default all): intake, import, review-queue (claims and timers), queue-page, reports, scoring.
The review queue and the queue page each run on an app with its own database and Redis prefix, so
the tickets the other sections left behind (and their assessment) do not weigh on them.
The database is DATABASE_URL (default: a fresh SQLite file in a temporary folder; on PostgreSQL the
bench works in schemas of its own, bench_<run>_*, dropped at the end); Redis is REDIS_URL, under a
prefix of its own whose keys are removed at the end.
`;

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

/** What is left to undo should the bench stop half-way: close the open apps, remove the run's data. */
let undo: (() => Promise<void>) | null = null;

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

const SECTIONS = ['intake', 'import', 'review-queue', 'queue-page', 'reports', 'scoring'] as const;
type Section = (typeof SECTIONS)[number];

function sections(): Set<Section> {
  const at = process.argv.indexOf('--only');
  if (at < 0) return new Set(SECTIONS);
  const names = (process.argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length) throw new Error(`--only takes sections among ${SECTIONS.join(', ')}`);
  return new Set(names as Section[]);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const duration = arg('duration', 10);
  const connections = arg('connections', 10);
  const accountCount = arg('accounts', 10_000);
  const claimCount = Math.ceil(arg('claims', 2_000));
  const timerCount = Math.ceil(arg('timers', 10_000));
  const timerSpreadMs = Math.ceil(arg('timer-spread', 30) * 1000);
  const queueTickets = Math.ceil(arg('queue-tickets', 100_000));
  const reportTickets = Math.ceil(arg('report-tickets', 1_000_000));
  const reportRequests = Math.ceil(arg('report-requests', 20));
  const scoreTickets = Math.ceil(arg('score-tickets', 10_000));
  // The deepest view is page 21 (20 Next links at 50 rows): a smaller backlog has no such page.
  if (queueTickets <= 1_000 && sections().has('queue-page')) {
    process.stderr.write('--queue-tickets must be more than 1,000 (the queue page section reads page 21 of 50 rows each)\n');
    process.exitCode = 2;
    return;
  }
  const only = sections();
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-'));
  const runId = randomUUID().slice(0, 8);
  const postgresUrl = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
  /** Each app of the bench has a database (SQLite file or PostgreSQL schema) and a Redis prefix of its own. */
  const envFor = (part: string, extra: Record<string, string> = {}) => ({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'false',
    INTAKE_RATE_LIMIT: '0',
    INTAKE_USERNAME_RATE_LIMIT: '0',
    DATABASE_URL: postgresUrl ?? `sqlite:${join(dir, `${part}.sqlite`)}`,
    DATABASE_SCHEMA: `bench_${runId}_${part}`,
    MAIL_DIR: join(dir, 'mail'),
    REDIS_PREFIX: `bench-${runId}-${part}`,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123',
    ...extra,
  });
  const env = envFor('http');
  process.env.DATABASE_URL = env.DATABASE_URL; // entities read it when imported, below
  const config = loadConfig(env);
  const { createApp } = await import('../app.factory.js');
  const { DataSource } = await import('typeorm');
  const schemas: string[] = [];
  const open = new Set<INestApplication>();
  const boot = async (appConfig: AppConfig) => {
    if (appConfig.database.type === 'postgres') schemas.push(appConfig.database.schema ?? 'public');
    const booted = await createApp(appConfig);
    open.add(booted);
    return booted;
  };
  const close = async (booted: INestApplication) => {
    open.delete(booted);
    await booted.close();
  };
  undo = async () => {
    const { closeBareClients } = await import('./review-queue.bench.js');
    await closeBareClients();
    for (const booted of open) await booted.close().catch(() => undefined);
    await cleanUp(config, schemas, dir);
  };
  const sqlite = config.database.type === 'sqlite';
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const database = sqlite ? 'SQLite (WAL)' : 'PostgreSQL';
  process.stderr.write(`Bench on ${database}, ${connections} connections, ${duration} s per run; sections: ${[...only].join(', ')}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  // The load generator runs in its own process, on the other core, not in the server's event loop.
  const load = (target: string, seconds = duration, get?: { cookie: string; connections?: number; amount?: number }): Promise<LoadResult> =>
    new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [
          join(dirname(fileURLToPath(import.meta.url)), 'load.js'),
          target,
          String(get?.connections ?? connections),
          String(seconds),
          ...(get ? ['GET', ...(get.amount ? [String(get.amount)] : [])] : []),
        ],
        { maxBuffer: 1 << 20, env: { ...process.env, BENCH_COOKIE: get?.cookie ?? '' } },
        (error, stdout) => (error ? reject(new Error(`load generator: ${error.message}`, { cause: error })) : resolve(JSON.parse(stdout) as LoadResult)),
      );
    });
  const listen = async (booted: INestApplication) => {
    await booted.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${((booted.getHttpServer() as Server).address() as AddressInfo).port}`;
  };

  if (only.has('intake') || only.has('import')) {
    const app = await boot(config);
    const dataSource = app.get(DataSource);
    const time = sqlite ? 'datetime' : 'timestamptz';
    const param = (i: number) => (sqlite ? '?' : `$${i}`);
    // better-sqlite3 binds no Date objects: pass text, as TypeORM does for its own columns.
    const stamp = (date: Date) => (sqlite ? date.toISOString().replace('T', ' ').replace('Z', '') : date);
    if (only.has('intake')) {
      await dataSource.query(`CREATE TABLE IF NOT EXISTS bench_bare (id varchar(36) PRIMARY KEY, body text NOT NULL, created_at ${time} NOT NULL)`);
      // The baseline: same server, same hooks and security headers, one insert, no validation or logic.
      const fastify = app.getHttpAdapter().getInstance();
      fastify.post('/__bench/bare', async (request) => {
        await dataSource.query(`INSERT INTO bench_bare (id, body, created_at) VALUES (${param(1)}, ${param(2)}, ${param(3)})`, [
          randomUUID(),
          JSON.stringify(request.body),
          stamp(new Date()),
        ]);
        return { ok: true };
      });
    }
    const url = await listen(app);
    if (only.has('intake')) {
      const run = (path: string, seconds = duration) => load(`${url}${path}`, seconds);
      await run('/__bench/bare', 2); // warm-up
      process.stderr.write('  bare insert endpoint…\n');
      const bare = await run('/__bench/bare');
      process.stderr.write('  intake API…\n');
      const intake = await run('/api/v1/tickets');
      if (bare.bad > 0) throw new Error(`the bare endpoint failed ${bare.bad} requests`);
      rows.push({
        what: 'POST /api/v1/tickets',
        figure: intake.rps,
        baseline: bare.rps,
        baselineName: 'bare insert endpoint',
        unit: 'req/s',
        higherIsBetter: true,
        extra: `p50 ${intake.p50} ms, p99 ${intake.p99} ms (bare: p50 ${bare.p50}, p99 ${bare.p99}); ${intake.bad} non-2xx/errors`,
      });
      await dataSource.query('DROP TABLE bench_bare');
    }

    if (only.has('import')) {
      process.stderr.write(`  directory import of ${accountCount.toLocaleString('en-US')} accounts…\n`);
      const { generateDirectory } = await import('../directory/demo-directory.js');
      const { parseDirectoryFile } = await import('../directory/directory-file.js');
      const { DirectoryService } = await import('../directory/directory.service.js');
      const text = JSON.stringify(generateDirectory(accountCount, 7));
      let started = performance.now();
      const parsed = parseDirectoryFile(text);
      if (!parsed.ok) throw new Error('generated directory did not validate');
      await app.get(DirectoryService).importAccounts(parsed.accounts, parsed.fingerprints);
      const importSeconds = (performance.now() - started) / 1000;
      // Baseline: the same account rows (no e-mails or projects, no validation) in one multi-row insert per 400.
      await dataSource.query(
        `CREATE TABLE IF NOT EXISTS bench_accounts (id varchar(36) PRIMARY KEY, username varchar(50), name varchar(200), joined_at ${time})`,
      );
      started = performance.now();
      await dataSource.transaction(async (em) => {
        for (let i = 0; i < parsed.accounts.length; i += 400) {
          const part = parsed.accounts.slice(i, i + 400);
          const values = part.map((_, j) => `(${param(j * 4 + 1)}, ${param(j * 4 + 2)}, ${param(j * 4 + 3)}, ${param(j * 4 + 4)})`).join(', ');
          await em.query(
            `INSERT INTO bench_accounts (id, username, name, joined_at) VALUES ${values}`,
            part.flatMap((a) => [randomUUID(), a.username, a.name, stamp(new Date(a.joined_at))]),
          );
        }
      });
      const bareSeconds = (performance.now() - started) / 1000;
      rows.push({
        what: `import-directory, ${accountCount.toLocaleString('en-US')} accounts (parse, validate, upsert with e-mails and projects)`,
        figure: importSeconds,
        baseline: bareSeconds,
        baselineName: 'bare SQL insert of the account rows',
        unit: 's',
        higherIsBetter: false,
        extra: `${Math.round(accountCount / importSeconds).toLocaleString('en-US')} accounts/s; aim < 10 s`,
      });
      await dataSource.query('DROP TABLE bench_accounts');
    }
    await close(app);
  }

  if (only.has('review-queue')) {
    // The review queue, on an app of its own: the intake run left thousands of tickets being assessed.
    const policyFile = join(dir, 'sla-policy.json');
    const bench = await import('./review-queue.bench.js');
    writeFileSync(policyFile, JSON.stringify(bench.BENCH_SLA_POLICY));
    // The bench calls the reconciler itself; a periodic sweep in the middle of a measure would only add noise.
    const queueConfig = loadConfig(envFor('queue', { SLA_POLICY_FILE: policyFile, RECONCILE_INTERVAL: '1h' }));
    process.stderr.write('  review queue app…\n');
    const queueApp = await boot(queueConfig);
    await queueApp.init(); // workers, relay and reconciler start on init (the HTTP app's listen() does it)
    const claims = await bench.benchClaims(queueApp, queueConfig, claimCount, log);
    rows.push(claims.row);
    rows.push(await bench.benchTimers(queueApp, queueConfig, timerCount, claims.armMsPerTicket, log, timerSpreadMs));
    await close(queueApp);
  }

  if (only.has('queue-page')) {
    // The queue page, on a web-only app of its own (ROLE=web, as a web process serves it): no workers or
    // reconciler, so nothing arms timers for the backlog or sweeps it while the page is measured.
    const { benchQueuePage } = await import('./queue-page.bench.js');
    const policyFile = join(dir, 'sla-policy-page.json');
    const { BENCH_SLA_POLICY } = await import('./review-queue.bench.js');
    writeFileSync(policyFile, JSON.stringify(BENCH_SLA_POLICY));
    process.stderr.write('  queue page app…\n');
    const pageApp = await boot(loadConfig(envFor('page', { SLA_POLICY_FILE: policyFile, ROLE: 'web' })));
    // The bare endpoint: same server, hooks, session (the same cookie is sent), no guard, SQL or template.
    pageApp
      .getHttpAdapter()
      .getInstance()
      .get('/__bench/bare-page', async (_request, reply) => {
        void reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8');
        return '<!doctype html><title>bare</title><p>bare</p>';
      });
    const pageUrl = await listen(pageApp);
    const runGet = (path: string, cookie: string, at = connections) => load(`${pageUrl}${path}`, duration, { cookie, connections: at });
    const page = await benchQueuePage(pageApp, {
      baseUrl: pageUrl,
      tickets: queueTickets,
      connections,
      duration,
      log,
      bare: async (cookie) => {
        await load(`${pageUrl}/__bench/bare-page`, 2, { cookie }); // warm-up
        log('  queue page: bare endpoint…');
        const bare = await runGet('/__bench/bare-page', cookie);
        if (bare.bad > 0) throw new Error(`the bare page endpoint failed ${bare.bad} requests`);
        return bare;
      },
      runGet,
    });
    rows.push(...page.rows);
    notes.push(
      `Queue page backlog: ${queueTickets.toLocaleString('en-US')} open tickets stored in ${page.seedSeconds.toFixed(1)} s ` +
        `(${Math.round(queueTickets / page.seedSeconds).toLocaleString('en-US')} tickets/s).`,
    );
    await close(pageApp);
  }

  if (only.has('reports')) {
    // The reports, on a web-only app of its own over a database seeded first (no workers, so no timers or
    // reconciler sweep over the open tickets while the page is measured).
    const { benchReports, seedReportTickets } = await import('./reports.bench.js');
    const reportConfig = loadConfig(envFor('reports', { ROLE: 'web' }));
    if (reportConfig.database.type === 'postgres') schemas.push(reportConfig.database.schema ?? 'public');
    process.stderr.write(`  reports: seeding ${reportTickets.toLocaleString('en-US')} tickets over the last 365 days…\n`);
    const seeded = await seedReportTickets(reportConfig, reportTickets, log);
    const reportApp = await boot(reportConfig);
    reportApp
      .getHttpAdapter()
      .getInstance()
      .get('/__bench/bare-page', async (_request, reply) => {
        void reply.header('Cache-Control', 'no-store').type('text/html; charset=utf-8');
        return '<!doctype html><title>bare</title><p>bare</p>';
      });
    const reportUrl = await listen(reportApp);
    const report = await benchReports(reportApp, {
      baseUrl: reportUrl,
      tickets: reportTickets,
      requests: reportRequests,
      log,
      runGet: (path, cookie, amount) => load(`${reportUrl}${path}`, duration, { cookie, connections: 1, amount }),
      bare: async (cookie) => {
        await load(`${reportUrl}/__bench/bare-page`, 2, { cookie, connections: 1 }); // warm-up
        const bare = await load(`${reportUrl}/__bench/bare-page`, duration, { cookie, connections: 1 });
        if (bare.bad > 0) throw new Error(`the bare page endpoint failed ${bare.bad} requests`);
        return bare;
      },
    });
    rows.push(...report.rows);
    notes.push(
      `Reports: ${seeded.tickets.toLocaleString('en-US')} tickets (${seeded.open.toLocaleString('en-US')} open), ` +
        `${seeded.events.toLocaleString('en-US')} timeline events and ${seeded.cycles.toLocaleString('en-US')} earlier cycles seeded in ` +
        `${seeded.seconds.toFixed(1)} s (${Math.round(seeded.tickets / seeded.seconds).toLocaleString('en-US')} tickets/s).`,
      ...report.notes,
    );
    await close(reportApp);
  }

  if (only.has('scoring')) {
    // No app: the CLI runs without a server, database or Redis.
    const { benchScoring } = await import('./scoring.bench.js');
    process.stderr.write(`  scoring CLI: ${scoreTickets.toLocaleString('en-US')} tickets…\n`);
    rows.push(await benchScoring(dir, scoreTickets, accountCount, log));
  }

  undo = null;
  await cleanUp(config, schemas, dir);
  const counts = [
    only.has('review-queue') ? `${claimCount.toLocaleString('en-US')} claims, ${timerCount.toLocaleString('en-US')} timers` : '',
    only.has('queue-page') ? `${queueTickets.toLocaleString('en-US')} open tickets on the queue page` : '',
    only.has('reports') ? `${reportTickets.toLocaleString('en-US')} tickets in the reports` : '',
    only.has('scoring') ? `${scoreTickets.toLocaleString('en-US')} tickets scored` : '',
  ]
    .filter(Boolean)
    .join(', ');
  process.stdout.write(
    `\nRecovery Desk bench (${database}, ${new Date().toISOString().slice(0, 10)}, ${connections} connections, ${duration} s` +
      `${counts ? `; ${counts}` : ''})\n\n${formatRows(rows)}\n${notes.map((n) => `\n${n}\n`).join('')}`,
  );
}

/** Drops the bench's PostgreSQL schemas, removes its Redis keys and its temporary folder. */
async function cleanUp(config: AppConfig, schemas: string[], dir: string): Promise<void> {
  const { removeRedisKeys } = await import('./review-queue.bench.js');
  const prefix = config.redis.prefix.slice(0, config.redis.prefix.lastIndexOf('-'));
  const removed = await removeRedisKeys(config.redis.url, `${prefix}-*`);
  process.stderr.write(`  cleaned up: ${removed.toLocaleString('en-US')} Redis keys under ${prefix}-*`);
  if (config.database.type === 'postgres' && schemas.length) {
    const { DataSource } = await import('typeorm');
    const admin = await new DataSource({ type: 'postgres', url: config.database.url }).initialize();
    try {
      for (const schema of schemas) {
        if (schema.startsWith('bench_')) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    } finally {
      await admin.destroy();
    }
    process.stderr.write(`, schemas ${schemas.join(', ')}`);
  }
  process.stderr.write('\n');
  rmSync(dir, { recursive: true, force: true });
}

// Ctrl-C half-way: the apps, PostgreSQL schemas and Redis keys of the run are removed all the same.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: cleaning up…\n');
  void (undo?.() ?? Promise.resolve()).catch((e: unknown) => console.error('clean-up failed:', e)).finally(() => process.exit(130));
});

void main().catch(async (error: unknown) => {
  console.error(error);
  await undo?.().catch((e: unknown) => console.error('clean-up failed:', e));
  process.exit(1);
});
