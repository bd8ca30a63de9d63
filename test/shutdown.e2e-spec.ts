import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config.js';
import { appDataSourceOptions } from '../src/entities.js';
import { OutboxMessage, OutboxTopic } from '../src/jobs/outbox.entity.js';
import { makeTicketBody } from './support/factories.js';
import { DisposableRedis } from './support/redis-server.js';
import { SmtpSink } from './support/smtp-sink.js';
import { disposeEnv, EVENTUALLY_MS, expectEventually, isolatedEnv, startTestApp } from './support/test-app.js';

/**
 * Closing the app while tickets are still being mailed must finish: the outbox relay and the mail worker
 * stop before the database pool closes (a pool that closes under a queued request never answers it).
 */
describe('shutting down while work is in flight', () => {
  it('closes, every time, right after accepting tickets', async () => {
    for (let round = 0; round < 8; round++) {
      const t = await startTestApp();
      const posts = Array.from({ length: 6 }, () => request(t.server).post('/api/v1/tickets').send(makeTicketBody()));
      await Promise.all(posts.map((p) => p.expect(201)));
      // A hang, not a speed: the bound is generous, and a close that never finishes fails here by name.
      const hung = new Promise<'still closing'>((r) => setTimeout(() => r('still closing'), EVENTUALLY_MS).unref());
      expect({ round, close: await Promise.race([t.close().then(() => 'closed' as const), hung]) }).toEqual({ round, close: 'closed' });
    }
  });
});

const MAIN = join(process.cwd(), 'dist/main.js');
/** How long a test waits for the process to exit: far above SHUTDOWN_TIMEOUT, since the bug was a process that never exits. */
const EXIT_WAIT_MS = 30_000;

interface ServerProcess {
  child: ChildProcess;
  base: string;
  env: Record<string, string>;
  /** Everything the process wrote, stdout and stderr. */
  output: () => string;
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `node dist/main.js`, as `npm start` runs it, in its own folder; resolved once /health/ready answers 200. */
async function startServer(overrides: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const env = isolatedEnv({ PORT: String(port), LOG_LEVEL: 'info', PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...overrides });
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, cwd: env.TEST_DIR });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const p = { child, base: `http://127.0.0.1:${port}`, env, output: () => out, exited };
  const ready = expectEventually(async () => expect((await fetch(`${p.base}/health/ready`)).status).toBe(200), 30_000, 100);
  const died = exited.then((code) => {
    throw new Error(`the server exited with ${code} while starting:\n${out}`);
  });
  await Promise.race([ready, died]);
  return p;
}

/** Its exit code, or 'still running' (then it is killed) when it has not exited within EXIT_WAIT_MS. */
async function exitCodeOf(p: ServerProcess): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), EXIT_WAIT_MS);
  });
  const code = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (code === 'still running') {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  return code;
}

/** Files a ticket (its acknowledgement is mailed at once); returns the requester's address. */
async function postTicket(p: ServerProcess): Promise<string> {
  const body = makeTicketBody();
  const res = await fetch(`${p.base}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return String(body.contact_email);
}

/**
 * SIGTERM to the real server process (docs/operations.md, "Shutdown"): it always exits, within
 * SHUTDOWN_TIMEOUT; 0 when everything closed in time, 1 naming what did not when Redis is away.
 */
describe('the server process on SIGTERM', () => {
  const redis = new DisposableRedis();
  const smtp = new SmtpSink();
  const started: ServerProcess[] = [];

  beforeAll(async () => {
    await redis.start();
    await smtp.start();
  });
  afterEach(async () => {
    smtp.release();
    await redis.start();
    for (const p of started.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
      await disposeEnv(p.env);
    }
  });
  afterAll(async () => {
    await redis.stop();
    await smtp.stop();
  });

  const start = async (overrides: Record<string, string> = {}) => {
    const p = await startServer({ REDIS_URL: redis.url, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...overrides });
    started.push(p);
    return p;
  };

  it('exits 1, naming what it forced, when Redis went away before the signal', async () => {
    const p = await start({ SHUTDOWN_TIMEOUT: '2s' });
    await redis.stop();
    await expectEventually(() => expect(p.output()).toContain('Redis unavailable'), 20_000, 100);
    p.child.kill('SIGTERM');
    expect(await exitCodeOf(p)).toBe(1);
    expect(p.output()).toContain('SIGTERM received: shutting down (SHUTDOWN_TIMEOUT 2000 ms)');
    expect(p.output()).toMatch(/worker mail did not close within \d+ ms: forcing it/);
    expect(p.output()).toMatch(/"msg":"[^"]*(forced|still open)[^"]*worker mail[^"]*exiting with code 1"/);
  });

  it('exits 1 when Redis goes away during the shutdown, while a mail is being sent', async () => {
    const p = await start({ SHUTDOWN_TIMEOUT: '2s' });
    smtp.hold();
    await postTicket(p);
    await expectEventually(() => expect(smtp.waiting).toBe(1), 20_000, 50);
    p.child.kill('SIGTERM');
    await expectEventually(() => expect(p.output()).toContain('SIGTERM received'), 10_000, 20);
    await redis.stop();
    expect(await exitCodeOf(p)).toBe(1);
    expect(p.output()).toMatch(/"msg":"[^"]*(forced|still open)[^"]*worker mail[^"]*exiting with code 1"/);
  });

  it('exits 0 with Redis there, after the mail in flight at the signal was sent and marked sent', async () => {
    const p = await start();
    smtp.hold();
    const address = await postTicket(p);
    await expectEventually(() => expect(smtp.waiting).toBe(1), 20_000, 50);
    p.child.kill('SIGTERM');
    await expectEventually(() => expect(p.output()).toContain('SIGTERM received'), 10_000, 20);
    smtp.release();
    expect(await exitCodeOf(p)).toBe(0);
    expect(p.output()).not.toContain('did not close');
    expect(smtp.messages.filter((m) => m.to.includes(address))).toHaveLength(1);
    const dataSource = await new DataSource(appDataSourceOptions(loadConfig(p.env).database)).initialize();
    try {
      const mails = await dataSource.getRepository(OutboxMessage).findBy({ topic: OutboxTopic.Mail });
      expect(mails).toHaveLength(1);
      expect(mails[0].processedAt).not.toBeNull();
    } finally {
      await dataSource.destroy();
    }
  });
});
