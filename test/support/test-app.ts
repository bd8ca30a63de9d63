import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppOverrides } from '../../src/app.module.js';
import { createApp } from '../../src/app.factory.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  /** The Node HTTP server, for supertest: requests go through the real Fastify server. */
  server: import('node:http').Server;
  baseUrl: string;
  config: AppConfig;
  dataSource: DataSource;
  mailDir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The Redis every test app uses: jest.config.js's global setup (redis.global-setup.mjs) settles it. */
export function testRedisUrl(): string {
  const url = process.env.TEST_REDIS_URL;
  if (!url)
    throw new Error(
      'TEST_REDIS_URL is not set: run the end-to-end specs through Jest, whose global setup (test/support/redis.global-setup.mjs) picks the Redis',
    );
  return url;
}

/** Each test app gets its own database (SQLite file or PostgreSQL schema), Redis prefix and mail folder. */
export function isolatedEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const dir = mkdtempSync(join(tmpdir(), `rd-test-${id}-`));
  const base = process.env.DATABASE_URL ?? '';
  const database: Record<string, string> = base.startsWith('postgres')
    ? { DATABASE_URL: base, DATABASE_SCHEMA: `t_${id}` }
    : { DATABASE_URL: `sqlite:${join(dir, 'test.sqlite')}` };
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'false',
    SECRET_KEY: TEST_SECRET,
    REDIS_URL: testRedisUrl(),
    REDIS_PREFIX: `t-${id}`,
    MAIL_DIR: join(dir, 'mail'),
    INTAKE_RATE_LIMIT: '0',
    INTAKE_USERNAME_RATE_LIMIT: '0',
    OUTBOX_RELAY_INTERVAL: '500ms',
    PUBLIC_BASE_URL: 'http://recovery.test',
    // Longer than any test client keeps an idle connection (undici: 4 s), also on a loaded machine whose
    // timers run late: otherwise the server may close a kept-alive socket as the client sends on it
    // ("other side closed"). test/http-timeouts.e2e-spec.ts sets its own.
    HTTP_KEEP_ALIVE_TIMEOUT: '65s',
    TEST_DIR: dir,
    ...database,
    ...overrides,
  };
}

export async function startTestApp(overrides: Record<string, string> = {}, appOverrides: AppOverrides = {}): Promise<TestApp> {
  const env = isolatedEnv(overrides);
  const config = loadConfig(env);
  const app = await createApp(config, { overrides: appOverrides });
  // Any free port, unless the test sets PORT (a browser test whose PUBLIC_BASE_URL must name the port).
  await app.listen(overrides.PORT ? config.port : 0, '127.0.0.1');
  await app.getHttpAdapter().getInstance().ready();
  const address = app.getHttpServer().address() as { port: number };
  const dataSource = app.get(DataSource);
  return {
    app,
    config,
    dataSource,
    env,
    mailDir: config.mail.dir,
    server: app.getHttpAdapter().getInstance().server,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      await disposeEnv(env);
    },
  };
}

/** Removes what an isolated environment made: its PostgreSQL schema, its Redis keys and its temp folder. */
export async function disposeEnv(env: Record<string, string>): Promise<void> {
  await dropDatabase(env);
  await flushPrefix(env.REDIS_URL, env.REDIS_PREFIX);
  rmSync(env.TEST_DIR, { recursive: true, force: true });
}

async function dropDatabase(env: Record<string, string>): Promise<void> {
  if (!env.DATABASE_SCHEMA) return;
  const ds = await new DataSource({ type: 'postgres', url: env.DATABASE_URL }).initialize();
  await ds.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`);
  await ds.destroy();
}

/** Removes every Redis key a test app made (they all carry its prefix). */
export async function flushPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis already gone (a fault test stopped it): nothing to flush.
  } finally {
    redis.disconnect();
  }
}

/**
 * How long a test waits for a condition before it gives up. Generous on purpose: a slow (loaded) machine
 * must only make a test slower, never fail it; the bound exists so that a condition that never comes
 * fails the test with the assertion's own message instead of hanging until Jest's timeout.
 */
export const EVENTUALLY_MS = 60_000;

/** Polls until the assertion passes or the time is up (no bare sleeps in tests). */
export async function expectEventually<T>(assertion: () => Promise<T> | T, timeoutMs = EVENTUALLY_MS, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface ReceivedMail {
  file: string;
  to: string;
  subject: string;
  text: string;
}

/**
 * Waits for the one-time code mailed for the ticket `reference` (to `address`, when given) and returns it
 * as the mail prints it, two groups of four digits ("1234 5678").
 */
export function codeMailedFor(mailDir: string, reference: string, address?: string): Promise<string> {
  return expectEventually(() => {
    const mail = readMails(mailDir).find((m) => (!address || m.to.includes(address)) && m.subject.includes(reference) && /one-time code/.test(m.subject));
    if (!mail) throw new Error(`no code mailed${address ? ` to ${address}` : ''} for ${reference} yet`);
    return /Your one-time code: (\d{4} \d{4})/.exec(mail.text)![1];
  });
}

/** The mails the file transport wrote so far, decoded (quoted-printable bodies). */
export function readMails(mailDir: string): ReceivedMail[] {
  let files: string[];
  try {
    files = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.map((file) => {
    const raw = readFileSync(join(mailDir, file), 'utf8');
    // nodemailer ends header lines with CRLF even with newline: 'unix'; the body keeps LF.
    const boundary = /\r?\n\r?\n/.exec(raw);
    const head = boundary ? raw.slice(0, boundary.index) : raw;
    // Headers may be folded onto several lines and carry RFC 2047 encoded words (a subject with quotes, say).
    const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
    const header = (name: string) => decodeWords(new RegExp(`^${name}: (.*)$`, 'mi').exec(unfolded)?.[1]?.trim() ?? '');
    let text = boundary ? raw.slice(boundary.index + boundary[0].length) : '';
    if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
      text = Buffer.from(
        text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    } else if (/base64/i.test(header('Content-Transfer-Encoding'))) {
      text = Buffer.from(text, 'base64').toString('utf8');
    }
    return { file, to: header('To'), subject: header('Subject'), text };
  });
}

/** `=?UTF-8?Q?a_b?= =?UTF-8?B?…?=` → text (whitespace between two encoded words is dropped, as RFC 2047 says). */
function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

export function statusTokenIn(text: string): string {
  const match = /\/status\/([A-Za-z0-9_-]{43})/.exec(text);
  if (!match) throw new Error(`no status link in: ${text.slice(0, 200)}`);
  return match[1];
}
