import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import { appDataSourceOptions } from '../../src/entities.js';
import { EVENTUALLY_MS, expectEventually } from '../support/test-app.js';

/**
 * The real server processes of the fault suite (docs/operations.md, "Fault suite"): `node dist/main.js` as
 * `npm start` runs it, killed with SIGKILL where a test says and started again on the same database.
 */

const MAIN = join(process.cwd(), 'dist/main.js');
const CLI = join(process.cwd(), 'dist/cli/main.js');

export type Role = 'all' | 'web' | 'worker';

export interface AppProcess {
  name: string;
  role: Role;
  base: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns the server in the test's own folder and waits until it is ready (see waitReady). */
export async function startProcess(name: string, role: Role, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info', ROLE: role, PORT: String(port) },
    cwd: env.TEST_DIR,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const p: AppProcess = { name, role, base: `http://127.0.0.1:${port}`, child, output: () => out, exited };
  await waitReady(p);
  return p;
}

/**
 * A web (or all) is ready when /health/ready answers 200; a worker never listens, so it is ready once it
 * logs that it started (main.ts). A process that
 * dies while booting fails at once, with its output.
 */
async function waitReady(p: AppProcess): Promise<void> {
  const ready = expectEventually(
    async () => {
      if (p.role === 'worker') expect(p.output()).toContain('worker started (ROLE=worker)');
      else expect((await fetch(`${p.base}/health/ready`)).status).toBe(200);
    },
    EVENTUALLY_MS,
    100,
  );
  const died = p.exited.then((code) => {
    throw new Error(`${p.name} exited with ${code} while starting:\n${p.output()}`);
  });
  await Promise.race([ready, died]);
}

const running = (p: AppProcess) => p.child.exitCode === null && p.child.signalCode === null;

/** kill -9: no shutdown hook runs, open transactions are cut where they stand. */
export async function killHard(p: AppProcess): Promise<void> {
  if (!running(p)) return;
  p.child.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s (cleanup only: no test asserts on it). */
export async function stopProcess(p: AppProcess): Promise<void> {
  if (!running(p)) return;
  p.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000).unref());
  if ((await Promise.race([p.exited, timeout])) === 'timeout') await killHard(p);
}

/** A connection of the test's own to the processes' database (SQLite file or PostgreSQL schema). */
export function openDatabase(env: Record<string, string>): Promise<DataSource> {
  return new DataSource(appDataSourceOptions(loadConfig(env).database)).initialize();
}

/** `PRAGMA integrity_check` on SQLite ('ok' when the file is sound); null on PostgreSQL, which has none. */
export async function sqliteIntegrity(dataSource: DataSource): Promise<string | null> {
  if (dataSource.options.type !== 'better-sqlite3') return null;
  const rows: Array<{ integrity_check: string }> = await dataSource.query('PRAGMA integrity_check');
  return rows.map((r) => r.integrity_check).join('; ');
}

/** `npm run cli -- audit-verify` on the processes' database: the audit log's hash chain, first entry to last. */
export function auditVerify(env: Record<string, string>): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [CLI, 'audit-verify'], { env: { ...process.env, ...env }, cwd: env.TEST_DIR, encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

/** Runs `work` over `items`, at most `limit` at a time, until `stop()` says so. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/** How many times the fault suite repeats a scenario: FAULT_RUNS, else `fallback`. */
export function faultRuns(fallback: number): number {
  const raw = process.env.FAULT_RUNS;
  const runs = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FAULT_RUNS=${raw} (expected a whole number from 1)`);
  return runs;
}

/** The database the suite runs on, for its printed figures. */
export const databaseKind = (): string => (process.env.DATABASE_URL?.startsWith('postgres') ? 'PostgreSQL' : 'SQLite');
