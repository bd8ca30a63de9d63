// Jest's global setup for the end-to-end project (jest.config.js): settles which Redis the tests use
// and puts it in TEST_REDIS_URL before any test file or worker starts (workers and the processes tests
// spawn inherit it; test/support/test-app.ts reads it). In order:
//   1. TEST_REDIS_URL is set: that Redis (it must answer).
//   2. Something answers PING at 127.0.0.1:6379: that Redis (every test app keys under its own prefix).
//   3. redis-server is on PATH: a private one on a free port, in a temp dir, nothing saved to disk;
//      redis.global-teardown.mjs stops it when the run ends.
//   4. Otherwise the run stops at once, saying how to install Redis.
// A Redis this file did not start is never stopped, flushed or reconfigured.
// Plain JavaScript: Jest loads global setup outside its module system, where the TypeScript sources'
// ".js" imports would not resolve.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';
const HANDLE = Symbol.for('recovery-desk.test-redis');

/** True when something answers PING at the URL's host and port (a password-protected Redis counts). */
export function redisAnswers(url, timeoutMs = 1000) {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(port || 6379) });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => finish(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function installHint(probeUrl) {
  return `No Redis answers at ${probeUrl} and redis-server is not installed, so the end-to-end tests cannot run.
Install it and run again:
  Debian/Ubuntu:  sudo apt-get install -y redis-server
  macOS:          brew install redis
or set TEST_REDIS_URL to a Redis the tests may use.`;
}

/** A clean failure: Jest prints the message alone, without this file's stack. */
function fail(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

async function startPrivateRedis(probeUrl, env, log) {
  const dir = mkdtempSync(join(tmpdir(), 'rd-test-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      join(dir, 'redis.log'),
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore', env },
  );
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', kill); // a last resort if the run dies before its teardown
  const stop = async () => {
    process.removeListener('exit', kill);
    kill();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await redisAnswers(url, 200)) {
      log(`No Redis at ${probeUrl}: the tests use a private redis-server at ${url} (stopped at the end)`);
      return { url, source: 'private', pid: child.pid, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let why = '';
  try {
    why = readFileSync(join(dir, 'redis.log'), 'utf8').trim().split('\n').slice(-3).join('\n');
  } catch {
    // no log written: redis-server did not get that far
  }
  await stop();
  throw fail(`redis-server did not start on port ${port}${why ? `:\n${why}` : ''}`);
}

/**
 * Finds or starts the Redis the tests use. `env` is read for TEST_REDIS_URL and PATH (to find
 * redis-server); `probeUrl` is where a running Redis is looked for. stop() stops only a private one.
 */
export async function provideTestRedis({ env = process.env, probeUrl = DEFAULT_TEST_REDIS_URL, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const none = async () => {};
  if (env.TEST_REDIS_URL) {
    if (!(await redisAnswers(env.TEST_REDIS_URL))) throw fail(`TEST_REDIS_URL=${env.TEST_REDIS_URL}: nothing answers PING there.`);
    return { url: env.TEST_REDIS_URL, source: 'TEST_REDIS_URL', stop: none };
  }
  if (await redisAnswers(probeUrl)) return { url: probeUrl, source: 'running', stop: none };
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore', env }).status !== 0) throw fail(installHint(probeUrl));
  return startPrivateRedis(probeUrl, env, log);
}

export default async function globalSetup() {
  const redis = await provideTestRedis();
  process.env.TEST_REDIS_URL = redis.url;
  globalThis[HANDLE] = redis;
}

export async function globalTeardown() {
  const redis = globalThis[HANDLE];
  delete globalThis[HANDLE];
  await redis?.stop();
}
